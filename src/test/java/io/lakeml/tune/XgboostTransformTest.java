package io.lakeml.tune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakeml.model.Algorithms;
import io.lakeml.model.EarlyStoppingXgboost;
import io.lakeml.testing.TestSpark;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import ml.dmlc.xgboost4j.scala.spark.XGBoostClassificationModel;
import ml.dmlc.xgboost4j.scala.spark.XGBoostClassifier;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * {@link XgboostModel#transform} scores in its own batches; every row's margins, probabilities and
 * decision must be those of XGBoost4J-Spark's transform on the same rows made dense, for sparse and
 * dense vectors, missing values, two and three classes, with and without thresholds, in batches of
 * any size.
 */
class XgboostTransformTest {
  private static final StructType SCHEMA =
      new StructType()
          .add("id", DataTypes.IntegerType)
          .add("note", DataTypes.StringType)
          .add(Algorithms.LABEL, DataTypes.DoubleType)
          .add(Algorithms.WEIGHT, DataTypes.DoubleType)
          .add(Algorithms.FEATURES, SQLDataTypes.VectorType());

  private static Dataset<Row> rows(int n, int classes) {
    Random r = new Random(11);
    List<Row> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double x0 = i % 13 == 0 ? Double.NaN : r.nextDouble();
      double x1 = r.nextDouble();
      double x2 = i % 4 == 0 ? 1.0 : 0.0; // mostly zero, as a one-hot slot
      double x3 = r.nextInt(3);
      double label = r.nextDouble() < (x1 > 0.5 ? 0.7 : 0.25) + (x2 > 0 ? 0.2 : 0) ? 1.0 : 0.0;
      if (classes > 2 && x3 == 2) {
        label = 2.0;
      }
      Vector v = Vectors.dense(x0, x1, x2, x3);
      out.add(RowFactory.create(i, "row " + i, label, 1.0, i % 2 == 0 ? v.toSparse() : v));
    }
    return TestSpark.session().createDataFrame(out, SCHEMA).repartition(2);
  }

  private static XgboostModel fit(Dataset<Row> data) {
    EarlyStoppingXgboost est = (EarlyStoppingXgboost) Algorithms.estimator("xgboost", 42);
    XGBoostClassifier x =
        est.copy(Algorithms.paramMap(est, Map.of("max_depth", "3", "numRound", "20")))
            .xgboost(data);
    x.setFeaturesCol(Algorithms.FEATURES);
    x.setLabelCol(Algorithms.LABEL);
    return (XgboostModel) XgboostModel.savable(x.fit(data));
  }

  /** XGBoost's own transform, on dense copies of the vectors (as it was trained). */
  private static List<Row> reference(XGBoostClassificationModel xgb, Dataset<Row> data) {
    org.apache.spark.sql.api.java.UDF1<Vector, Vector> dense = Vector::toDense;
    Dataset<Row> denseRows =
        data.withColumn(
            Algorithms.FEATURES,
            org.apache
                .spark
                .sql
                .functions
                .udf(dense, SQLDataTypes.VectorType())
                .apply(org.apache.spark.sql.functions.col(Algorithms.FEATURES)));
    return xgb.transform(denseRows)
        .select("id", "rawPrediction", "probability", "prediction")
        .orderBy("id")
        .collectAsList();
  }

  private static List<Row> ours(XgboostModel m, Dataset<Row> data) {
    Dataset<Row> scored = m.transform(data);
    assertThat(scored.columns())
        .containsExactly(
            "id",
            "note",
            Algorithms.LABEL,
            Algorithms.WEIGHT,
            Algorithms.FEATURES,
            "rawPrediction",
            "probability",
            "prediction");
    return scored
        .select("id", "rawPrediction", "probability", "prediction")
        .orderBy("id")
        .collectAsList();
  }

  @Test
  void twoClassesScoreAsXgboostsOwnTransformWithAndWithoutThresholds() {
    Dataset<Row> data = rows(700, 2).cache();
    XgboostModel m = fit(data);
    List<Row> expected = reference(m.xgboost(), data);
    assertThat(ours(m, data)).containsExactlyElementsOf(expected);
    assertThat(expected.stream().map(r -> r.getDouble(3)).distinct().count()).isEqualTo(2);

    // a chosen threshold: MLlib's rule on the same probabilities, as XGBoost applies it
    double[] thresholds = {0.8, 0.2};
    m.set(m.thresholds(), thresholds);
    m.xgboost().set(m.xgboost().thresholds(), thresholds);
    List<Row> withThresholds = reference(m.xgboost(), data);
    assertThat(ours(m, data)).containsExactlyElementsOf(withThresholds);
    assertThat(withThresholds).isNotEqualTo(expected);
    data.unpersist();
  }

  @Test
  void batchesOfAFewRowsEndingMidBatchGiveTheSameRows() {
    Dataset<Row> data = rows(150, 2).orderBy("id").cache();
    XgboostModel m = fit(data);
    List<Row> expected = reference(m.xgboost(), data);
    // 150 rows in batches of 64: two whole batches and one of 22, the buffers reused
    XgboostModel.Batches batches = m.batches(TestSpark.session(), data.schema(), 64);
    java.util.Iterator<Row> scored = batches.score(data.collectAsList().iterator());
    List<Row> got = new ArrayList<>();
    while (scored.hasNext()) {
      Row r = scored.next();
      got.add(RowFactory.create(r.get(0), r.get(5), r.get(6), r.get(7)));
    }
    assertThat(got).containsExactlyElementsOf(expected);
    assertThat(scored.hasNext()).isFalse();
    data.unpersist();
  }

  @Test
  void threeClassesScoreAsXgboostsOwnTransform() {
    Dataset<Row> data = rows(500, 3).cache();
    XgboostModel m = fit(data);
    assertThat(m.numClasses()).isEqualTo(3);
    assertThat(ours(m, data)).containsExactlyElementsOf(reference(m.xgboost(), data));
    data.unpersist();
  }

  @Test
  void aVectorOfAnotherWidthIsRefusedWithTheReason() {
    Dataset<Row> data = rows(200, 2).cache();
    XgboostModel m = fit(data);
    Dataset<Row> narrow =
        TestSpark.session()
            .createDataFrame(
                List.of(RowFactory.create(1, "x", 0.0, 1.0, Vectors.dense(0.1, 0.2))), SCHEMA);
    assertThatThrownBy(() -> m.transform(narrow).collectAsList())
        .hasStackTraceContaining("feature vector has 2 slots, the XGBoost model was trained on 4");
    data.unpersist();
  }
}
