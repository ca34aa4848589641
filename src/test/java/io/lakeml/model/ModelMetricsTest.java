package io.lakeml.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.lakeml.testing.TestSpark;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
          .isEqualTo(ModelMetrics.evaluator(e.getKey()).evaluate(scored));
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
          .isCloseTo(ModelMetrics.evaluator(e.getKey()).evaluate(binary), within(1e-12));
    }
    assertThat(all.get("areaUnderROC")).isBetween(0.7, 0.95);
    Dataset<Row> multiclass = TestSpark.session().createDataFrame(three, schema).repartition(3);
    Map<String, Double> m = ModelMetrics.all(multiclass, false, ModelMetrics.COUNTED_FROM_ROWS);
    assertThat(m).hasSize(4);
    for (Map.Entry<String, Double> e : m.entrySet()) {
      assertThat(e.getValue())
          .as(e.getKey())
          .isCloseTo(ModelMetrics.evaluator(e.getKey()).evaluate(multiclass), within(1e-12));
    }
    assertThat(m.get("accuracy")).isBetween(0.6, 0.8);
  }
}
