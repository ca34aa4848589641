package io.lakeml.bias;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import io.lakeml.config.DatasetConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.stat.descriptive.rank.Percentile;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Group fairness metrics, computed in one aggregation over all attributes and groups.
 *
 * <p>Convention (used everywhere in lakeml and named in every output): unprivileged minus (or over)
 * privileged, with the favorable outcome of the dataset configuration — DI = P(fav | unpriv) /
 * P(fav | priv), SPD = P(fav | unpriv) − P(fav | priv), EOD = TPR_u − TPR_p, AOD = ½[(FPR_u −
 * FPR_p) + (TPR_u − TPR_p)], accuracy difference = acc_u − acc_p; pre-training CI = (n_p −
 * n_u)/(n_p + n_u) and DPL = q_p − q_u. TPR and FPR treat the favorable outcome as the positive
 * one.
 *
 * <p>An attribute with more than one unprivileged group (e.g. race with eight values) also gets DI,
 * SPD (and EOD after training) per unprivileged group against the privileged side, as Fairlearn's
 * MetricFrame and AIF360 judge it; the pooled comparison stays, under {@link #COMPARISON}.
 */
public final class BiasMetrics {
  /** Group name of the attribute-level comparison rows. */
  public static final String COMPARISON = io.lakeml.model.Fairness.POOLED_GROUP;

  static final String NULL_GROUP = io.lakeml.model.Fairness.NULL_GROUP;

  private BiasMetrics() {}

  /** An analysed grouping of rows: one sensitive attribute, or an intersection of several. */
  public record Grouping(String name, Column group, Column privileged, boolean intersection) {}

  /** Weighted counts of one group; {@code rows} is the unweighted row count. */
  public record GroupCounts(
      String attribute,
      String group,
      boolean privileged,
      long rows,
      double n,
      double favLabel,
      double favPred,
      double tp,
      double fp,
      double fn,
      double tn) {}

  /** One metric value; a null value comes with a note saying why (undefined, too small). */
  public record Metric(String attribute, String group, String metric, Double value, String note) {}

  /** The declared sensitive attributes, then the configured intersections. */
  public static List<Grouping> groupings(DatasetConfig ds) {
    List<Grouping> out = new ArrayList<>();
    Map<String, DatasetConfig.Sensitive> byColumn = new LinkedHashMap<>();
    for (DatasetConfig.Sensitive s : ds.sensitive()) {
      byColumn.put(s.column(), s);
      out.add(
          new Grouping(
              s.column(), io.lakeml.model.Fairness.groupOrNullGroup(s), privileged(s), false));
    }
    for (List<String> cols : ds.bias().intersections()) {
      Column group = io.lakeml.model.Fairness.jointGroup(cols.stream().map(byColumn::get).toList());
      Column priv = lit(true);
      for (String c : cols) {
        priv = priv.and(privileged(byColumn.get(c)));
      }
      out.add(new Grouping(String.join(" × ", cols), group, priv, true));
    }
    return out;
  }

  private static Column privileged(DatasetConfig.Sensitive s) {
    return coalesce(io.lakeml.model.Fairness.group(s).isin(s.privileged().toArray()), lit(false));
  }

  /**
   * Weighted counts per (attribute, group) in a single groupBy: rows are unpivoted into one row per
   * grouping first. {@code favPred} may be null (pre-training: labels only).
   */
  public static List<GroupCounts> counts(
      Dataset<Row> rows, List<Grouping> groupings, Column favLabel, Column favPred, Column weight) {
    Column[] items =
        groupings.stream()
            .map(
                g ->
                    struct(
                        lit(g.name()).as("attribute"),
                        g.group().as("grp"),
                        g.privileged().as("privileged")))
            .toArray(Column[]::new);
    Column y = favLabel.cast("double");
    Column p = favPred == null ? lit(0.0) : favPred.cast("double");
    Dataset<Row> long_ =
        rows.select(
            explode(array(items)).as("g"), y.as("y"), p.as("p"), weight.cast("double").as("w"));
    Column w = col("w");
    Column yy = col("y");
    Column pp = col("p");
    List<Row> agg =
        long_
            .groupBy(col("g.attribute"), col("g.grp"), col("g.privileged"))
            .agg(
                count(lit(1)),
                sum(w),
                sum(w.multiply(yy)),
                sum(w.multiply(pp)),
                sum(w.multiply(yy).multiply(pp)),
                sum(w.multiply(lit(1).minus(yy)).multiply(pp)),
                sum(w.multiply(yy).multiply(lit(1).minus(pp))),
                sum(w.multiply(lit(1).minus(yy)).multiply(lit(1).minus(pp))))
            // bounded: one row per (attribute, group)
            .collectAsList();
    List<GroupCounts> out = new ArrayList<>();
    for (Row r : agg) {
      out.add(
          new GroupCounts(
              r.getString(0),
              r.getString(1),
              r.getBoolean(2),
              r.getLong(3),
              r.getDouble(4),
              r.getDouble(5),
              r.getDouble(6),
              r.getDouble(7),
              r.getDouble(8),
              r.getDouble(9),
              r.getDouble(10)));
    }
    out.sort(
        java.util.Comparator.comparing(GroupCounts::attribute).thenComparing(GroupCounts::group));
    return out;
  }

  /**
   * Pre-training metrics (labels only): per group count, share and favorable rate; per attribute
   * CI, DPL, DI, SPD.
   */
  public static List<Metric> pre(
      List<GroupCounts> counts, List<Grouping> groupings, int minGroupSize) {
    List<Metric> out = new ArrayList<>();
    for (Grouping g : groupings) {
      List<GroupCounts> groups =
          counts.stream().filter(c -> c.attribute().equals(g.name())).toList();
      double total = groups.stream().mapToDouble(GroupCounts::n).sum();
      for (GroupCounts c : groups) {
        out.add(new Metric(g.name(), c.group(), "count", (double) c.rows(), null));
        if (c.rows() < minGroupSize) {
          out.add(
              new Metric(
                  g.name(),
                  c.group(),
                  "favorable_rate",
                  null,
                  "too small: " + c.rows() + " rows < min-group-size " + minGroupSize));
          continue;
        }
        out.add(new Metric(g.name(), c.group(), "share", c.n() / total, null));
        out.add(new Metric(g.name(), c.group(), "favorable_rate", c.favLabel() / c.n(), null));
      }
      Side u = Side.of(groups, false);
      Side p = Side.of(groups, true);
      String oneSided = oneSided(u, p);
      if (oneSided != null) {
        for (String m : List.of("ci", "dpl", "di", "spd")) {
          out.add(new Metric(g.name(), COMPARISON, m, null, oneSided));
        }
        continue;
      }
      double qu = u.favLabel / u.n;
      double qp = p.favLabel / p.n;
      out.add(new Metric(g.name(), COMPARISON, "ci", (p.n - u.n) / (p.n + u.n), null));
      out.add(new Metric(g.name(), COMPARISON, "dpl", qp - qu, null));
      out.add(ratio(g.name(), "di", qu, qp, "the privileged group has no favorable outcome"));
      out.add(new Metric(g.name(), COMPARISON, "spd", qu - qp, null));
      perGroup(
          out,
          g,
          groups,
          minGroupSize,
          c -> c.favLabel() / c.n(),
          qp,
          "the privileged group has no favorable outcome");
    }
    return out;
  }

  /**
   * With more than one unprivileged group, each group of at least {@code minGroupSize} rows against
   * the privileged side: DI and SPD of the given rate (a pooled figure can hide a group far below
   * it).
   */
  private static void perGroup(
      List<Metric> out,
      Grouping g,
      List<GroupCounts> groups,
      int minGroupSize,
      java.util.function.ToDoubleFunction<GroupCounts> rate,
      double privilegedRate,
      String undefined) {
    List<GroupCounts> unprivileged = groups.stream().filter(c -> !c.privileged()).toList();
    if (unprivileged.size() < 2) {
      return;
    }
    for (GroupCounts c : unprivileged) {
      if (c.rows() < minGroupSize || c.n() == 0) {
        continue; // reported as too small with its rates
      }
      double r = rate.applyAsDouble(c);
      out.add(
          privilegedRate == 0
              ? new Metric(g.name(), c.group(), "di", null, "undefined: " + undefined)
              : new Metric(g.name(), c.group(), "di", r / privilegedRate, null));
      out.add(new Metric(g.name(), c.group(), "spd", r - privilegedRate, null));
    }
  }

  /**
   * Post-training metrics: per group selection rate, TPR, FPR, precision, accuracy; per attribute
   * DI, SPD, EOD, AOD, accuracy difference.
   */
  public static List<Metric> post(
      List<GroupCounts> counts, List<Grouping> groupings, int minGroupSize) {
    List<Metric> out = new ArrayList<>();
    for (Grouping g : groupings) {
      List<GroupCounts> groups =
          counts.stream().filter(c -> c.attribute().equals(g.name())).toList();
      for (GroupCounts c : groups) {
        out.add(new Metric(g.name(), c.group(), "count", (double) c.rows(), null));
        if (c.rows() < minGroupSize) {
          out.add(
              new Metric(
                  g.name(),
                  c.group(),
                  "selection_rate",
                  null,
                  "too small: " + c.rows() + " rows < min-group-size " + minGroupSize));
          continue;
        }
        Side s = Side.of(List.of(c), c.privileged());
        out.add(rate(g.name(), c.group(), "selection_rate", c.favPred(), c.n()));
        out.add(rate(g.name(), c.group(), "tpr", s.tp, s.tp + s.fn));
        out.add(rate(g.name(), c.group(), "fpr", s.fp, s.fp + s.tn));
        out.add(rate(g.name(), c.group(), "precision", s.tp, s.tp + s.fp));
        out.add(rate(g.name(), c.group(), "accuracy", s.tp + s.tn, c.n()));
      }
      Side u = Side.of(groups, false);
      Side p = Side.of(groups, true);
      String oneSided = oneSided(u, p);
      if (oneSided != null) {
        for (String m : List.of("di", "spd", "eod", "aod", "accuracy_difference")) {
          out.add(new Metric(g.name(), COMPARISON, m, null, oneSided));
        }
        continue;
      }
      double su = u.favPred / u.n;
      double sp = p.favPred / p.n;
      out.add(
          ratio(
              g.name(), "di", su, sp, "the model gives the privileged group no favorable outcome"));
      out.add(new Metric(g.name(), COMPARISON, "spd", su - sp, null));
      Double tprU = div(u.tp, u.tp + u.fn);
      Double tprP = div(p.tp, p.tp + p.fn);
      Double fprU = div(u.fp, u.fp + u.tn);
      Double fprP = div(p.fp, p.fp + p.tn);
      boolean tprOk = tprU != null && tprP != null;
      out.add(
          tprOk
              ? new Metric(g.name(), COMPARISON, "eod", tprU - tprP, null)
              : new Metric(
                  g.name(),
                  COMPARISON,
                  "eod",
                  null,
                  "undefined: a group has no favorable labels (TPR has no denominator)"));
      out.add(
          tprOk && fprU != null && fprP != null
              ? new Metric(g.name(), COMPARISON, "aod", 0.5 * ((fprU - fprP) + (tprU - tprP)), null)
              : new Metric(
                  g.name(),
                  COMPARISON,
                  "aod",
                  null,
                  "undefined: a group has no favorable or no unfavorable labels"));
      out.add(
          new Metric(
              g.name(),
              COMPARISON,
              "accuracy_difference",
              (u.tp + u.tn) / u.n - (p.tp + p.tn) / p.n,
              null));
      perGroup(
          out,
          g,
          groups,
          minGroupSize,
          c -> c.favPred() / c.n(),
          sp,
          "the model gives the privileged group no favorable outcome");
      if (groups.stream().filter(c -> !c.privileged()).count() > 1 && tprP != null) {
        for (GroupCounts c : groups) {
          Double tpr = div(c.tp(), c.tp() + c.fn());
          if (!c.privileged() && c.rows() >= minGroupSize && tpr != null) {
            out.add(new Metric(g.name(), c.group(), "eod", tpr - tprP, null));
          }
        }
      }
    }
    return out;
  }

  /**
   * Bootstrap percentile intervals of DI and SPD per attribute, all resamples in one aggregation:
   * each row is repeated once per resample with a Poisson(1) weight drawn from a seeded hash of
   * (row id, resample), which is the distributed form of resampling with replacement.
   *
   * @return attribute → metric ("di", "spd") → {low, high}
   */
  public static Map<String, Map<String, double[]>> bootstrap(
      Dataset<Row> rows,
      List<Grouping> groupings,
      Column favPred,
      Column rowId,
      int resamples,
      long seed,
      double confidence) {
    Column[] items =
        groupings.stream()
            .map(g -> struct(lit(g.name()).as("attribute"), g.privileged().as("privileged")))
            .toArray(Column[]::new);
    Dataset<Row> rep =
        rows.select(rowId.as("_id"), favPred.cast("double").as("p"), explode(array(items)).as("g"))
            .withColumn("b", explode(sequence(lit(0), lit(resamples - 1))));
    rep =
        rep.withColumn(
            "w",
            poisson(
                pmod(xxhash64(lit(seed), col("_id"), col("b")), lit(1L << 31))
                    .divide((double) (1L << 31))));
    List<Row> agg =
        rep.groupBy(col("b"), col("g.attribute"), col("g.privileged"))
            // bounded: one row per (bootstrap replicate, attribute, group)
            .agg(sum(col("w")), sum(col("w").multiply(col("p"))))
            .collectAsList();
    Map<String, double[][]> perB = new HashMap<>(); // attribute|privileged -> [b] -> {n, fav}
    for (Row r : agg) {
      String k = r.getString(1) + "|" + r.getBoolean(2);
      perB.computeIfAbsent(k, x -> new double[resamples][2])[r.getInt(0)] =
          new double[] {r.getDouble(3), r.getDouble(4)};
    }
    Map<String, Map<String, double[]>> out = new LinkedHashMap<>();
    for (Grouping g : groupings) {
      double[][] un = perB.get(g.name() + "|false");
      double[][] pr = perB.get(g.name() + "|true");
      if (un == null || pr == null) {
        continue;
      }
      List<Double> di = new ArrayList<>();
      List<Double> spd = new ArrayList<>();
      for (int b = 0; b < resamples; b++) {
        if (un[b][0] == 0 || pr[b][0] == 0) {
          continue;
        }
        double su = un[b][1] / un[b][0];
        double sp = pr[b][1] / pr[b][0];
        spd.add(su - sp);
        if (sp > 0) {
          di.add(su / sp);
        }
      }
      Map<String, double[]> m = new LinkedHashMap<>();
      if (!di.isEmpty()) {
        m.put("di", percentiles(di, confidence));
      }
      if (!spd.isEmpty()) {
        m.put("spd", percentiles(spd, confidence));
      }
      out.put(g.name(), m);
    }
    return out;
  }

  /** Inverse CDF of Poisson(1) at u in [0, 1). */
  static Column poisson(Column u) {
    double[] cdf = new double[8];
    double p = Math.exp(-1);
    double c = 0;
    for (int k = 0; k < cdf.length; k++) {
      c += p;
      cdf[k] = c;
      p = p / (k + 1);
    }
    Column out = lit(cdf.length);
    for (int k = cdf.length - 1; k >= 0; k--) {
      out = when(u.lt(cdf[k]), lit(k)).otherwise(out);
    }
    return out.cast("double");
  }

  static double[] percentiles(List<Double> values, double confidence) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
    double alpha = (1 - confidence) / 2;
    // linear between the closest ranks, numpy's and R's default (bootstrap intervals as AIF360
    // computes them)
    Percentile p = new Percentile().withEstimationType(Percentile.EstimationType.R_7);
    p.setData(v);
    return new double[] {p.evaluate(100 * alpha), p.evaluate(100 * (1 - alpha))};
  }

  private static String oneSided(Side u, Side p) {
    if (u.n == 0 && p.n == 0) {
      return "undefined: no rows";
    }
    if (p.n == 0) {
      return "undefined: only one group present (no privileged rows)";
    }
    if (u.n == 0) {
      return "undefined: only one group present (no unprivileged rows)";
    }
    return null;
  }

  private static Metric ratio(String attribute, String metric, double num, double den, String why) {
    return den == 0
        ? new Metric(attribute, COMPARISON, metric, null, "undefined: " + why)
        : new Metric(attribute, COMPARISON, metric, num / den, null);
  }

  private static Metric rate(
      String attribute, String group, String metric, double num, double den) {
    return den == 0
        ? new Metric(attribute, group, metric, null, "undefined: no rows in the denominator")
        : new Metric(attribute, group, metric, num / den, null);
  }

  private static Double div(double num, double den) {
    return den == 0 ? null : num / den;
  }

  /** Summed counts of the privileged or the unprivileged groups of one attribute. */
  private static final class Side {
    double n;
    double favLabel;
    double favPred;
    double tp;
    double fp;
    double fn;
    double tn;

    static Side of(List<GroupCounts> groups, boolean privileged) {
      Side s = new Side();
      for (GroupCounts c : groups) {
        if (c.privileged() == privileged) {
          s.n += c.n();
          s.favLabel += c.favLabel();
          s.favPred += c.favPred();
          s.tp += c.tp();
          s.fp += c.fp();
          s.fn += c.fn();
          s.tn += c.tn();
        }
      }
      return s;
    }
  }
}
