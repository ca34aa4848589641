package io.lakeml.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakeml.testing.TestSpark;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import ml.dmlc.xgboost4j.scala.spark.XGBoostClassificationModel;
import ml.dmlc.xgboost4j.scala.spark.XGBoostClassifier;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * XGBoost fitted in one task from one matrix gives the model XGBoost's Spark estimator gives: the
 * same probabilities for every row (weights, missing values, zeros, early stopping), whatever the
 * thread count; and it leaves labels it does not handle to the estimator.
 */
class NativeXgboostTest {
  private static final StructType SCHEMA =
      new StructType()
          .add(Algorithms.LABEL, DataTypes.DoubleType)
          .add(Algorithms.WEIGHT, DataTypes.DoubleType)
          .add(Algorithms.FEATURES, SQLDataTypes.VectorType())
          .add(Algorithms.ROW_UNIFORM, DataTypes.DoubleType);

  private static final int N = 800;

  /** Feature values row by row (NaN missing), as the test predicts on them. */
  private static final float[] VALUES = new float[N * 4];

  private static Dataset<Row> rows(int classes) {
    Random r = new Random(3);
    List<Row> out = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      double x0 = i % 11 == 0 ? Double.NaN : r.nextDouble();
      double x1 = r.nextDouble();
      double x2 = r.nextInt(3);
      double x3 = i % 5 == 0 ? 1.0 : 0.0; // mostly zeros: a one-hot column
      double p = (x1 > 0.5 ? 0.6 : 0.2) + (x3 > 0 ? 0.2 : 0) - (x2 == 2 ? 0.1 : 0);
      double label = r.nextDouble() < p ? 1.0 : 0.0;
      if (classes > 2 && x2 == 1) {
        label = 2.0;
      }
      double[] x = {x0, x1, x2, x3};
      for (int j = 0; j < 4; j++) {
        VALUES[i * 4 + j] = (float) x[j];
      }
      out.add(
          RowFactory.create(
              label,
              0.5 + (i % 3),
              i % 2 == 0 ? Vectors.dense(x).toSparse() : Vectors.dense(x),
              (i * 7919L % 10_007) / 10_007.0));
    }
    return TestSpark.session().createDataFrame(out, SCHEMA).repartition(3);
  }

  private static XGBoostClassifier xgboost(Map<String, String> grid, boolean weighted) {
    EarlyStoppingXgboost est = (EarlyStoppingXgboost) Algorithms.estimator("xgboost", 42);
    ParamMap m = Algorithms.paramMap(est, grid);
    XGBoostClassifier x = est.copy(m).xgboost();
    x.setFeaturesCol(Algorithms.FEATURES);
    x.setLabelCol(Algorithms.LABEL);
    if (weighted) {
      x.setWeightCol(Algorithms.WEIGHT);
    }
    return x;
  }

  private static float[] probabilities(XGBoostClassificationModel m) throws Exception {
    ml.dmlc.xgboost4j.scala.DMatrix d =
        new ml.dmlc.xgboost4j.scala.DMatrix(VALUES.clone(), N, 4, Float.NaN);
    float[][] p = m.nativeBooster().predict(d, false, 0);
    float[] out = new float[N];
    for (int i = 0; i < N; i++) {
      out[i] = p[i][0];
    }
    d.delete();
    return out;
  }

  @Test
  void theSameModelAsXgboostsSparkEstimatorWithWeightsMissingValuesAndSparseVectors()
      throws Exception {
    Dataset<Row> data = rows(2).cache();
    XGBoostClassifier x = xgboost(Map.of("max_depth", "3", "numRound", "25", "eta", "0.3"), true);
    XGBoostClassificationModel spark = x.fit(data);
    XGBoostClassificationModel one = NativeXgboost.fit(x, data, null, 1).orElseThrow();
    XGBoostClassificationModel two = NativeXgboost.fit(x, data, null, 2).orElseThrow();
    float[] expected = probabilities(spark);
    assertThat(probabilities(one)).containsExactly(expected);
    assertThat(probabilities(two)).containsExactly(expected);
    assertThat(two.nativeBooster().getNumBoostedRound()).isEqualTo(25);
    // the estimator's parameters are on the model, as Estimator.fit leaves them
    assertThat(two.uid()).isEqualTo(x.uid());
    assertThat(two.getFeaturesCol()).isEqualTo(Algorithms.FEATURES);
    assertThat(two.getOrDefault(two.getParam("weightCol"))).isEqualTo(Algorithms.WEIGHT);
    assertThat(two.parent()).isSameAs(x);
    data.unpersist();
  }

  @Test
  void earlyStoppingPicksTheSameRoundsAsTheEstimatorsEvalDataset() throws Exception {
    Dataset<Row> data = rows(2).cache();
    XGBoostClassifier x =
        xgboost(
            Map.of(
                "max_depth", "2", "numRound", "300", "numEarlyStoppingRounds", "5", "eta", "0.3"),
            false);
    // what EarlyStoppingXgboost did with the estimator alone: stop on the held-out tenth, refit all
    var held =
        EarlyStoppingXgboost.heldOut(data, x.getSeed(), Algorithms.FEATURES, Algorithms.LABEL);
    XGBoostClassifier probe = (XGBoostClassifier) x.copy(ParamMap.empty());
    probe.setEvalDataset(data.where(held));
    int rounds =
        Integer.parseInt(
                probe
                    .fit(data.where(org.apache.spark.sql.functions.not(held)))
                    .nativeBooster()
                    .getAttr("best_iteration"))
            + 1;
    XGBoostClassificationModel spark =
        ((XGBoostClassifier)
                x.copy(new ParamMap().put(x.numRound(), rounds).put(x.numEarlyStoppingRounds(), 0)))
            .fit(data);
    XGBoostClassificationModel one = NativeXgboost.fit(x, data, held, 2).orElseThrow();
    assertThat(rounds).isBetween(2, 299);
    assertThat(one.nativeBooster().getNumBoostedRound()).isEqualTo(rounds);
    assertThat(probabilities(one)).containsExactly(probabilities(spark));
    // and EarlyStoppingXgboost itself now fits this way
    EarlyStoppingXgboost est = new EarlyStoppingXgboost(x);
    assertThat(probabilities(est.fit(data))).containsExactly(probabilities(spark));
    data.unpersist();
  }

  @Test
  void aMulticlassLabelIsLeftToTheEstimator() {
    Dataset<Row> data = rows(3);
    XGBoostClassifier x = xgboost(Map.of("max_depth", "2", "numRound", "5"), false);
    assertThat(NativeXgboost.fit(x, data, null, 2)).isEmpty();
  }

  @Test
  void aForestTriesOneOverRootPFeaturesPerSplitUnlessItsGridSaysOtherwise() {
    Dataset<Row> data = rows(2);
    EarlyStoppingXgboost forest =
        (EarlyStoppingXgboost) Algorithms.estimator("xgboost-random-forest", 42);
    // no ML attributes on these vectors: p (4) from the first row
    assertThat(forest.xgboost(data).getOrDefault(forest.getParam("colsample_bynode")))
        .isEqualTo(0.5);
    // gold's vectors carry their size: 9 slots
    Dataset<Row> described =
        data.withColumn(
            Algorithms.FEATURES,
            data.col(Algorithms.FEATURES)
                .as(
                    Algorithms.FEATURES,
                    new org.apache.spark.ml.attribute.AttributeGroup(Algorithms.FEATURES, 9)
                        .toMetadata()));
    assertThat(forest.xgboost(described).getOrDefault(forest.getParam("colsample_bynode")))
        .isEqualTo(1.0 / 3);
    // the grid's value wins, and the recipe's other values stay
    XGBoostClassifier set =
        forest
            .copy(Algorithms.paramMap(forest, Map.of("colsample_bynode", "0.8")))
            .xgboost(described);
    assertThat(set.getOrDefault(set.getParam("colsample_bynode"))).isEqualTo(0.8);
    assertThat(set.getOrDefault(set.getParam("subsample"))).isEqualTo(0.632);
    assertThat(set.getNumRound()).isEqualTo(1);
    // boosting is not a forest: XGBoost's own default, every feature
    EarlyStoppingXgboost boosted = (EarlyStoppingXgboost) Algorithms.estimator("xgboost", 42);
    assertThat(boosted.xgboost(described).isSet(boosted.getParam("colsample_bynode"))).isFalse();
  }

  @Test
  void aMatrixOfSeveralMillionValuesReachesXgboostValueForValue() throws Exception {
    // 1.2M values: the reader's chunks are 2^20 floats, so rows (sparse ones too) straddle a chunk
    int n = 300_000;
    float[] values = new float[n * 4];
    float[] labels = new float[n];
    List<Row> out = new ArrayList<>();
    Random r = new Random(5);
    for (int i = 0; i < n; i++) {
      double[] x = {
        i % 13 == 0 ? Double.NaN : r.nextDouble(), r.nextInt(4), i % 3 == 0 ? 1 : 0, r.nextDouble()
      };
      for (int j = 0; j < 4; j++) {
        values[i * 4 + j] = (float) x[j];
      }
      labels[i] = r.nextDouble() < (x[1] > 1 ? 0.7 : 0.3) ? 1f : 0f;
      out.add(
          RowFactory.create(
              (double) labels[i],
              1.0,
              i % 2 == 0 ? Vectors.dense(x).toSparse() : Vectors.dense(x),
              0.5));
    }
    Dataset<Row> data = TestSpark.session().createDataFrame(out, SCHEMA);
    XGBoostClassifier x = xgboost(Map.of("max_depth", "3", "numRound", "5"), false);
    XGBoostClassificationModel read = NativeXgboost.fit(x, data, null, 2).orElseThrow();
    // the same booster from the values handed to XGBoost as one array
    Map<String, Object> params =
        new java.util.HashMap<>(
            scala.jdk.javaapi.CollectionConverters.asJava(x.getXGBoostParams()));
    params.putIfAbsent("objective", "binary:logistic");
    params.put("nthread", 2);
    ml.dmlc.xgboost4j.java.DMatrix whole =
        new ml.dmlc.xgboost4j.java.DMatrix(values, n, 4, Float.NaN);
    whole.setLabel(labels);
    float[] ones = new float[n];
    java.util.Arrays.fill(ones, 1f);
    whole.setWeight(ones);
    ml.dmlc.xgboost4j.java.Booster direct =
        ml.dmlc.xgboost4j.java.XGBoost.train(whole, params, 5, Map.of(), null, null);
    float[][] expected = direct.predict(whole);
    float[][] actual =
        read.nativeBooster().predict(new ml.dmlc.xgboost4j.scala.DMatrix(whole), false, 0);
    assertThat(actual.length).isEqualTo(n);
    assertThat(actual).isDeepEqualTo(expected);
    direct.dispose();
    whole.dispose();
  }

  @Test
  void countedRowsGoStraightToNativeMemoryAndOtherRowsThanCountedAreAnError() throws Exception {
    Dataset<Row> data = rows(2);
    List<org.apache.spark.sql.catalyst.InternalRow> internal =
        NativeXgboost.Rows.internal(
                data.select(
                    data.col(Algorithms.LABEL),
                    data.col(Algorithms.WEIGHT),
                    data.col(Algorithms.FEATURES),
                    org.apache.spark.sql.functions.lit(false)))
            .map(r -> r.copy())
            .collect();
    NativeXgboost.Rows read = NativeXgboost.Rows.read(internal.iterator(), 0, 1, 2, -1, 3, N, 4);
    ml.dmlc.xgboost4j.java.DMatrix m = read.matrix();
    assertThat(m.rowNum()).isEqualTo(N);
    // the same non-missing values as the chunked read of the same rows
    ml.dmlc.xgboost4j.java.DMatrix chunked =
        NativeXgboost.Rows.read(internal.iterator(), 0, 1, 2, -1, 3).matrix();
    assertThat(m.nonMissingNum()).isEqualTo(chunked.nonMissingNum()).isLessThan(N * 4L);
    assertThat(m.getLabel()).containsExactly(chunked.getLabel());
    m.dispose();
    chunked.dispose();
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> NativeXgboost.Rows.read(internal.iterator(), 0, 1, 2, -1, 3, N + 1, 4))
        .hasMessageContaining("the rows changed between counting and reading: 801 rows");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> NativeXgboost.Rows.read(internal.iterator(), 0, 1, 2, -1, 3, N - 1, 4))
        .hasMessageContaining("more than " + (N - 1) * 4 + " values");
  }
}
