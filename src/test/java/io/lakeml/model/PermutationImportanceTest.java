package io.lakeml.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.lakeml.testing.TestFeatures;
import io.lakeml.testing.TestSpark;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.apache.spark.ml.classification.DecisionTreeClassifier;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.classification.NaiveBayes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * Permutation importance finds the column the label depends on, moves a one-hot block as one
 * column, gives a column the model ignores nothing, and is the same on every run.
 */
class PermutationImportanceTest {
  /**
   * Slots: signal, noise, and a two-slot one-hot column "colour" that a third of the label follows.
   */
  private static Dataset<Row> rows(int n, int classes) {
    StructField features = TestFeatures.signalNoiseColour();
    StructType schema = new StructType().add(Algorithms.LABEL, DataTypes.DoubleType).add(features);
    Random r = new Random(7);
    List<Row> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double signal = r.nextDouble();
      boolean red = r.nextBoolean();
      double label =
          classes == 2
              ? (signal + (red ? 0.3 : 0) + 0.2 * r.nextGaussian() > 0.65 ? 1 : 0)
              : Math.min(classes - 1, Math.floor(signal * classes));
      out.add(
          RowFactory.create(
              label, Vectors.dense(signal, r.nextDouble(), red ? 1 : 0, red ? 0 : 1)));
    }
    return TestSpark.session().createDataFrame(out, schema);
  }

  private static Map<String, Double> byColumn(PermutationImportance.Result result) {
    return result.byColumn().stream()
        .collect(Collectors.toMap(x -> x.getString(0), x -> x.getDouble(1)));
  }

  @Test
  void theColumnTheLabelFollowsMattersMostAndNoiseNotAtAll() {
    Dataset<Row> train = rows(1500, 2);
    Dataset<Row> validation = rows(400, 2).cache();
    LogisticRegressionModel lr =
        new LogisticRegression()
            .setLabelCol(Algorithms.LABEL)
            .setFeaturesCol(Algorithms.FEATURES)
            .fit(train);
    StructField field = validation.schema().apply(Algorithms.FEATURES);
    PermutationImportance.Result result =
        PermutationImportance.measure(lr, validation, field, true, null, 42);

    assertThat(result.metric()).isEqualTo("areaUnderROC");
    assertThat(result.rows()).isEqualTo(400);
    // the one-hot slots are one column: three columns, not four slots
    Map<String, Double> drop = byColumn(result);
    assertThat(drop.keySet()).containsExactlyInAnyOrder("signal", "noise", "colour");
    assertThat(result.byColumn().get(0).getString(0)).isEqualTo("signal");
    assertThat(drop.get("signal")).isGreaterThan(0.2);
    assertThat(drop.get("colour")).isBetween(0.02, drop.get("signal"));
    assertThat(drop.get("noise")).isCloseTo(0.0, within(0.01));
    // deterministic for a seed
    assertThat(byColumn(PermutationImportance.measure(lr, validation, field, true, null, 42)))
        .isEqualTo(drop);

    // a tree that never splits on noise: shuffling it cannot change a single prediction
    var tree =
        new DecisionTreeClassifier()
            .setLabelCol(Algorithms.LABEL)
            .setFeaturesCol(Algorithms.FEATURES)
            .setMaxDepth(2)
            .fit(train);
    assertThat(tree.featureImportances().apply(1)).isZero();
    assertThat(
            byColumn(PermutationImportance.measure(tree, validation, field, true, null, 42))
                .get("noise"))
        .isZero();
    validation.unpersist();
  }

  @Test
  void multiclassModelsWithoutNativeImportanceAreMeasuredByAccuracy() {
    Dataset<Row> train = rows(1500, 3);
    Dataset<Row> validation = rows(300, 3);
    var nb =
        new NaiveBayes()
            .setLabelCol(Algorithms.LABEL)
            .setFeaturesCol(Algorithms.FEATURES)
            .setModelType("gaussian")
            .fit(train);
    PermutationImportance.Result result =
        PermutationImportance.measure(
            nb, validation, validation.schema().apply(Algorithms.FEATURES), false, null, 1);
    assertThat(result.metric()).isEqualTo("accuracy");
    assertThat(result.byColumn().get(0).getString(0)).isEqualTo("signal");
    assertThat(byColumn(result).get("signal")).isGreaterThan(0.3);
  }

  @Test
  void aucByRanksCountsTiesHalf() {
    // positives at 0.9 and 0.5, negatives at 0.5 and 0.1: pairs 1 + 0.5 + 1 + 1 of 4
    assertThat(
            PermutationImportance.auc(new double[] {0.9, 0.5, 0.5, 0.1}, new double[] {1, 1, 0, 0}))
        .isEqualTo(3.5 / 4);
    assertThat(PermutationImportance.auc(new double[] {0.1, 0.2, 0.3}, new double[] {0, 0, 1}))
        .isEqualTo(1.0);
  }
}
