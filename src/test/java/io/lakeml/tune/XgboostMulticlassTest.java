package io.lakeml.tune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.lakeml.model.Algorithms;
import io.lakeml.model.PermutationImportance;
import io.lakeml.testing.TestFeatures;
import io.lakeml.testing.TestSpark;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * XGBoost on three classes: the batch probabilities that permutation importance scores shuffles
 * with are the model's own single-row ones, and the multiclass measure (accuracy of the most
 * probable class) finds the column the label follows.
 */
class XgboostMulticlassTest {
  /**
   * Slots: signal (the class is its tercile), noise, and a two-slot one-hot column the label
   * ignores.
   */
  private static Dataset<Row> rows(int n, long seed) {
    StructField features = TestFeatures.signalNoiseColour();
    StructType schema =
        new StructType()
            .add(Algorithms.LABEL, DataTypes.DoubleType)
            .add(Algorithms.WEIGHT, DataTypes.DoubleType)
            .add(features);
    Random r = new Random(seed);
    List<Row> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double signal = r.nextDouble();
      boolean red = r.nextBoolean();
      out.add(
          RowFactory.create(
              Math.min(2, Math.floor(signal * 3)),
              1.0,
              Vectors.dense(signal, r.nextDouble(), red ? 1 : 0, red ? 0 : 1)));
    }
    return TestSpark.session().createDataFrame(out, schema);
  }

  @Test
  void batchProbabilitiesAreTheSingleRowOnesAndPermutationFindsTheSignalByAccuracy() {
    Estimator<?> xgb = Algorithms.estimator("xgboost", 11);
    ParamMap params =
        new ParamMap().put(xgb.getParam("numRound"), 20).put(xgb.getParam("max_depth"), 3);
    XgboostModel model =
        (XgboostModel) XgboostModel.savable((Model<?>) xgb.fit(rows(900, 1), params));
    assertThat(model.numClasses()).isEqualTo(3);

    Dataset<Row> validation = rows(300, 2).cache();
    List<Row> local = validation.limit(200).collectAsList();
    double[][] x = new double[local.size()][];
    for (int i = 0; i < x.length; i++) {
      x[i] = ((Vector) local.get(i).getAs(Algorithms.FEATURES)).toArray();
    }
    double[][] batch = model.probabilities(x);
    int right = 0;
    for (int i = 0; i < x.length; i++) {
      Vector one = model.predictProbability(Vectors.dense(x[i]));
      assertThat(batch[i]).as("row %d", i).hasSize(3).containsExactly(one.toArray(), within(1e-12));
      assertThat((double) one.argmax()).isEqualTo(model.predict(Vectors.dense(x[i])));
      right += one.argmax() == local.get(i).<Double>getAs(Algorithms.LABEL) ? 1 : 0;
    }
    assertThat(right / (double) x.length).as("accuracy on the validation rows").isGreaterThan(0.9);

    PermutationImportance.Result result =
        PermutationImportance.measure(
            model, validation, validation.schema().apply(Algorithms.FEATURES), false, null, 1);
    assertThat(result.metric()).isEqualTo("accuracy");
    Map<String, Double> drop =
        result.byColumn().stream()
            .collect(Collectors.toMap(r -> r.getString(0), r -> r.getDouble(1)));
    assertThat(drop.keySet()).containsExactlyInAnyOrder("signal", "noise", "colour");
    assertThat(result.byColumn().get(0).getString(0)).isEqualTo("signal");
    assertThat(drop.get("signal")).isGreaterThan(0.4);
    assertThat(drop.get("colour")).isCloseTo(0.0, within(0.02));
    assertThat(drop.get("noise")).isCloseTo(0.0, within(0.03));
    validation.unpersist();
  }
}
