package io.lakeml.tune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.lakeml.model.Algorithms;
import io.lakeml.testing.TestSpark;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * The shared-pass cross-validation against MLlib itself: for every candidate and fold, MLlib's
 * {@link LogisticRegression} fitted on the other folds and its evaluator on the held-out one.
 */
// Alone, not beside another class (junit-platform.properties): it checks that the fits leave no
// block of the application persisted, and another class's cached rows would be counted
@org.junit.jupiter.api.parallel.Isolated
class SharedPassLogisticTest {
  private static final StructType SCHEMA =
      new StructType()
          .add(Algorithms.LABEL, DataTypes.DoubleType)
          .add(Algorithms.WEIGHT, DataTypes.DoubleType)
          .add(Algorithms.FEATURES, new VectorUDT())
          .add(Search.FOLD, DataTypes.IntegerType);

  /**
   * Rows whose label follows a logistic model of 5 features on different scales (one constant, so
   * its standard deviation is 0); with {@code sparse}, every other row's vector is sparse with
   * zeros; without, values are coarse so that scores tie (tied scores count half in the AUC).
   */
  private static Dataset<Row> rows(int n, boolean sparse, boolean weighted, long seed) {
    Random r = new Random(seed);
    List<Row> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double[] x = {
        r.nextDouble(), r.nextInt(2), r.nextGaussian() * 10, 0.5, r.nextDouble() < 0.2 ? 1 : 0
      };
      if (!sparse) { // coarse values: many rows share a feature vector, so many scores tie
        x[0] = Math.round(x[0] * 4) / 4.0;
        x[2] = Math.round(x[2] / 5);
      }
      double m = -0.4 + 2 * x[0] - 1.2 * x[1] + 0.08 * x[2] + 0.9 * x[4];
      double label = r.nextDouble() < 1 / (1 + Math.exp(-m)) ? 1 : 0;
      double weight = weighted ? 0.5 + r.nextInt(3) : 1.0;
      var v = sparse && i % 2 == 0 ? Vectors.dense(x).toSparse() : Vectors.dense(x);
      out.add(
          RowFactory.create(
              label, weight, v, Math.floorMod(Long.hashCode(seed * 31 + i * 7919L), 3)));
    }
    return TestSpark.session().createDataFrame(out, SCHEMA).repartition(3);
  }

  private static List<ParamMap> grid(LogisticRegression lr, double... regParams) {
    List<ParamMap> maps = new ArrayList<>();
    for (double reg : regParams) {
      maps.add(
          new ParamMap().put(lr.regParam().w(reg)).put(lr.tol().w(1e-9)).put(lr.maxIter().w(200)));
    }
    return maps;
  }

  private static java.util.Set<Object> persistedIds(SparkSession spark) {
    return new java.util.HashSet<>(
        scala.jdk.javaapi.CollectionConverters.asJava(
            spark.sparkContext().getPersistentRDDs().keySet()));
  }

  @Test
  void everyFoldAndCandidateMatchesMLlibsOwnFitAndEvaluator() {
    SparkSession spark = TestSpark.session();
    for (boolean sparse : new boolean[] {false, true}) {
      Dataset<Row> data = rows(3000, sparse, sparse, sparse ? 11 : 7).cache();
      data.count();
      LogisticRegression lr = (LogisticRegression) Algorithms.estimator("logistic-regression", 0);
      // all four candidates on the sparse, weighted rows; two on the dense ones (18 MLlib fits in
      // all)
      List<ParamMap> maps = sparse ? grid(lr, 0.0, 0.001, 0.05, 0.5) : grid(lr, 0.001, 0.5);
      List<Integer> served = new ArrayList<>();
      java.util.Set<Object> persisted = persistedIds(spark);
      // sparse: blocks of 300 rows, several per partition (3000 rows in 3 partitions)
      SharedPassLogistic.Result result =
          SharedPassLogistic.crossValidate(
              data,
              3,
              lr,
              maps,
              (pass, optimizers) -> served.add(optimizers),
              sparse ? 300 : SharedPassLogistic.Block.ROWS);
      // (other test classes' cached data may be cleaned up meanwhile, so: nothing new, rather than
      // the same count)
      assertThat(persisted).as("the blocks are unpersisted").containsAll(persistedIds(spark));
      BinaryClassificationEvaluator exact =
          new BinaryClassificationEvaluator().setLabelCol(Algorithms.LABEL).setNumBins(0);
      for (int j = 0; j < maps.size(); j++) {
        for (int f = 0; f < 3; f++) {
          Dataset<Row> train = data.where(Search.FOLD + " <> " + f);
          Dataset<Row> held = data.where(Search.FOLD + " = " + f);
          LogisticRegressionModel m = lr.fit(train, maps.get(j));
          double auc = exact.evaluate(m.transform(held));
          String what = (sparse ? "sparse, weighted" : "dense") + " candidate " + j + " fold " + f;
          assertThat(result.foldMetrics()[j][f]).as(what).isCloseTo(auc, within(1e-6));
          double[] mine = result.coefficients()[f][j];
          double[] theirs = m.coefficients().toArray();
          for (int k = 0; k < theirs.length; k++) {
            assertThat(mine[k])
                .as(what + " coefficient " + k)
                .isCloseTo(theirs[k], within(1e-4 * Math.max(1, Math.abs(theirs[k]))));
          }
          assertThat(mine[theirs.length])
              .as(what + " intercept")
              .isCloseTo(m.intercept(), within(1e-4 * Math.max(1, Math.abs(m.intercept()))));
        }
      }
      // the constant feature stays out of the model, as in MLlib
      assertThat(result.coefficients()[0][1][3]).isZero();
      assertThat(java.util.Arrays.stream(result.iterations()).boxed().toList())
          .allSatisfy(it -> assertThat(it).isBetween(3, 3 * 200));
      // every pass served several optimizers at once; far fewer passes than fits × iterations
      assertThat(served.get(0)).isEqualTo(3 * maps.size());
      int iterations = java.util.Arrays.stream(result.iterations()).sum();
      assertThat(iterations).isGreaterThan(12);
      assertThat(result.passes()).isEqualTo(served.size()).isLessThan(iterations);
      data.unpersist();
    }
  }
}
