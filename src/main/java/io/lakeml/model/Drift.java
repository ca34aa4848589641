package io.lakeml.model;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.when;

import io.lakeml.config.DatasetConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * Population stability of features: the training rows' decile edges and shares per bin or category,
 * and the PSI between two such distributions. Prepare computes the training side when it writes
 * gold; monitor compares each night's scored rows with it.
 */
public final class Drift {
  /** PSI's floor for empty bins (avoids log of zero). */
  public static final double EPSILON = 1e-4;

  /** Numeric features are binned on their training deciles. */
  public static final int BINS = 10;

  private Drift() {}

  /** The dataset's features by name, numeric ones mapped to true, in the configuration's order. */
  public static Map<String, Boolean> features(DatasetConfig ds) {
    Map<String, Boolean> features = new LinkedHashMap<>();
    ds.features().numeric().forEach(f -> features.put(f, true));
    ds.features().categorical().forEach(f -> features.put(f, false));
    return features;
  }

  /**
   * The training side of the comparison: decile edges of the numeric features and every feature's
   * shares per bin, from {@code rows} (one pass for the edges, one aggregation for the shares).
   */
  public static Expected expected(Dataset<Row> rows, Map<String, Boolean> features) {
    Map<String, double[]> edges = edges(rows, features);
    return new Expected(edges, distributions(rows, binColumns(features, edges)));
  }

  /** Decile edges per numeric feature and shares per bin or category per feature. */
  public record Expected(Map<String, double[]> edges, Map<String, Map<String, Double>> shares) {}

  /**
   * Each feature as the string its distribution is counted by: categorical features their value;
   * numeric ones the index of their decile bin, edges from the reference (all numeric columns'
   * quantiles in one pass), nulls a bin of their own (a feature that starts arriving empty is drift
   * too).
   */
  public static Map<String, Column> binColumns(
      Dataset<Row> reference, Map<String, Boolean> features) {
    return binColumns(features, edges(reference, features));
  }

  /** The features' columns binned on {@code edges} (see {@link #edges}). */
  public static Map<String, Column> binColumns(
      Map<String, Boolean> features, Map<String, double[]> edges) {
    Map<String, Column> out = new LinkedHashMap<>();
    for (Map.Entry<String, Boolean> e : features.entrySet()) {
      Column v = col(e.getKey()).cast("double");
      if (!e.getValue()) {
        out.put(e.getKey(), col(e.getKey()).cast("string"));
        continue;
      }
      double[] at = edges.get(e.getKey());
      Column bin = lit(at.length);
      for (int i = at.length - 1; i >= 0; i--) {
        bin = when(v.leq(at[i]), lit(i)).otherwise(bin);
      }
      out.put(e.getKey(), when(v.isNull(), lit(-1)).otherwise(bin).cast("string"));
    }
    return out;
  }

  /**
   * The numeric features' decile edges in the reference, distinct and ascending (all columns'
   * quantiles in one pass, nulls ignored per column).
   */
  public static Map<String, double[]> edges(Dataset<Row> reference, Map<String, Boolean> features) {
    String[] numeric =
        features.entrySet().stream()
            .filter(Map.Entry::getValue)
            .map(Map.Entry::getKey)
            .toArray(String[]::new);
    double[] probs = new double[BINS - 1];
    for (int i = 1; i < BINS; i++) {
      probs[i - 1] = i / (double) BINS;
    }
    double[][] q = new double[0][];
    if (numeric.length > 0) {
      Dataset<Row> ref =
          reference.select(
              java.util.Arrays.stream(numeric)
                  .map(c -> col(c).cast("double").as(c))
                  .toArray(Column[]::new));
      q = ref.stat().approxQuantile(numeric, probs, 0.001); // nulls ignored per column
    }
    Map<String, double[]> out = new LinkedHashMap<>();
    for (int n = 0; n < numeric.length; n++) {
      out.put(
          numeric[n],
          new TreeSet<Double>(java.util.Arrays.stream(q[n]).boxed().toList())
              .stream().mapToDouble(Double::doubleValue).toArray());
    }
    return out;
  }

  /**
   * Share of rows per bin of every feature, from one aggregation; per feature the 5,000 most
   * frequent values reach the driver (null counted as its own value).
   */
  public static Map<String, Map<String, Double>> distributions(
      Dataset<Row> rows, Map<String, Column> bins) {
    Map<String, Map<String, Double>> out = new LinkedHashMap<>();
    if (bins.isEmpty()) {
      return out;
    }
    Column[] pairs =
        bins.entrySet().stream()
            .map(
                e ->
                    org.apache.spark.sql.functions.struct(
                        lit(e.getKey()).as("f"), e.getValue().as("v")))
            .toArray(Column[]::new);
    Dataset<Row> counts =
        rows.select(
                org.apache
                    .spark
                    .sql
                    .functions
                    .explode(org.apache.spark.sql.functions.array(pairs))
                    .as("x"))
            .groupBy(col("x.f").as("f"), col("x.v").as("v"))
            .agg(count(lit(1)).as("n"))
            .withColumn(
                "rank",
                row_number()
                    .over(
                        Window.partitionBy("f")
                            .orderBy(col("n").desc(), col("v").asc_nulls_first())))
            .where(col("rank").leq(5000));
    Map<String, Double> totals = new LinkedHashMap<>();
    // bounded: at most 5,000 value counts per feature
    List<Row> collected = counts.select("f", "v", "n").collectAsList();
    for (Row r : collected) {
      totals.merge(r.getString(0), (double) r.getLong(2), Double::sum);
    }
    for (Row r : collected) {
      out.computeIfAbsent(r.getString(0), k -> new LinkedHashMap<>())
          .put(
              r.isNullAt(1) ? "(null)" : r.getString(1), r.getLong(2) / totals.get(r.getString(0)));
    }
    return out;
  }

  /** PSI = Σ (a − e) · ln(a / e) over the union of bins, empty bins floored at {@link #EPSILON}. */
  public static double psi(Map<String, Double> expected, Map<String, Double> actual) {
    TreeSet<String> keys = new TreeSet<>(expected.keySet());
    keys.addAll(actual.keySet());
    double sum = 0;
    for (String k : keys) {
      double e = Math.max(expected.getOrDefault(k, 0.0), EPSILON);
      double a = Math.max(actual.getOrDefault(k, 0.0), EPSILON);
      sum += (a - e) * Math.log(a / e);
    }
    return sum;
  }
}
