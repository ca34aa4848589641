package io.lakeml.tune;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.lakeml.model.Algorithms;
import io.lakeml.model.EarlyStoppingXgboost;
import io.lakeml.testing.TestSpark;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.mllib.evaluation.BinaryClassificationMetrics;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import scala.Tuple2;

/**
 * The one-matrix XGBoost cross-validation against fits of the estimator and MLlib's evaluator: for
 * every candidate and fold, a fit on the other folds and the AUC on the held-out one.
 */
class MatrixXgboostTest {
  private static final StructType SCHEMA =
      new StructType()
          .add(Algorithms.LABEL, DataTypes.DoubleType)
          .add(Algorithms.WEIGHT, DataTypes.DoubleType)
          .add(Algorithms.FEATURES, new VectorUDT())
          .add(Search.FOLD, DataTypes.IntegerType);

  /**
   * Rows whose label depends on x0 and x1 jointly, a missing x0 now and then, coarse x2 so that
   * scores tie. x0 and x1 take {@code levels} values (0 for any double): with few, every fold's
   * rows hold all of them, so XGBoost bins a fold's rows as it bins all of them.
   */
  private static Dataset<Row> rows(int n, long seed, int levels) {
    Random r = new Random(seed);
    List<Row> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double x0 =
          i % 13 == 0
              ? Double.NaN
              : levels > 0 ? r.nextInt(levels) / (double) levels : r.nextDouble();
      double x1 = levels > 0 ? r.nextInt(levels) / (double) levels : r.nextDouble();
      double x2 = r.nextInt(4);
      boolean yes = r.nextDouble() < ((x0 > 0.5 && x1 > 0.4) || x2 == 3 ? 0.75 : 0.15);
      out.add(
          RowFactory.create(
              yes ? 1.0 : 0.0,
              0.5 + r.nextInt(3),
              Vectors.dense(x0, x1, x2, 0.0),
              Math.floorMod(Long.hashCode(seed * 31 + i * 7919L), 3)));
    }
    return TestSpark.session().createDataFrame(out, SCHEMA).repartition(3);
  }

  @Test
  void everyCandidateAndFoldMatchesXgboostsSparkEstimatorAndMLlibsEvaluator() {
    // (a fold's fits through EarlyStoppingXgboost, CrossValidator's path, early stopping included;
    // NativeXgboostTest shows it gives the Spark estimator's models). The task fits on all the
    // rows with the held-out ones weighing 0: with 20 values per feature, the bins are the fold's
    // and each fold's model is the estimator's on the fold's rows.
    Dataset<Row> data = rows(900, 11, 20).cache();
    EarlyStoppingXgboost est = (EarlyStoppingXgboost) Algorithms.estimator("xgboost", 42);
    List<ParamMap> maps = new ArrayList<>();
    // two depths × two round counts: two boosters per fold, each scored at 10 and at 40 rounds
    for (String depth : List.of("2", "4")) {
      for (String rounds : List.of("10", "40")) {
        maps.add(
            Algorithms.paramMap(
                est, java.util.Map.of("max_depth", depth, "numRound", rounds, "eta", "0.3")));
      }
    }
    // and early stopping: at most 200 rounds, stopped on a tenth of each fit's rows, as
    // EarlyStoppingXgboost does
    maps.add(
        Algorithms.paramMap(
            est,
            java.util.Map.of(
                "max_depth", "2", "numRound", "200", "numEarlyStoppingRounds", "5", "eta", "0.3")));
    MatrixXgboost.Result r =
        MatrixXgboost.crossValidate(
            data,
            3,
            est,
            maps,
            2,
            data.count(),
            ((org.apache.spark.ml.linalg.Vector) data.select(Algorithms.FEATURES).first().get(0))
                .size());
    assertThat(r.boosters())
        .as("two boosters per fold for the grid, two more for early stopping")
        .isEqualTo(12);
    BinaryClassificationEvaluator eval =
        new BinaryClassificationEvaluator().setLabelCol(Algorithms.LABEL);
    for (int c = 0; c < maps.size(); c++) {
      for (int k = 0; k < 2; k++) { // two of the three folds: the third is built the same way
        Model<?> m =
            XgboostModel.savable(
                (Model<?>) est.fit(data.where(col(Search.FOLD).notEqual(k)), maps.get(c)));
        double mllib = eval.evaluate(m.transform(data.where(col(Search.FOLD).equalTo(k))));
        assertThat(r.foldMetrics()[c][k])
            .as("candidate %d fold %d", c, k)
            .isCloseTo(mllib, within(1e-6));
      }
      assertThat(r.seconds()[c]).isPositive();
    }
    // the task's pick is the best mean (the first on a tie), and its refit from the matrix is the
    // model the estimator fits on all rows
    int best = 0;
    for (int c = 1; c < maps.size(); c++) {
      double m = java.util.Arrays.stream(r.foldMetrics()[c]).average().orElseThrow();
      if (m > java.util.Arrays.stream(r.foldMetrics()[best]).average().orElseThrow()) {
        best = c;
      }
    }
    assertThat(r.best()).isEqualTo(best);
    Model<?> fromTask =
        XgboostModel.savable(
            io.lakeml.model.NativeXgboost.model(est.copy(maps.get(best)).xgboost(), r.refit()));
    Model<?> refitted = XgboostModel.savable((Model<?>) est.fit(data, maps.get(best)));
    assertThat(probabilities(fromTask, data)).containsExactly(probabilities(refitted, data));
    // more rounds at eta 0.3 on 600 rows are not the same model: the path scored each count on its
    // own
    assertThat(r.foldMetrics()[0][0]).isNotEqualTo(r.foldMetrics()[1][0]);
    data.unpersist();
  }

  @Test
  void withMoreValuesThanBinsTheFoldsShareAllRowsBinsAndTheRefitIsStillTheEstimators() {
    // continuous features: XGBoost cuts 256 bins from all 900 rows' values for every fold, where
    // the estimator on a fold cuts them from its 600; the fold AUCs stay close, and the refit,
    // binned with the rows' own weights before any fold's fit, is the estimator's model
    Dataset<Row> data = rows(900, 17, 0).cache();
    EarlyStoppingXgboost est = (EarlyStoppingXgboost) Algorithms.estimator("xgboost", 42);
    List<ParamMap> maps =
        List.of(
            Algorithms.paramMap(
                est, java.util.Map.of("max_depth", "3", "numRound", "30", "eta", "0.3")));
    MatrixXgboost.Result r = MatrixXgboost.crossValidate(data, 3, est, maps, 2, data.count(), 4);
    BinaryClassificationEvaluator eval =
        new BinaryClassificationEvaluator().setLabelCol(Algorithms.LABEL);
    for (int k = 0; k < 3; k++) {
      Model<?> m =
          XgboostModel.savable(
              (Model<?>) est.fit(data.where(col(Search.FOLD).notEqual(k)), maps.get(0)));
      double mllib = eval.evaluate(m.transform(data.where(col(Search.FOLD).equalTo(k))));
      assertThat(r.foldMetrics()[0][k]).as("fold %d", k).isCloseTo(mllib, within(0.02));
    }
    Model<?> fromTask =
        XgboostModel.savable(
            io.lakeml.model.NativeXgboost.model(est.copy(maps.get(0)).xgboost(), r.refit()));
    Model<?> refitted = XgboostModel.savable((Model<?>) est.fit(data, maps.get(0)));
    assertThat(probabilities(fromTask, data)).containsExactly(probabilities(refitted, data));
    data.unpersist();
  }

  @Test
  void twoAlgorithmsInOneTaskGetWhatEachGetsAlone() {
    // boosting with early stopping and XGBoost's forest, from one matrix: every fold's AUC and the
    // refit's model bytes as in a task of their own
    Dataset<Row> data = rows(900, 23, 0).cache();
    EarlyStoppingXgboost boost = (EarlyStoppingXgboost) Algorithms.estimator("xgboost", 42);
    EarlyStoppingXgboost forest =
        (EarlyStoppingXgboost) Algorithms.estimator("xgboost-random-forest", 42);
    List<ParamMap> boosts =
        List.of(
            Algorithms.paramMap(boost, java.util.Map.of("max_depth", "3", "numRound", "20")),
            Algorithms.paramMap(
                boost,
                java.util.Map.of(
                    "max_depth", "2", "numRound", "100", "numEarlyStoppingRounds", "5")));
    List<ParamMap> forests =
        List.of(
            Algorithms.paramMap(
                forest, java.util.Map.of("max_depth", "4", "num_parallel_tree", "20")));
    long n = data.count();
    int width = 4;
    assertThat(MatrixXgboost.canShare(boost, forest)).isTrue();
    assertThat(
            MatrixXgboost.canShare(
                boost, (EarlyStoppingXgboost) Algorithms.estimator("xgboost", 43)))
        .as("another seed holds out other rows for early stopping")
        .isFalse();
    List<MatrixXgboost.Result> together =
        MatrixXgboost.crossValidate(
            data,
            3,
            List.of(new MatrixXgboost.Unit(forest, forests), new MatrixXgboost.Unit(boost, boosts)),
            2,
            n,
            width);
    MatrixXgboost.Result forestAlone =
        MatrixXgboost.crossValidate(data, 3, forest, forests, 2, n, width);
    MatrixXgboost.Result boostAlone =
        MatrixXgboost.crossValidate(data, 3, boost, boosts, 2, n, width);
    assertThat(together).hasSize(2);
    for (int u = 0; u < 2; u++) {
      MatrixXgboost.Result t = together.get(u);
      MatrixXgboost.Result a = u == 0 ? forestAlone : boostAlone;
      for (int c = 0; c < a.foldMetrics().length; c++) {
        assertThat(t.foldMetrics()[c])
            .as("unit %d candidate %d", u, c)
            .containsExactly(a.foldMetrics()[c]);
      }
      assertThat(t.best()).isEqualTo(a.best());
      assertThat(t.boosters()).isEqualTo(a.boosters());
      assertThat(t.refit()).as("unit %d refit", u).isEqualTo(a.refit());
    }
    assertThat(together.get(1).phases().shared()).isTrue();
    assertThat(together.get(1).phases().matrix()).isZero();
    assertThat(together.get(0).phases().matrix()).isPositive();
    data.unpersist();
  }

  @Test
  void aForestDrawsRootKOfTheColumnsThatVaryAndNeverOneThatDoesNot() throws Exception {
    // 4 columns that vary and 12 that are 0 in every row (one-hot slots for unseen categories):
    // ⌊√4⌋ = 2 of the 4 per split. Drawn from all 16 (1/√16 of them, as before), 55 % of the
    // splits would see two constant columns and leave the node a leaf.
    int p = 16;
    Random r = new Random(7);
    List<Row> out = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      double[] x = new double[p];
      for (int j = 0; j < 4; j++) {
        x[j] = r.nextDouble();
      }
      boolean yes = r.nextDouble() < (x[0] + x[1] > 1 ? 0.7 : 0.3);
      out.add(RowFactory.create(yes ? 1.0 : 0.0, 1.0, Vectors.dense(x), i % 3));
    }
    Dataset<Row> data = TestSpark.session().createDataFrame(out, SCHEMA).repartition(2).cache();
    EarlyStoppingXgboost forest =
        (EarlyStoppingXgboost) Algorithms.estimator("xgboost-random-forest", 42);
    List<ParamMap> grid =
        List.of(
            Algorithms.paramMap(
                forest, java.util.Map.of("max_depth", "3", "num_parallel_tree", "10")));
    MatrixXgboost.Result searched = MatrixXgboost.crossValidate(data, 3, forest, grid, 2, 2000, p);
    assertThat(searched.perSplit()).isEqualTo(2.25 / 16);
    ml.dmlc.xgboost4j.scala.spark.XGBoostClassificationModel fitted =
        (ml.dmlc.xgboost4j.scala.spark.XGBoostClassificationModel)
            forest.copy(grid.get(0)).fit(data);
    assertThat(fitted.getOrDefault(fitted.getParam("colsample_bynode"))).isEqualTo(2.25 / 16);
    String[] trees = fitted.nativeBooster().getModelDump((String) null, false, "text");
    assertThat(trees).hasSize(10);
    // a node stays a leaf when its two columns give no split (a small node now and then); one
    // that drew only constant columns would too, which drawing among all 16 makes most nodes
    long splits =
        java.util.Arrays.stream(trees)
            .mapToLong(t -> t.lines().filter(l -> l.contains("[f")).count())
            .sum();
    assertThat(splits).as("splits of 10 depth-3 trees (at most 70)").isGreaterThanOrEqualTo(60);
    for (String tree : trees) {
      assertThat(tree).doesNotContainPattern("\\[f([4-9]|1[0-5])<");
    }
    // the search's refit is the estimator's fit, and so is reproduce's
    assertThat(
            io.lakeml.model.NativeXgboost.model(
                    forest.copy(grid.get(0)).xgboost(), searched.refit())
                .nativeBooster()
                .getModelDump((String) null, false, "text"))
        .containsExactly(trees);
    // a grid that sets the fraction keeps it, drawn among the columns that vary
    List<ParamMap> set =
        List.of(
            Algorithms.paramMap(
                forest,
                java.util.Map.of(
                    "max_depth", "3", "num_parallel_tree", "10", "colsample_bynode", "0.5")));
    assertThat(MatrixXgboost.crossValidate(data, 3, forest, set, 2, 2000, p).perSplit()).isNaN();
    data.unpersist();
  }

  @Test
  void theFractionPerSplitDrawsTheFloorOfRootKForEveryWidth() {
    // XGBoost draws (int) (fraction × p) columns, in float arithmetic
    for (int p = 1; p <= 3000; p++) {
      for (int k : new int[] {1, Math.max(1, p / 3), Math.max(1, p - 5), p}) {
        float fraction = (float) io.lakeml.model.NativeXgboost.perSplitFraction(k, p);
        int drawn = Math.max(1, (int) (fraction * p));
        assertThat(drawn).as("k %d of p %d", k, p).isEqualTo((int) Math.floor(Math.sqrt(k)));
      }
    }
  }

  /** Each row's positive-class probability, in the order of the cached rows. */
  private static double[] probabilities(Model<?> m, Dataset<Row> data) {
    // bounded: a test's 900 rows
    return m.transform(data).select("probability").collectAsList().stream()
        .mapToDouble(row -> ((org.apache.spark.ml.linalg.Vector) row.get(0)).apply(1))
        .toArray();
  }

  @Test
  void theExactAucCountsTiesHalfLikeMLlibsUnbinnedMetrics() {
    Random r = new Random(5);
    int n = 500;
    float[] truth = new float[n];
    float[] p = new float[n];
    List<Tuple2<Object, Object>> pairs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      truth[i] = r.nextDouble() < 0.3 ? 1f : 0f;
      p[i] = Math.round((r.nextDouble() + truth[i] * 0.3) * 20) / 20f; // coarse scores: many ties
      pairs.add(new Tuple2<>((double) p[i], (double) truth[i]));
    }
    double mllib =
        new BinaryClassificationMetrics(
                TestSpark.session()
                    .sparkContext()
                    .parallelize(
                        scala.jdk.javaapi.CollectionConverters.asScala(pairs).toSeq(),
                        2,
                        scala.reflect.ClassTag$.MODULE$.apply(Tuple2.class)),
                0)
            .areaUnderROC();
    assertThat(MatrixXgboost.auc(truth, p)).isCloseTo(mllib, within(1e-12));
    assertThat(MatrixXgboost.auc(new float[] {1, 1}, new float[] {0.2f, 0.9f})).isNaN();
    // a positive at -0.0 and a negative at 0.0 tie, as in MLlib (and in PermutationImportance)
    assertThat(MatrixXgboost.auc(new float[] {1, 0}, new float[] {-0f, 0f})).isEqualTo(0.5);
    // against every (positive, negative) pair counted by hand, with negative scores and ties
    int m = 300;
    float[] t = new float[m];
    float[] q = new float[m];
    for (int i = 0; i < m; i++) {
      t[i] = r.nextDouble() < 0.4 ? 1f : 0f;
      q[i] = (float) Math.round((r.nextGaussian() + t[i]) * 4) / 4f - 1f;
    }
    double wins = 0;
    double counted = 0;
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < m; j++) {
        if (t[i] == 1f && t[j] == 0f) {
          counted++;
          wins += q[i] > q[j] ? 1 : q[i] == q[j] ? 0.5 : 0;
        }
      }
    }
    assertThat(MatrixXgboost.auc(t, q)).isCloseTo(wins / counted, within(1e-12));
  }
}
