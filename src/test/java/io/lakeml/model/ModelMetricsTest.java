package io.lakeml.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.lakeml.testing.TestSpark;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.evaluation.Evaluator;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * ModelMetrics.all computes each metric once per evaluator's getMetrics: same values as evaluate,
 * known ones exact.
 */
class ModelMetricsTest {
  private static Dataset<Row> scored() {
    StructType schema =
        new StructType()
            .add(Algorithms.LABEL, DataTypes.DoubleType)
            .add("prediction", DataTypes.DoubleType)
            .add("rawPrediction", SQLDataTypes.VectorType());
    // label, score of class 1; prediction = score > 0
    double[][] rows = {
      {1, 2.0}, {1, 1.0}, {1, -0.5}, {0, -1.0}, {0, -2.0}, {0, 0.5}, {0, -0.2}, {1, 0.3}
    };
    List<Row> out = new ArrayList<>();
    for (double[] r : rows) {
      out.add(RowFactory.create(r[0], r[1] > 0 ? 1.0 : 0.0, Vectors.dense(-r[1], r[1])));
    }
    return TestSpark.session().createDataFrame(out, schema).repartition(2);
  }

  @Test
  void everyMetricEqualsItsEvaluatorsOwnValue() {
    Dataset<Row> scored = scored();
    Map<String, Double> all = ModelMetrics.all(scored, true);
    assertThat(all.keySet())
        .containsExactly(
            "areaUnderROC",
            "areaUnderPR",
            "f1",
            "accuracy",
            "weightedPrecision",
            "weightedRecall",
            "positiveF1",
            "positivePrecision",
            "positiveRecall");
    for (Map.Entry<String, Double> e : all.entrySet()) {
      assertThat(e.getValue())
          .as(e.getKey())
          .isEqualTo(ModelMetrics.evaluator(e.getKey()).evaluate(scored))
          .isCloseTo(mllib(e.getKey()).evaluate(scored), within(1e-15));
    }
    // 6 of 8 right (-0.5 for a 1 and 0.5 for a 0 are the misses); positives ranked above negatives
    // in 13 of 16 pairs
    assertThat(all.get("accuracy")).isEqualTo(0.75);
    assertThat(all.get("areaUnderROC")).isEqualTo(13.0 / 16);
    // class 1: predicted for 2.0, 1.0, 0.5 (a 0), 0.3 → 3 of 4 right; 3 of its 4 rows found
    assertThat(all.get("positivePrecision")).isEqualTo(0.75);
    assertThat(all.get("positiveRecall")).isEqualTo(0.75);
    assertThat(all.get("positiveF1")).isEqualTo(0.75);
    assertThat(ModelMetrics.all(scored, false).keySet())
        .containsExactly("f1", "accuracy", "weightedPrecision", "weightedRecall");
  }

  /**
   * Many rows with tied scores, two or three classes, over several partitions: the counts fed to
   * MLlib's metric classes (the path of large inputs, taken here by passing the threshold as the
   * row count) give their evaluators' values (to 1e-12: partitions' sums may be added in another
   * order).
   */
  @Test
  void countedRowsGiveTheEvaluatorsValuesExactlyWithTiesAndThreeClasses() {
    StructType schema =
        new StructType()
            .add(Algorithms.LABEL, DataTypes.DoubleType)
            .add("prediction", DataTypes.DoubleType)
            .add("rawPrediction", SQLDataTypes.VectorType());
    java.util.Random random = new java.util.Random(7);
    List<Row> two = new ArrayList<>();
    List<Row> three = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      // scores on a grid of 41 values: ties everywhere, as a forest's few leaves give
      double s = Math.round(random.nextGaussian() * 10) / 10.0;
      double label = random.nextDouble() < 1 / (1 + Math.exp(-2 * s)) ? 1.0 : 0.0;
      two.add(RowFactory.create(label, s > 0.2 ? 1.0 : 0.0, Vectors.dense(-s, s)));
      double c = random.nextInt(3);
      double predicted = random.nextDouble() < 0.6 ? c : random.nextInt(3);
      three.add(RowFactory.create(c, predicted, Vectors.dense(0.2, 0.3, 0.5)));
    }
    assertThat(ModelMetrics.counted(ModelMetrics.COUNTED_FROM_ROWS)).isTrue();
    assertThat(ModelMetrics.counted(ModelMetrics.COUNTED_FROM_ROWS - 1)).isFalse();
    Dataset<Row> binary = TestSpark.session().createDataFrame(two, schema).repartition(3);
    Map<String, Double> all = ModelMetrics.all(binary, true, ModelMetrics.COUNTED_FROM_ROWS);
    assertThat(all).hasSize(9);
    for (Map.Entry<String, Double> e : all.entrySet()) {
      assertThat(e.getValue())
          .as(e.getKey())
          .isCloseTo(mllib(e.getKey()).evaluate(binary), within(1e-12));
    }
    assertThat(all.get("areaUnderROC")).isBetween(0.7, 0.95);
    Dataset<Row> multiclass = TestSpark.session().createDataFrame(three, schema).repartition(3);
    Map<String, Double> m = ModelMetrics.all(multiclass, false, ModelMetrics.COUNTED_FROM_ROWS);
    assertThat(m).hasSize(4);
    for (Map.Entry<String, Double> e : m.entrySet()) {
      assertThat(e.getValue())
          .as(e.getKey())
          .isCloseTo(mllib(e.getKey()).evaluate(multiclass), within(1e-12));
    }
    assertThat(m.get("accuracy")).isBetween(0.6, 0.8);
  }

  /**
   * MLlib's own evaluator of a metric, as lakeml configures it: what the driver-side path must
   * equal.
   */
  private static Evaluator mllib(String metric) {
    if (ModelMetrics.BINARY.contains(metric)) {
      return new BinaryClassificationEvaluator()
          .setMetricName(metric)
          .setLabelCol(Algorithms.LABEL)
          .setRawPredictionCol("rawPrediction")
          .setNumBins(0);
    }
    String byLabel = ModelMetrics.POSITIVE.get(metric);
    return new MulticlassClassificationEvaluator()
        .setMetricName(byLabel != null ? byLabel : metric)
        .setMetricLabel(1.0)
        .setLabelCol(Algorithms.LABEL)
        .setPredictionCol("prediction");
  }

  /**
   * The driver-side metrics (few rows) equal MLlib's evaluators on rows that stress them: scores on
   * a coarse grid (ties), 0.0 beside -0.0, two and three classes, a class that is predicted but
   * never a label, one never predicted, a single row, partitions of every size; each evaluator
   * itself computes on the driver, and one Spark job fetches the rows (MLlib's takes three or
   * more).
   */
  @Test
  void driverSideMetricsEqualMLlibsOnTiesSignedZerosMissingClassesAndOneRow() throws Exception {
    StructType schema =
        new StructType()
            .add(Algorithms.LABEL, DataTypes.DoubleType)
            .add("prediction", DataTypes.DoubleType)
            .add("rawPrediction", SQLDataTypes.VectorType());
    java.util.Random random = new java.util.Random(11);
    int cases = 0;
    for (int n : new int[] {1, 7, 300}) {
      for (int classes : new int[] {2, 3}) {
        for (int variant = 0; variant < (classes == 2 && n > 1 ? 3 : 1); variant++) {
          List<Row> rows = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            double s = Math.round(random.nextGaussian() * 3) / 3.0;
            if (s == 0 && random.nextBoolean()) {
              s = -0.0;
            }
            if (i <= 1 && variant == 0) {
              // the highest score a positive's and a negative's: the PR curve starts at (0, 0.5)
              s = 9;
            }
            double label =
                classes == 2
                    ? (i == 0 || (i != 1 && random.nextDouble() < 1 / (1 + Math.exp(-2 * s)))
                        ? 1.0
                        : 0.0)
                    : random.nextInt(3);
            // variant 1: class 2 is predicted, never a label; variant 2: class 0 never predicted
            double predicted =
                variant == 1
                    ? (random.nextDouble() < 0.3 ? 2.0 : label)
                    : variant == 2 ? 1.0 : (random.nextDouble() < 0.7 ? label : s > 0 ? 1.0 : 0.0);
            rows.add(RowFactory.create(label, predicted, Vectors.dense(-s, s)));
          }
          Dataset<Row> scored =
              TestSpark.session().createDataFrame(rows, schema).repartition(1 + n % 4);
          List<String> metrics =
              new ArrayList<>(List.of("f1", "accuracy", "weightedPrecision", "weightedRecall"));
          if (classes == 2 && variant != 1) {
            metrics.addAll(
                List.of(
                    "areaUnderROC",
                    "areaUnderPR",
                    "positiveF1",
                    "positivePrecision",
                    "positiveRecall"));
          }
          Map<String, Double> all = ModelMetrics.all(scored, false, n);
          Map<String, Double> binary =
              classes == 2 && variant != 1 ? ModelMetrics.all(scored, true, n) : Map.of();
          for (String metric : metrics) {
            double expected = mllib(metric).evaluate(scored);
            String as = metric + " of " + n + " rows, " + classes + " classes, variant " + variant;
            assertThat(ModelMetrics.evaluator(metric).evaluate(scored))
                .as(as)
                .isCloseTo(expected, within(1e-12));
            for (Map<String, Double> m : List.of(all, binary)) {
              if (m.containsKey(metric)) {
                assertThat(m.get(metric)).as(as).isCloseTo(expected, within(1e-12));
              }
            }
            cases++;
          }
        }
      }
    }
    assertThat(cases).isGreaterThan(50);

    // sets known to be larger go straight to MLlib's own evaluators, without a fetch first
    for (String metric : List.of("areaUnderROC", "f1", "positiveRecall")) {
      assertThat(ModelMetrics.evaluator(metric, LocalMetrics.MAX_ROWS))
          .isInstanceOfAny(
              ModelMetrics.SmallFirstBinary.class, ModelMetrics.SmallFirstMulticlass.class);
      assertThat(ModelMetrics.evaluator(metric, LocalMetrics.MAX_ROWS + 1))
          .isNotInstanceOfAny(
              ModelMetrics.SmallFirstBinary.class, ModelMetrics.SmallFirstMulticlass.class);
    }

    // one Spark job for a metric of few rows (MLlib's evaluator: five or more)
    Dataset<Row> small = scored().cache();
    small.count();
    org.apache.spark.SparkContext sc = TestSpark.session().sparkContext();
    io.lakeml.core.SparkJobCounter counter = io.lakeml.core.SparkJobCounter.of(sc);
    String group = "local-metrics-" + System.nanoTime();
    sc.setJobGroup(group, "test", false);
    try {
      ModelMetrics.evaluator("areaUnderROC").evaluate(small);
      sc.listenerBus().waitUntilEmpty();
      assertThat(counter.jobs(group)).isEqualTo(1);
      mllib("areaUnderROC").evaluate(small);
      sc.listenerBus().waitUntilEmpty();
      assertThat(counter.jobs(group) - 1).as("MLlib's own evaluator").isGreaterThanOrEqualTo(3);
    } finally {
      sc.clearJobGroup();
      counter.forget(group);
      small.unpersist();
    }
  }

  /**
   * The driver's curves are MLlib's point for point while MLlib does not bin (fewer than twice 98
   * distinct scores), and it leaves larger ones to MLlib.
   */
  @Test
  void driverSideCurvesEqualMLlibsUnbinnedPointsAndLeaveBinningToIt() {
    java.util.Random random = new java.util.Random(5);
    for (int distinct : new int[] {3, 40, 150, 400}) {
      int n = 600;
      double[] labels = new double[n];
      double[] scores = new double[n];
      List<scala.Tuple2<Object, Object>> pairs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        scores[i] = random.nextInt(distinct) / (double) distinct;
        labels[i] = random.nextDouble() < scores[i] ? 1.0 : 0.0;
        pairs.add(new scala.Tuple2<>(scores[i], labels[i]));
      }
      LocalMetrics.Curves local = LocalMetrics.curves(labels, scores, 98);
      org.apache.spark.mllib.evaluation.BinaryClassificationMetrics m =
          new org.apache.spark.mllib.evaluation.BinaryClassificationMetrics(
              TestSpark.session()
                  .sparkContext()
                  .parallelize(
                      scala.jdk.javaapi.CollectionConverters.asScala(pairs).toSeq(),
                      3,
                      scala.reflect.ClassTag$.MODULE$.apply(scala.Tuple2.class)),
              98);
      try {
        List<Object> thresholds = m.thresholds().toJavaRDD().collect();
        if (java.util.Arrays.stream(scores).distinct().count() >= 2 * 98) {
          assertThat(local).as(distinct + " distinct scores: MLlib bins").isNull();
          continue;
        }
        assertThat(local).as(distinct + " distinct scores").isNotNull();
        assertThat(local.thresholds())
            .containsExactlyElementsOf(thresholds.stream().map(t -> (Double) t).toList());
        assertThat(xy(local.roc())).isEqualTo(xy(m.roc().toJavaRDD().collect()));
        assertThat(xy(local.pr())).isEqualTo(xy(m.pr().toJavaRDD().collect()));
      } finally {
        m.unpersist();
      }
    }
  }

  private static List<String> xy(List<?> points) {
    List<String> out = new ArrayList<>();
    for (Object p : points) {
      if (p instanceof double[] d) {
        out.add(d[0] + "," + d[1]);
      } else {
        scala.Tuple2<?, ?> t = (scala.Tuple2<?, ?>) p;
        out.add(t._1() + "," + t._2());
      }
    }
    return out;
  }
}
