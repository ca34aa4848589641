package io.lakeml.tune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.lakeml.testing.TestProject;
import io.lakeml.testing.TestSpark;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * XGBoost as a tune algorithm, end to end: trained in the search, its threshold chosen on
 * validation, saved inside the version's PipelineModel and loaded back from disk (which XGBoost's
 * own writer cannot do on Spark 4.1), scored, and reproduced from the recorded table versions.
 */
class XgboostTest {
  private static final String CONF =
      """
      dataset {
        source { format = csv, mode = snapshot }
        schema = [ { name = id, type = int }, { name = x, type = double }, { name = z, type = double }, { name = grp, type = string }, { name = c, type = string }, { name = y, type = string } ]
        key = [id]
        label { column = y, positive = "yes" }
        features { numeric = [x, z], categorical = [grp, c] }
        sensitive = [ { column = grp, privileged = ["a"] } ]
        tune {
          folds = 2
          threshold = base-rate
          algorithms = [ { type = xgboost, grid { numRound = [10, 30], max_depth = [3] } } ]
        }
      }
      """;

  /**
   * A rare positive class (about 20 %) that depends on x and z jointly, some x missing; c is noise
   * with eight values, so most feature vectors are sparse (XGBoost 3.1.1 predicts those wrongly by
   * itself).
   */
  private static String rows(int n, long seed) {
    java.util.Random r = new java.util.Random(seed);
    StringBuilder sb = new StringBuilder("id,x,z,grp,c,y\n");
    for (int i = 0; i < n; i++) {
      double x = Math.round(r.nextDouble() * 1000) / 1000.0;
      double z = Math.round(r.nextDouble() * 1000) / 1000.0;
      String grp = r.nextDouble() < 0.4 ? "b" : "a";
      boolean yes = r.nextDouble() < (x > 0.6 && z > 0.5 ? 0.7 : 0.04);
      sb.append(i)
          .append(',')
          .append(i % 17 == 0 ? "" : String.valueOf(x))
          .append(',')
          .append(z)
          .append(',')
          .append(grp)
          .append(',')
          .append("c")
          .append(r.nextInt(8))
          .append(',')
          .append(yes ? "yes" : "no")
          .append('\n');
    }
    return sb.toString();
  }

  @Test
  @SuppressWarnings("unchecked")
  void xgboostTrainsSavesLoadsScoresAndReproduces() {
    TestProject p = TestProject.create("xgboost").dataset("boost", CONF);
    p.land("boost", "rows.csv", rows(900, 5));
    TestProject.Result night =
        p.run("nightly", "--dataset", "boost", "--run-date", "2026-11-20").expectExit(0);
    assertThat(night.summary()).containsEntry("status", "SUCCEEDED");

    Map<String, Object> v1 =
        p.sql(
                "SELECT algorithm, params, path, gold_version, threshold, cv_metric, validation_metrics, test_metrics, importance_kind, "
                    + "column_importance FROM _system.models WHERE dataset = 'boost' AND version = 1")
            .get(0);
    assertThat(v1)
        .containsEntry("algorithm", "xgboost")
        .containsEntry("importance_kind", "importance");
    assertThat((String) v1.get("params")).contains("numRound").contains("max_depth");
    // the model learned the rule: x and z jointly separate most rows
    assertThat(((Number) v1.get("cv_metric")).doubleValue()).isGreaterThan(0.75);
    assertThat(
            ((Map<String, Number>) v1.get("validation_metrics")).get("areaUnderROC").doubleValue())
        .isGreaterThan(0.75);
    double threshold = ((Number) v1.get("threshold")).doubleValue();
    assertThat(threshold).as("base-rate threshold of a rare class").isBetween(0.01, 0.49);
    // gain importances by the dataset's own columns: x and z carry the signal
    List<Map<String, Object>> byColumn = (List<Map<String, Object>>) v1.get("column_importance");
    assertThat(byColumn.subList(0, 2))
        .extracting(m -> m.get("feature"))
        .containsExactlyInAnyOrder("x", "z");

    // the saved version, read from disk (not this JVM's memory), scores the test split as
    // registered
    SparkSession spark = TestSpark.session();
    PipelineModel loaded = PipelineModel.load((String) v1.get("path"));
    Transformer model = loaded.stages()[1];
    assertThat(model).isInstanceOf(XgboostModel.class);
    Dataset<Row> gold =
        spark
            .read()
            .format("delta")
            .option("versionAsOf", ((Number) v1.get("gold_version")).longValue())
            .load(p.lake().resolve("gold/boost").toString())
            .where("split = 'test'");
    Dataset<Row> scored = model.transform(gold).cache();
    Map<String, Number> test = (Map<String, Number>) v1.get("test_metrics");
    assertThat(new BinaryClassificationEvaluator().setLabelCol("label").evaluate(scored))
        .isCloseTo(test.get("areaUnderROC").doubleValue(), within(1e-12));
    // the chosen threshold decides: positive exactly when the positive class's probability exceeds
    // it
    long disagreeing =
        scored
            .where(
                org.apache
                    .spark
                    .ml
                    .functions
                    .vector_to_array(org.apache.spark.sql.functions.col("probability"), "float64")
                    .getItem(1)
                    .gt(threshold)
                    .notEqual(org.apache.spark.sql.functions.col("prediction").equalTo(1.0)))
            .count();
    assertThat(disagreeing).isZero();
    assertThat(scored.where("prediction = 1.0").count())
        .as("the rare class is predicted")
        .isPositive();
    scored.unpersist();

    // permutation importance scores whole batches in one native call: the same probabilities as row
    // by row
    XgboostModel xgb = (XgboostModel) model;
    List<org.apache.spark.ml.linalg.Vector> features =
        gold.select("features").limit(200).collectAsList().stream()
            .map(r -> (org.apache.spark.ml.linalg.Vector) r.get(0))
            .toList();
    double[][] batch =
        xgb.probabilities(
            features.stream()
                .map(org.apache.spark.ml.linalg.Vector::toArray)
                .toArray(double[][]::new));
    assertThat(batch.length).isEqualTo(features.size());
    for (int i = 0; i < features.size(); i++) {
      assertThat(batch[i]).containsExactly(xgb.predictRaw(features.get(i)).toArray());
    }

    // score wrote predictions for every silver row; reproduce retrains from the recorded versions
    // and matches
    assertThat(p.count("predictions.boost")).isEqualTo(900);
    TestProject.Result rep =
        p.run("reproduce", "--dataset", "boost", "--version", "1").expectExit(0);
    assertThat(rep.metrics()).containsEntry("match", true);

    // early stopping: at most 300 rounds, stopped once a held-out tenth of each fit's rows stops
    // improving for 5;
    // the saved booster has exactly the rounds chosen (far fewer than 300 at eta 0.3 on 540 rows)
    TestProject.Result es =
        p.run(
                "tune",
                "--dataset",
                "boost",
                "--run-date",
                "2026-11-21",
                "--set",
                "dataset.tune.algorithms=[{type = xgboost, grid {numRound = [300], numEarlyStoppingRounds = [5], max_depth = [3], eta = [0.3]}}]")
            .expectExit(0);
    assertThat(es.metric("version")).isEqualTo(2);
    Map<String, Object> v2 =
        p.sql(
                "SELECT params, path, cv_metric FROM _system.models WHERE dataset = 'boost' AND version = 2")
            .get(0);
    assertThat((String) v2.get("params"))
        .contains("\"numEarlyStoppingRounds\":\"5\"")
        .contains("\"numRound\":\"300\"");
    assertThat(((Number) v2.get("cv_metric")).doubleValue()).isGreaterThan(0.75);
    long rounds = boostedRounds((String) v2.get("path"));
    assertThat(rounds).isBetween(2L, 100L);
    // the same rows are held out again: reproduce stops at the same round and matches every metric
    assertThat(p.run("reproduce", "--dataset", "boost", "--version", "2").expectExit(0).metrics())
        .containsEntry("match", true);
  }

  @Test
  @SuppressWarnings("unchecked")
  void xgboostsRandomForestIsOneRoundOfParallelTreesThatScoresAndReproduces() throws Exception {
    TestProject p =
        TestProject.create("xgboost-forest")
            .dataset(
                "forest",
                CONF.replace(
                    "{ type = xgboost, grid { numRound = [10, 30], max_depth = [3] } }",
                    "{ type = xgboost-random-forest, grid { num_parallel_tree = [7, 40], max_depth = [4] } }"));
    p.land("forest", "rows.csv", rows(900, 5));
    p.run("nightly", "--dataset", "forest", "--run-date", "2026-11-20", "--until", "tune")
        .expectExit(0);
    Map<String, Object> v1 =
        p.sql(
                "SELECT algorithm, params, path, cv_metric, validation_metrics FROM _system.models WHERE version = 1")
            .get(0);
    assertThat(v1).containsEntry("algorithm", "xgboost-random-forest");
    // both forests find the rule x and z make
    String params = (String) v1.get("params");
    int trees = params.contains("\"num_parallel_tree\":\"40\"") ? 40 : 7;
    assertThat(params).contains("\"num_parallel_tree\":\"" + trees + "\"");
    assertThat(((Number) v1.get("cv_metric")).doubleValue()).isGreaterThan(0.75);
    assertThat(
            ((Map<String, Number>) v1.get("validation_metrics")).get("areaUnderROC").doubleValue())
        .isGreaterThan(0.7);
    // the saved booster is XGBoost's forest recipe: one round of the chosen count of trees
    XgboostModel m = (XgboostModel) PipelineModel.load((String) v1.get("path")).stages()[1];
    assertThat(m.xgboost().nativeBooster().getNumBoostedRound()).isEqualTo(1);
    String[] dump = m.xgboost().nativeBooster().getModelDump("", true, "json");
    assertThat(dump).hasSize(trees);
    // each tree grew on its own 63.2 % of the rows: the trees' roots cover different sums of the
    // rows' hessians (without subsampling every root covers them all, and all are equal)
    com.fasterxml.jackson.databind.ObjectMapper json =
        new com.fasterxml.jackson.databind.ObjectMapper();
    java.util.Set<Double> rootCovers = new java.util.HashSet<>();
    for (String tree : dump) {
      rootCovers.add(json.readTree(tree).get("cover").asDouble());
    }
    assertThat(rootCovers).hasSizeGreaterThan(trees / 2);
    // gold's vectors carry their size, from which the forest takes 1/√p features per split
    assertThat(
            org.apache.spark.ml.attribute.AttributeGroup.fromStructField(
                    TestSpark.session()
                        .read()
                        .format("delta")
                        .load(p.lake().resolve("gold/forest").toString())
                        .schema()
                        .apply("features"))
                .size())
        .isEqualTo(m.numFeatures());
    // reproduce refits it from the recorded versions: the same subsamples, the same metrics
    assertThat(p.run("reproduce", "--dataset", "forest", "--version", "1").expectExit(0).metrics())
        .containsEntry("match", true);

    // the forest and boosting searched together from one matrix in one task: the forest's fold
    // AUCs and validation AUC as when it was searched alone above (MatrixXgboostTest checks both
    // units of a shared task against tasks of their own), and boosting's trials beside them
    String forestGrid =
        "{ type = xgboost-random-forest, grid { num_parallel_tree = [7, 40], max_depth = [4] } }";
    String boostGrid =
        "{ type = xgboost, grid { numRound = [10], max_depth = [3], numEarlyStoppingRounds = [0, 3] } }";
    p.run(
            "tune",
            "--dataset",
            "forest",
            "--run-date",
            "2026-11-21",
            "--set",
            "dataset.tune.algorithms=[" + forestGrid + ", " + boostGrid + "]")
        .expectExit(0);
    java.util.function.BiFunction<String, String, List<Map<String, Object>>> trials =
        (date, algorithm) ->
            p.sql(
                "SELECT candidate, params, fold_metrics, validation_metric FROM _system.trials"
                    + " WHERE run_date = '"
                    + date
                    + "' AND algorithm = '"
                    + algorithm
                    + "' ORDER BY candidate");
    List<Map<String, Object>> together = trials.apply("2026-11-21", "xgboost-random-forest");
    List<Map<String, Object>> alone = trials.apply("2026-11-20", "xgboost-random-forest");
    assertThat(together).hasSize(2);
    for (int c = 0; c < 2; c++) {
      Map<String, Object> t = new java.util.HashMap<>(together.get(c));
      Map<String, Object> a = new java.util.HashMap<>(alone.get(c));
      // the same model's validation AUC to the last digits: MLlib sums the curve's partitions in
      // the order their tasks end
      Object tv = t.remove("validation_metric");
      Object av = a.remove("validation_metric");
      assertThat(t).isEqualTo(a);
      if (av == null) {
        assertThat(tv).isNull();
      } else {
        assertThat(((Number) tv).doubleValue())
            .isCloseTo(((Number) av).doubleValue(), within(1e-12));
      }
    }
    List<Map<String, Object>> boosting = trials.apply("2026-11-21", "xgboost");
    assertThat(boosting).hasSize(2);
    for (Map<String, Object> t : boosting) {
      assertThat((List<?>) t.get("fold_metrics")).hasSize(2).doesNotContainNull();
    }
    assertThat(boosting)
        .extracting(t -> t.get("validation_metric"))
        .filteredOn(java.util.Objects::nonNull)
        .hasSize(1);
  }

  private static long boostedRounds(String path) {
    XgboostModel m = (XgboostModel) PipelineModel.load(path).stages()[1];
    try {
      return m.xgboost().nativeBooster().getNumBoostedRound();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
