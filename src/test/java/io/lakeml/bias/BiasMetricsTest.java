package io.lakeml.bias;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.lakeml.config.ConfigLoader;
import io.lakeml.config.DatasetConfig;
import io.lakeml.testing.TestProject;
import io.lakeml.testing.TestSpark;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every metric against numbers computed by hand on a fixture, in lakeml's sign convention
 * (unprivileged − privileged, unprivileged / privileged).
 *
 * <p>sex: privileged f = 10 rows (6 favorable labels; predictions tp 5, fn 1, fp 1, tn 3),
 * unprivileged m = 20 rows (6 favorable; tp 4, fn 2, fp 2, tn 12). cohort: everyone "x" (privileged
 * only). zero: privileged "p" has no favorable label. sex × zero: a 3-row group.
 */
class BiasMetricsTest {
  private static final StructType SCHEMA =
      new StructType()
          .add("id", DataTypes.IntegerType)
          .add("sex", DataTypes.StringType)
          .add("cohort", DataTypes.StringType)
          .add("zero", DataTypes.StringType)
          .add("y", DataTypes.DoubleType)
          .add("p", DataTypes.DoubleType);
  private static Dataset<Row> rows;
  private static DatasetConfig ds;

  private static void add(List<Row> out, String sex, int n, double y, double p) {
    for (int i = 0; i < n; i++) {
      int id = out.size();
      // "zero": the privileged "p" rows are exactly the unfavorable-label ones, except 3 favorable
      // rows of m are "small"
      String zero =
          y == 0.0
              ? "p"
              : (sex.equals("m")
                      && out.stream().filter(r -> "small".equals(r.getString(3))).count() < 3
                  ? "small"
                  : "q");
      out.add(RowFactory.create(id, sex, "x", zero, y, p));
    }
  }

  @BeforeAll
  static void fixture() {
    List<Row> r = new ArrayList<>();
    add(r, "f", 5, 1, 1); // tp
    add(r, "f", 1, 1, 0); // fn
    add(r, "f", 1, 0, 1); // fp
    add(r, "f", 3, 0, 0); // tn
    add(r, "m", 4, 1, 1);
    add(r, "m", 2, 1, 0);
    add(r, "m", 2, 0, 1);
    add(r, "m", 12, 0, 0);
    rows = TestSpark.session().createDataFrame(r, SCHEMA);
    TestProject p =
        TestProject.create("biasmetrics")
            .dataset(
                "fx",
                """
        dataset {
          schema = [ { name = id, type = int }, { name = sex, type = string }, { name = cohort, type = string },
                     { name = zero, type = string }, { name = y, type = double } ]
          label { column = y, positive = "1.0" }
          features { numeric = [id] }
          sensitive = [ { column = sex, privileged = ["f"] }, { column = cohort, privileged = ["x"] }, { column = zero, privileged = ["p"] } ]
          bias { intersections = [[sex, zero]], min-group-size = 4 }
        }
        """);
    ds = ConfigLoader.load(p.confDir(), "local", "fx", List.of()).requireDataset();
  }

  private static Double value(
      List<BiasMetrics.Metric> ms, String attribute, String group, String metric) {
    return find(ms, attribute, group, metric).value();
  }

  private static BiasMetrics.Metric find(
      List<BiasMetrics.Metric> ms, String attribute, String group, String metric) {
    return ms.stream()
        .filter(
            m ->
                m.attribute().equals(attribute)
                    && m.group().equals(group)
                    && m.metric().equals(metric))
        .findFirst()
        .orElseThrow(
            () -> new AssertionError(attribute + "/" + group + "/" + metric + " missing in " + ms));
  }

  @Test
  void preTrainingMetricsMatchHandComputedValues() {
    List<BiasMetrics.Grouping> g = BiasMetrics.groupings(ds);
    List<BiasMetrics.Metric> m =
        BiasMetrics.pre(BiasMetrics.counts(rows, g, col("y").equalTo(1.0), null, lit(1.0)), g, 4);
    String cmp = BiasMetrics.COMPARISON;
    assertThat(value(m, "sex", "f", "count")).isEqualTo(10.0);
    assertThat(value(m, "sex", "m", "share")).isCloseTo(20 / 30.0, within(1e-12));
    assertThat(value(m, "sex", "f", "favorable_rate")).isCloseTo(0.6, within(1e-12));
    assertThat(value(m, "sex", "m", "favorable_rate")).isCloseTo(0.3, within(1e-12));
    assertThat(value(m, "sex", cmp, "ci"))
        .isCloseTo((10 - 20) / 30.0, within(1e-12)); // (n_p − n_u)/(n_p + n_u)
    assertThat(value(m, "sex", cmp, "dpl")).isCloseTo(0.6 - 0.3, within(1e-12)); // q_p − q_u
    assertThat(value(m, "sex", cmp, "di")).isCloseTo(0.3 / 0.6, within(1e-12)); // q_u / q_p
    assertThat(value(m, "sex", cmp, "spd")).isCloseTo(0.3 - 0.6, within(1e-12)); // q_u − q_p
    // a single-group attribute and a privileged group without favorable outcomes: undefined, said
    // so
    assertThat(find(m, "cohort", cmp, "di").value()).isNull();
    assertThat(find(m, "cohort", cmp, "di").note()).contains("only one group present");
    assertThat(find(m, "zero", cmp, "di").value()).isNull();
    assertThat(find(m, "zero", cmp, "di").note())
        .contains("undefined")
        .contains("privileged group has no favorable outcome");
    assertThat(value(m, "zero", cmp, "spd")).isCloseTo(1.0, within(1e-12));
    // intersection: the 3-row group is reported as too small, without a rate
    assertThat(value(m, "sex × zero", "m × small", "count")).isEqualTo(3.0);
    assertThat(find(m, "sex × zero", "m × small", "favorable_rate").note()).contains("too small");
    assertThat(value(m, "sex × zero", "f × q", "favorable_rate")).isCloseTo(1.0, within(1e-12));
  }

  @Test
  void aNumericAttributeIsJudgedByItsBands() {
    // ages 20..59, one row each; favorable for ages under 40 every second row, from 40 on every
    // fourth
    List<Row> r = new ArrayList<>();
    for (int age = 20; age < 60; age++) {
      r.add(
          RowFactory.create(
              age, age < 40 ? (age % 2 == 0 ? 1.0 : 0.0) : (age % 4 == 0 ? 1.0 : 0.0)));
    }
    StructType schema =
        new StructType().add("age", DataTypes.IntegerType).add("y", DataTypes.DoubleType);
    Dataset<Row> aged =
        TestSpark.session()
            .createDataFrame(r, schema)
            .union(
                TestSpark.session().createDataFrame(List.of(RowFactory.create(null, 1.0)), schema));
    TestProject p =
        TestProject.create("biasbands")
            .dataset(
                "aged",
                """
        dataset {
          schema = [ { name = age, type = int }, { name = y, type = double } ]
          label { column = y, positive = "1.0" }
          features { numeric = [age] }
          sensitive = [ { column = age, bands = [40], privileged = ["< 40"] } ]
        }
        """);
    DatasetConfig banded =
        ConfigLoader.load(p.confDir(), "local", "aged", List.of()).requireDataset();
    assertThat(banded.sensitive().get(0).bandLabels()).containsExactly("< 40", ">= 40");
    List<BiasMetrics.Grouping> g = BiasMetrics.groupings(banded);
    List<BiasMetrics.Metric> m =
        BiasMetrics.pre(BiasMetrics.counts(aged, g, col("y").equalTo(1.0), null, lit(1.0)), g, 4);
    assertThat(value(m, "age", "< 40", "count")).isEqualTo(20.0);
    assertThat(value(m, "age", ">= 40", "count")).isEqualTo(20.0);
    assertThat(value(m, "age", "< 40", "favorable_rate")).isCloseTo(0.5, within(1e-12));
    assertThat(value(m, "age", ">= 40", "favorable_rate")).isCloseTo(0.25, within(1e-12));
    // pooled: every row outside the privileged band, the one without an age too (favorable): 6 of
    // 21
    assertThat(value(m, "age", BiasMetrics.COMPARISON, "di"))
        .isCloseTo((6 / 21.0) / 0.5, within(1e-12));
    assertThat(value(m, "age", BiasMetrics.NULL_GROUP, "count")).isEqualTo(1.0);

    // three bands, and the configuration's mistakes named
    DatasetConfig.Sensitive three =
        new DatasetConfig.Sensitive("age", List.of("25 to < 60.5"), List.of(25.0, 60.5));
    assertThat(three.bandLabels()).containsExactly("< 25", "25 to < 60.5", ">= 60.5");
    p.dataset(
        "bad",
        """
        dataset {
          schema = [ { name = age, type = string }, { name = y, type = double } ]
          label { column = y, positive = "1.0" }
          features { numeric = [] }
          sensitive = [ { column = age, bands = [40, 30, x], privileged = ["under 40"] } ]
        }
        """);
    assertThatThrownBy(() -> ConfigLoader.load(p.confDir(), "local", "bad", List.of()))
        .hasMessageContaining("cut points must increase: 30 follows 40")
        .hasMessageContaining("'x' is not a number")
        .hasMessageContaining("'age' is a string, bands need a number")
        .hasMessageContaining("'under 40' is not one of the groups");
  }

  @Test
  void postTrainingMetricsMatchHandComputedValues() {
    List<BiasMetrics.Grouping> g = BiasMetrics.groupings(ds);
    List<BiasMetrics.Metric> m =
        BiasMetrics.post(
            BiasMetrics.counts(rows, g, col("y").equalTo(1.0), col("p").equalTo(1.0), lit(1.0)),
            g,
            4);
    String cmp = BiasMetrics.COMPARISON;
    assertThat(value(m, "sex", "f", "selection_rate")).isCloseTo(0.6, within(1e-12));
    assertThat(value(m, "sex", "m", "selection_rate")).isCloseTo(0.3, within(1e-12));
    assertThat(value(m, "sex", "f", "tpr")).isCloseTo(5 / 6.0, within(1e-12));
    assertThat(value(m, "sex", "m", "tpr")).isCloseTo(4 / 6.0, within(1e-12));
    assertThat(value(m, "sex", "f", "fpr")).isCloseTo(1 / 4.0, within(1e-12));
    assertThat(value(m, "sex", "m", "fpr")).isCloseTo(2 / 14.0, within(1e-12));
    assertThat(value(m, "sex", "f", "precision")).isCloseTo(5 / 6.0, within(1e-12));
    assertThat(value(m, "sex", "m", "precision")).isCloseTo(4 / 6.0, within(1e-12));
    assertThat(value(m, "sex", "m", "accuracy")).isCloseTo(16 / 20.0, within(1e-12));
    assertThat(value(m, "sex", cmp, "di")).isCloseTo(0.3 / 0.6, within(1e-12));
    assertThat(value(m, "sex", cmp, "spd")).isCloseTo(-0.3, within(1e-12));
    assertThat(value(m, "sex", cmp, "eod")).isCloseTo(4 / 6.0 - 5 / 6.0, within(1e-12));
    assertThat(value(m, "sex", cmp, "aod"))
        .isCloseTo(0.5 * ((2 / 14.0 - 1 / 4.0) + (4 / 6.0 - 5 / 6.0)), within(1e-12));
    assertThat(value(m, "sex", cmp, "accuracy_difference"))
        .isCloseTo(16 / 20.0 - 8 / 10.0, within(1e-12));
    // "zero": the privileged group has no favorable label, so its TPR (and EOD) is undefined
    assertThat(find(m, "zero", cmp, "eod").note()).contains("undefined");
    assertThat(find(m, "zero", "p", "tpr").value()).isNull();
  }

  @Test
  void weightsEnterEveryCount() {
    List<BiasMetrics.Grouping> g = BiasMetrics.groupings(ds).subList(0, 1);
    // doubling the weight of m's favorable rows doubles its favorable mass: q_u = 12/26
    Dataset<Row> weighted =
        rows.withColumn(
            "w",
            org.apache
                .spark
                .sql
                .functions
                .when(col("sex").equalTo("m").and(col("y").equalTo(1.0)), 2.0)
                .otherwise(1.0));
    List<BiasMetrics.Metric> m =
        BiasMetrics.pre(
            BiasMetrics.counts(weighted, g, col("y").equalTo(1.0), null, col("w")), g, 4);
    assertThat(value(m, "sex", BiasMetrics.COMPARISON, "di"))
        .isCloseTo((12 / 26.0) / 0.6, within(1e-12));
    assertThat(value(m, "sex", "m", "count")).isEqualTo(20.0);
  }

  @Test
  void bootstrapIntervalsAreDeterministicAndContainTheEstimate() {
    List<BiasMetrics.Grouping> g = BiasMetrics.groupings(ds).subList(0, 1);
    Map<String, Map<String, double[]>> a =
        BiasMetrics.bootstrap(rows, g, col("p").equalTo(1.0), col("id"), 300, 7, 0.9);
    Map<String, Map<String, double[]>> b =
        BiasMetrics.bootstrap(rows, g, col("p").equalTo(1.0), col("id"), 300, 7, 0.9);
    double[] di = a.get("sex").get("di");
    assertThat(di).isEqualTo(b.get("sex").get("di"));
    assertThat(di[0]).isLessThan(0.5).isPositive();
    assertThat(di[1]).isGreaterThan(0.5);
    double[] spd = a.get("sex").get("spd");
    assertThat(spd[0]).isLessThan(-0.3);
    assertThat(spd[1]).isGreaterThan(-0.3).isLessThan(0.2);
  }

  @Test
  void poissonOneHasItsMeanAndVariance() {
    Dataset<Row> u =
        TestSpark.session()
            .range(200_000)
            .select(
                BiasMetrics.poisson(
                        org.apache
                            .spark
                            .sql
                            .functions
                            .pmod(org.apache.spark.sql.functions.xxhash64(col("id")), lit(1L << 31))
                            .divide((double) (1L << 31)))
                    .as("k"));
    Row s =
        u.agg(org.apache.spark.sql.functions.avg("k"), org.apache.spark.sql.functions.var_pop("k"))
            .first();
    assertThat(s.getDouble(0)).isCloseTo(1.0, within(0.01));
    assertThat(s.getDouble(1)).isCloseTo(1.0, within(0.02));
  }

  @Test
  void gateBlocksOutsideTheBandAndPassesInside() {
    DatasetConfig blocking =
        new DatasetConfig(
            ds.name(),
            ds.source(),
            ds.columns(),
            ds.key(),
            ds.label(),
            ds.sensitive().subList(0, 1),
            ds.features(),
            ds.rules(),
            ds.prepare(),
            ds.tune(),
            new DatasetConfig.Bias(
                List.of(), 4, 0, 0.95, 42, 0.8, 1.25, 0.1, DatasetConfig.GateAction.BLOCK, false),
            ds.deploy());
    String cmp = BiasMetrics.COMPARISON;
    BiasJob.Gate biased =
        BiasJob.gate(
            blocking,
            List.of(
                new BiasMetrics.Metric("sex", cmp, "di", 0.5, null),
                new BiasMetrics.Metric("sex", cmp, "eod", -0.05, null)),
            null);
    assertThat(biased.decision()).isEqualTo("blocked");
    assertThat(biased.reason()).contains("sex DI 0.500 outside [0.8, 1.25]");
    BiasJob.Gate eod =
        BiasJob.gate(
            blocking,
            List.of(
                new BiasMetrics.Metric("sex", cmp, "di", 1.0, null),
                new BiasMetrics.Metric("sex", cmp, "eod", 0.2, null)),
            null);
    assertThat(eod.decision()).isEqualTo("blocked");
    assertThat(eod.reason()).contains("|EOD| 0.200 > 0.1");
    List<BiasMetrics.Metric> fairModel =
        List.of(
            new BiasMetrics.Metric("sex", cmp, "di", 0.95, null),
            new BiasMetrics.Metric("sex", cmp, "eod", -0.05, null));
    BiasJob.Gate fair = BiasJob.gate(blocking, fairModel, null);
    assertThat(fair.decision()).isEqualTo("passed");
    // the data is judged too: a fair model trained on labels with DI 0.79 is a finding of its own
    BiasJob.Gate data =
        BiasJob.gate(
            blocking, fairModel, List.of(new BiasMetrics.Metric("sex", cmp, "di", 0.79, null)));
    assertThat(data.decision()).isEqualTo("blocked");
    assertThat(data.reason())
        .contains("data (gold's labels, before training): sex DI 0.790 outside [0.8, 1.25]")
        .contains("dataset.bias.reweigh = true")
        .doesNotContain("model");
    assertThat(
            BiasJob.gate(
                    blocking,
                    fairModel,
                    List.of(new BiasMetrics.Metric("sex", cmp, "di", 0.9, null)))
                .decision())
        .isEqualTo("passed");
    // a privileged value that never occurs in the data: its DI is undefined, and that is a finding
    BiasJob.Gate absent =
        BiasJob.gate(
            blocking,
            fairModel,
            List.of(
                new BiasMetrics.Metric(
                    "sex",
                    cmp,
                    "di",
                    null,
                    "undefined: only one group present (no privileged rows)")));
    assertThat(absent.decision()).isEqualTo("blocked");
    assertThat(absent.reason())
        .contains(
            "data (gold's labels, before training): sex DI undefined: only one group present (no privileged rows); check dataset.sensitive's privileged values for sex");
  }

  /**
   * The police-stops case: race with a privileged group, a large "Unknown" group with a high
   * favorable rate and a small group far below. Pooled DI passes; the worst group decides the gate.
   */
  @Test
  void aManyValuedAttributeIsJudgedPerGroupNotOnlyPooled() {
    DatasetConfig blocking =
        new DatasetConfig(
            ds.name(),
            ds.source(),
            ds.columns(),
            ds.key(),
            ds.label(),
            ds.sensitive().subList(0, 1),
            ds.features(),
            ds.rules(),
            ds.prepare(),
            ds.tune(),
            new DatasetConfig.Bias(
                List.of(), 30, 0, 0.95, 42, 0.8, 1.25, 0.1, DatasetConfig.GateAction.BLOCK, false),
            ds.deploy());
    BiasMetrics.Grouping race = new BiasMetrics.Grouping("sex", lit("x"), lit(true), false);
    // group, privileged, rows, favorable predictions, tp, fp, fn, tn (favorable labels = tp + fn)
    List<BiasMetrics.GroupCounts> counts =
        List.of(
            counts("White", true, 1000, 900, 800, 100, 50, 50),
            counts("Unknown", false, 1000, 989, 900, 89, 5, 6),
            counts("Black", false, 400, 312, 280, 32, 40, 48),
            counts("Native American", false, 200, 120, 110, 10, 40, 40),
            counts("Other", false, 20, 5, 5, 0, 10, 5));
    List<BiasMetrics.Metric> post = BiasMetrics.post(counts, List.of(race), 30);
    double pooled = value(post, BiasMetrics.COMPARISON, "di");
    assertThat(pooled)
        .isCloseTo((989.0 + 312 + 120 + 5) / 1620 / 0.9, within(1e-12))
        .isGreaterThan(0.8);
    assertThat(value(post, "Native American", "di")).isCloseTo(0.6 / 0.9, within(1e-12));
    assertThat(value(post, "Black", "di")).isCloseTo(0.78 / 0.9, within(1e-12));
    assertThat(value(post, "Native American", "eod"))
        .isCloseTo(110.0 / 150 - 800.0 / 850, within(1e-12));
    assertThat(post)
        .noneMatch(
            m -> m.group().equals("Other") && m.metric().equals("di")); // 20 rows < 30: too small
    assertThat(post).noneMatch(m -> m.group().equals("White") && m.metric().equals("di"));
    BiasJob.Gate gate = BiasJob.gate(blocking, post, null);
    assertThat(gate.decision()).isEqualTo("blocked");
    assertThat(gate.reason())
        .contains("sex = Native American DI 0.667 outside [0.8, 1.25]")
        .doesNotContain("sex DI")
        .doesNotContain("Black DI"); // 0.867 is inside
    // before training the same per-group rule applies to the labels
    List<BiasMetrics.Metric> pre = BiasMetrics.pre(counts, List.of(race), 30);
    assertThat(value(pre, "Native American", "di"))
        .isCloseTo((150.0 / 200) / (850.0 / 1000), within(1e-12));
    assertThat(value(pre, "Native American", "spd")).isCloseTo(0.75 - 0.85, within(1e-12));
  }

  private static BiasMetrics.GroupCounts counts(
      String group,
      boolean privileged,
      long rows,
      double favPred,
      double tp,
      double fp,
      double fn,
      double tn) {
    return new BiasMetrics.GroupCounts(
        "sex", group, privileged, rows, rows, tp + fn, favPred, tp, fp, fn, tn);
  }

  private static double value(List<BiasMetrics.Metric> metrics, String group, String metric) {
    return metrics.stream()
        .filter(m -> m.group().equals(group) && m.metric().equals(metric))
        .findFirst()
        .orElseThrow()
        .value();
  }
}
