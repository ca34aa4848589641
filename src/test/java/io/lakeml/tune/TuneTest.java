package io.lakeml.tune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.lakeml.core.Hooks;
import io.lakeml.core.SparkSessions;
import io.lakeml.model.LabelCoding;
import io.lakeml.testing.TestHooks;
import io.lakeml.testing.TestProject;
import io.lakeml.testing.TestSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.feature.IndexToString;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * tune through the real CLI on data whose answer is known: a band of x1 that a depth-2 tree learns
 * exactly, while logistic regression stays near chance and a depth-1 tree cannot isolate it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TuneTest {
  private static final String CONF =
      """
      dataset {
        source { format = csv, mode = snapshot }
        schema = [ { name = id, type = int }, { name = x1, type = double }, { name = x2, type = double }, { name = y, type = string } ]
        key = [id]
        label { column = y, positive = "yes" }
        features { numeric = [x1, x2] }
        tune {
          folds = 2
          parallelism = 2
          halving { eta = 2, min-fraction = 0.5 }
          algorithms = [
            { type = logistic-regression, grid { regParam = [0.0, 0.1], maxIter = [20] } }
            { type = decision-tree, grid { maxDepth = [1, 2, 3] } }
          ]
        }
      }
      """;
  private static TestProject project;

  private static final double[] X1 = {0.05, 0.15, 0.25, 0.4, 0.5, 0.6, 0.75, 0.85, 0.95};

  /**
   * The label is 0.3 &lt; x1 &lt; 0.7 (x2 is noise): not monotone in x1, so logistic regression
   * stays near chance; one split cannot isolate the band; two can, exactly (x1 takes 9 values,
   * fewer than the tree's bins, so every boundary is a candidate split).
   */
  static String band(int from, int to, long seed) {
    Random r = new Random(seed);
    StringBuilder sb = new StringBuilder("id,x1,x2,y\n");
    for (int i = from; i < to; i++) {
      double x1 = X1[r.nextInt(X1.length)];
      double x2 = Math.round(r.nextDouble() * 1000) / 1000.0;
      boolean y = x1 > 0.3 && x1 < 0.7;
      sb.append(i)
          .append(',')
          .append(x1)
          .append(',')
          .append(x2)
          .append(',')
          .append(y ? "yes" : "no")
          .append('\n');
    }
    return sb.toString();
  }

  @BeforeAll
  static void landAndPrepare() {
    project = TestProject.create("tune").dataset("xor", CONF);
    project.land("xor", "part1.csv", band(0, 450, 1));
    project.run("ingest", "--dataset", "xor").expectExit(0);
    project.run("etl", "--dataset", "xor").expectExit(0);
    project.run("prepare", "--dataset", "xor").expectExit(0);
  }

  @Test
  @Order(1)
  void gridFindsTheKnownBestTreeRecordsEveryFoldAndNeverShowsTheTestSplitToSelection() {
    Set<String> splitsSeen = new HashSet<>();
    int[] observed = {0};
    TestProject.Result r;
    try (var hooks =
        TestHooks.install(
            project,
            "xor",
            TestHooks.onSelectionRows(
                rows -> {
                  observed[0]++;
                  for (Row row : rows.select("split").distinct().collectAsList()) {
                    splitsSeen.add(row.getString(0));
                  }
                }))) {
      r = project.run("tune", "--dataset", "xor", "--run-date", "2026-11-20").expectExit(0);
    }
    assertThat(r.status()).isEqualTo("SUCCEEDED");
    Map<String, Object> m = r.metrics();
    assertThat(m.get("algorithm")).isEqualTo("decision-tree");
    assertThat(m.get("params")).isEqualTo(Map.of("maxDepth", "2"));
    assertThat(((Number) m.get("cvMetric")).doubleValue()).isGreaterThan(0.99);
    @SuppressWarnings("unchecked")
    Map<String, Number> validation = (Map<String, Number>) m.get("validationByAlgorithm");
    assertThat(validation.get("logistic-regression").doubleValue()).isLessThan(0.75);
    @SuppressWarnings("unchecked")
    Map<String, Number> test = (Map<String, Number>) m.get("test");
    assertThat(test.get("areaUnderROC").doubleValue()).isGreaterThan(0.99);
    assertThat(m.get("trials")).isEqualTo(5);
    assertThat(m.get("fits")).isEqualTo(5 * 2 + 2);
    // selection read only train and validation, once each
    assertThat(observed[0]).isEqualTo(2);
    assertThat(splitsSeen).containsExactlyInAnyOrder("train", "validation");

    // every trial has its two fold metrics, and their mean is CrossValidator's own average
    List<Map<String, Object>> trials =
        project.sql(
            "SELECT * FROM _system.trials WHERE run_id = '"
                + r.summary().get("runId")
                + "' ORDER BY algorithm, candidate");
    assertThat(trials).hasSize(5);
    for (Map<String, Object> t : trials) {
      @SuppressWarnings("unchecked")
      List<Number> folds = (List<Number>) t.get("fold_metrics");
      assertThat(folds).hasSize(2);
      double mean = folds.stream().mapToDouble(Number::doubleValue).average().orElseThrow();
      assertThat(((Number) t.get("mean")).doubleValue()).isCloseTo(mean, within(1e-12));
      assertThat(((Number) t.get("seconds")).doubleValue()).isPositive();
    }
    assertThat(
            trials.stream()
                .filter(t -> Boolean.TRUE.equals(t.get("selected")))
                .map(t -> t.get("params"))
                .toList())
        .containsExactly("{\"maxDepth\":\"2\"}");
    assertThat(trials.stream().filter(t -> t.get("validation_metric") != null).count())
        .isEqualTo(2);

    // the registry row: lineage, sizes, software versions
    Map<String, Object> v1 =
        project.sql("SELECT * FROM _system.models WHERE dataset = 'xor' AND version = 1").get(0);
    // the band is learned exactly: perfect on validation, which real data never is, so the version
    // is suspect
    assertThat(v1)
        .containsEntry("status", "suspect")
        .containsEntry("algorithm", "decision-tree")
        .containsEntry("delta_version", "4.1.0");
    assertThat((String) v1.get("status_reason"))
        .startsWith("validation areaUnderROC is 1.0 on 90 rows");
    assertThat(
            ((Number) v1.get("train_rows")).longValue()
                + ((Number) v1.get("validation_rows")).longValue()
                + ((Number) v1.get("test_rows")).longValue())
        .isEqualTo(450);
    assertThat(v1.get("silver_version")).isNotNull();
    assertThat(v1.get("bronze_version")).isNotNull();
    assertThat(v1.get("threshold")).isEqualTo(0.5);
    assertThat((String) v1.get("confusion_matrix"))
        .startsWith("{\"classes\":[\"no\",\"yes\"],\"matrix\":[[");

    // same gold version, same configuration: no second version
    TestProject.Result again =
        project.run("tune", "--dataset", "xor", "--run-date", "2026-11-20").expectExit(0);
    assertThat(again.status()).isEqualTo("SKIPPED");
    assertThat(again.metric("version")).isEqualTo(1);

    // gold depends on neither the search nor deployment, a model version not on deployment: a
    // changed drift bound leaves both, a changed grid leaves gold (and trains again from it)
    String deploy = "dataset.deploy.monitor.psi-threshold=0.3";
    assertThat(
            project
                .run("prepare", "--dataset", "xor", "--run-date", "2026-11-20", "--set", deploy)
                .expectExit(0)
                .status())
        .isEqualTo("SKIPPED");
    TestProject.Result deployChanged =
        project
            .run("tune", "--dataset", "xor", "--run-date", "2026-11-20", "--set", deploy)
            .expectExit(0);
    assertThat(deployChanged.status()).isEqualTo("SKIPPED");
    assertThat(deployChanged.metric("version")).isEqualTo(1);
    assertThat(
            project
                .run(
                    "prepare",
                    "--dataset",
                    "xor",
                    "--run-date",
                    "2026-11-20",
                    "--set",
                    "dataset.tune.folds=3")
                .expectExit(0)
                .status())
        .isEqualTo("SKIPPED");
  }

  @Test
  @Order(2)
  void savedModelLoadsAndScoresSilverRowsExactlyAsRegistered() {
    int version = ensureVersion();
    Map<String, Object> entry =
        project
            .sql(
                "SELECT path, gold_version, test_metrics, classes FROM _system.models WHERE dataset = 'xor' AND version = "
                    + version)
            .get(0);
    SparkSession spark = TestSpark.session();
    PipelineModel loaded = PipelineModel.load((String) entry.get("path"));
    // features, the classifier, and the decoder of its predictions into the registry's classes
    assertThat(loaded.stages()).hasSize(3);
    assertThat(loaded.stages()[2]).isInstanceOf(IndexToString.class);
    assertThat(List.<Object>of(((IndexToString) loaded.stages()[2]).getLabels()))
        .isEqualTo(entry.get("classes"));
    // raw silver rows of the test split, through the whole saved pipeline (features + model)
    Dataset<Row> gold =
        spark
            .read()
            .format("delta")
            .option("versionAsOf", ((Number) entry.get("gold_version")).longValue())
            .load(project.lake().resolve("gold/xor").toString());
    Dataset<Row> silver =
        spark.read().format("delta").load(project.lake().resolve("silver/xor").toString());
    Dataset<Row> testRows = silver.join(gold.where("split = 'test'").select("id", "label"), "id");
    Dataset<Row> fromRaw = loaded.transform(testRows);
    double auc = new BinaryClassificationEvaluator().setLabelCol("label").evaluate(fromRaw);
    @SuppressWarnings("unchecked")
    Map<String, Number> test = (Map<String, Number>) entry.get("test_metrics");
    assertThat(auc).isEqualTo(test.get("areaUnderROC").doubleValue());
    // and the model stage on gold's stored feature vectors gives the same predictions row by row
    Transformer model = loaded.stages()[1];
    Dataset<Row> fromGold =
        model
            .transform(gold.where("split = 'test'"))
            .select("id", "prediction")
            .withColumnRenamed("prediction", "g");
    long differing =
        fromRaw.select("id", "prediction").join(fromGold, "id").where("prediction <> g").count();
    assertThat(differing).isZero();
    assertThat(fromRaw.count()).isEqualTo(gold.where("split = 'test'").count());
    // the saved model names each prediction as the registry's classes do (score writes that name)
    List<?> classes = (List<?>) entry.get("classes");
    List<Row> named =
        fromRaw.groupBy("prediction", LabelCoding.PREDICTED_CLASS).count().collectAsList();
    assertThat(named).hasSize(2);
    for (Row r : named) {
      assertThat(r.getString(1)).isEqualTo(classes.get((int) r.getDouble(0)));
    }
  }

  @Test
  @Order(9)
  void lineageTimeTravelsBackAfterNewDataAndReproduceMatches() {
    TestProject p = project;
    int v1Number = ensureVersion();
    Map<String, Object> v1 =
        p.sql("SELECT * FROM _system.models WHERE version = " + v1Number).get(0);
    long gold1 = ((Number) v1.get("gold_version")).longValue();
    long trainRows = ((Number) v1.get("train_rows")).longValue();

    // new data: a new gold version and a new model version
    p.land("xor", "part2.csv", band(450, 570, 3));
    TestProject.Result next =
        p.run(
                "nightly",
                "--in-process",
                "--dataset",
                "xor",
                "--run-date",
                "2026-11-21",
                "--until",
                "tune")
            .expectExit(0);
    assertThat(next.stdout()).contains("\"job\":\"tune\"");
    int latest = maxVersion();
    Map<String, Object> v2 = p.sql("SELECT * FROM _system.models WHERE version = " + latest).get(0);
    assertThat(((Number) v2.get("gold_version")).longValue()).isGreaterThan(gold1);
    assertThat(((Number) v2.get("train_rows")).longValue()).isGreaterThan(trainRows);

    // the first version's recorded table versions still yield exactly the rows it trained on
    SparkSession spark = TestSpark.session();
    String goldPath = p.lake().resolve("gold/xor").toString();
    assertThat(
            spark
                .read()
                .format("delta")
                .option("versionAsOf", gold1)
                .load(goldPath)
                .where("split = 'train'")
                .count())
        .isEqualTo(trainRows);
    long silver1 = ((Number) v1.get("silver_version")).longValue();
    assertThat(
            spark
                .read()
                .format("delta")
                .option("versionAsOf", silver1)
                .load(p.lake().resolve("silver/xor").toString())
                .count())
        .isEqualTo(450);
    assertThat(spark.read().format("delta").load(p.lake().resolve("silver/xor").toString()).count())
        .isEqualTo(570);

    // retrained from those versions, the first version reproduces its metrics exactly
    TestProject.Result rep =
        p.run("reproduce", "--dataset", "xor", "--version", String.valueOf(v1Number)).expectExit(0);
    assertThat(rep.metrics())
        .containsEntry("match", true)
        .containsEntry("goldVersion", (int) gold1);

    TestProject.Result list = p.run("models", "--dataset", "xor", "--json").expectExit(0);
    assertThat(list.lines()).hasSize(latest);
    assertThat(list.lines().get(0)).contains("\"version\":" + latest);
  }

  @Test
  @Order(3)
  void
      halvingAndRandomSearchFindTheSameTreeParallelismDoesNotChangeResultsAndACrashBeforeRegistryListsNothing() {
    int before = ensureVersion();
    // a crash after the model folder is in place but before the registry row: nothing listed
    try (var hooks =
        TestHooks.install(
            project,
            "xor",
            TestHooks.throwAt(
                Hooks.Point.BEFORE_REGISTRY_ROW,
                () -> new IllegalStateException("test hook: stopping before the registry row")))) {
      project
          .run("tune", "--dataset", "xor", "--set", "dataset.tune.strategy=halving")
          .expectExit(1);
    }
    int next = before + 1;
    assertThat(Files.isDirectory(project.lake().resolve("models/xor/v" + next))).isTrue();
    assertThat(maxVersion()).isEqualTo(before);
    assertThat(project.count("_system.models")).isEqualTo(before);

    // the rerun registers that version number with its own files
    TestProject.Result halving =
        project
            .run("tune", "--dataset", "xor", "--set", "dataset.tune.strategy=halving")
            .expectExit(0);
    assertThat(halving.metric("version")).isEqualTo(next);
    Map<String, Object> row =
        project.sql("SELECT run_id, path FROM _system.models WHERE version = " + next).get(0);
    assertThat(row).containsEntry("run_id", halving.summary().get("runId"));
    assertThat(PipelineModel.load((String) row.get("path")).stages()).hasSize(3);
    try (var staged = Files.list(project.lake().resolve("models/xor/_staging"))) {
      assertThat(staged.toList()).isEmpty();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    assertThat(halving.metrics())
        .containsEntry("algorithm", "decision-tree")
        .containsEntry("params", Map.of("maxDepth", "2"));
    List<Map<String, Object>> rungs =
        project.sql(
            "SELECT rung, fraction, count(*) AS n, max(rows) AS rows FROM _system.trials WHERE run_id = '"
                + halving.summary().get("runId")
                + "' GROUP BY rung, fraction ORDER BY rung");
    // 5 candidates on half the rows, the best ceil(5/2) = 3 on all of them
    assertThat(rungs).hasSize(2);
    assertThat(rungs.get(0))
        .containsEntry("rung", 0)
        .containsEntry("fraction", 0.5)
        .containsEntry("n", 5);
    assertThat(rungs.get(1))
        .containsEntry("rung", 1)
        .containsEntry("fraction", 1.0)
        .containsEntry("n", 3);
    assertThat(((Number) rungs.get(0).get("rows")).longValue())
        .isLessThan(((Number) rungs.get(1).get("rows")).longValue());

    // random draws from the same lists, fitted one at a time: the same candidates get the same fold
    // metrics as in the parallel grid run (same seed, same folds): parallelism changes no result
    TestProject.Result random =
        project
            .run(
                "tune",
                "--dataset",
                "xor",
                "--set",
                "dataset.tune.strategy=random",
                "--set",
                "dataset.tune.trials=6",
                "--set",
                "dataset.tune.parallelism=1")
            .expectExit(0);
    assertThat(random.metrics())
        .containsEntry("algorithm", "decision-tree")
        .containsEntry("parallelism", 1);
    // draws from lists of 2 and 3 values: at most that many distinct candidates per algorithm
    assertThat(random.metric("trials")).isBetween(3L, 5L);
    String parallelRun =
        (String)
            project
                .sql("SELECT run_id FROM _system.models WHERE dataset = 'xor' AND version = 1")
                .get(0)
                .get("run_id");
    List<Map<String, Object>> same =
        project.sql(
            "SELECT s.fold_metrics AS serial, p.fold_metrics AS parallel FROM _system.trials s "
                + "JOIN _system.trials p ON s.algorithm = p.algorithm AND s.params = p.params "
                + "WHERE s.run_id = '"
                + random.summary().get("runId")
                + "' AND p.run_id = '"
                + parallelRun
                + "'");
    assertThat(same).hasSize((int) random.metric("trials"));
    for (Map<String, Object> pair : same) {
      // equal up to floating-point summation order (the last bit can differ when fits run
      // concurrently)
      @SuppressWarnings("unchecked")
      List<Number> serial = (List<Number>) pair.get("serial");
      @SuppressWarnings("unchecked")
      List<Number> parallel = (List<Number>) pair.get("parallel");
      assertThat(serial).hasSameSizeAs(parallel);
      for (int i = 0; i < serial.size(); i++) {
        assertThat(serial.get(i).doubleValue())
            .isCloseTo(parallel.get(i).doubleValue(), within(1e-12));
      }
    }
  }

  @Test
  @Order(4)
  void unknownGridParameterIsAConfigErrorBeforeSparkStarts() {
    TestProject p =
        TestProject.create("tune-bad")
            .dataset(
                "bad",
                CONF.replace("maxDepth = [1, 2, 3]", "maxDepht = [1, 2]")
                    .replace("regParam = [0.0, 0.1]", "regParam = [-1]"));
    long sessions = SparkSessions.requests(p.dir());
    TestProject.Result r = p.run("tune", "--dataset", "bad").expectExit(2);
    assertThat(r.stderr())
        .contains("'maxDepht' is not a tunable parameter of DecisionTreeClassifier")
        .contains("did you mean 'maxDepth'")
        .contains("grid value regParam = -1 is invalid");
    assertThat(SparkSessions.requests(p.dir())).isEqualTo(sessions);
  }

  @Test
  @Order(5)
  void multiclassLabelsTrainWithF1AndAFullConfusionMatrix() {
    TestProject p =
        TestProject.create("tune-multi")
            .dataset(
                "shapes",
                """
        dataset {
          source { format = csv, mode = snapshot }
          schema = [ { name = id, type = int }, { name = x1, type = double }, { name = colour, type = string }, { name = kind, type = string } ]
          key = [id]
          label { column = kind }
          features { numeric = [x1], categorical = [colour] }
          tune { folds = 2, algorithms = [ { type = decision-tree, grid { maxDepth = [2, 4] } } ] }
        }
        """);
    Random r = new Random(5);
    StringBuilder csv = new StringBuilder("id,x1,colour,kind\n");
    String[] kinds = {"circle", "square", "triangle"};
    for (int i = 0; i < 360; i++) {
      int k = r.nextInt(3);
      csv.append(i)
          .append(',')
          .append(X1[k * 3 + r.nextInt(3)])
          .append(',')
          .append(r.nextBoolean() ? "red" : "blue")
          .append(',')
          .append(kinds[k])
          .append('\n');
    }
    p.land("shapes", "shapes.csv", csv.toString());
    TestProject.Result run =
        p.run("nightly", "--in-process", "--dataset", "shapes", "--until", "tune").expectExit(0);
    assertThat(run.stdout()).contains("\"metric\":\"f1\"");
    // the profile's top values carry no "label rate" for a multiclass label (a mean class index)
    assertThat(
            p.sql(
                    "SELECT count(*) AS n, count(t.label_rate) AS rated FROM _system.profile"
                        + " LATERAL VIEW explode(top_values) AS t WHERE `column` = 'colour'")
                .get(0))
        .satisfies(
            m -> {
              assertThat(((Number) m.get("rated")).longValue()).isZero();
              assertThat(((Number) m.get("n")).longValue()).isPositive();
            });
    Map<String, Object> v1 =
        p.sql(
                "SELECT algorithm, classes, confusion_matrix, threshold, test_rows, test_metrics FROM _system.models")
            .get(0);
    assertThat(v1.get("classes")).isEqualTo(List.of("circle", "square", "triangle"));
    assertThat(v1.get("threshold")).isNull();
    @SuppressWarnings("unchecked")
    Map<String, Number> test = (Map<String, Number>) v1.get("test_metrics");
    assertThat(test).containsOnlyKeys("f1", "accuracy", "weightedPrecision", "weightedRecall");
    assertThat(test.get("f1").doubleValue()).isGreaterThan(0.99);
    // 3×3 counts that add up to the test split, all on the diagonal
    String matrix = (String) v1.get("confusion_matrix");
    long testRows = ((Number) v1.get("test_rows")).longValue();
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("\\[\\[(\\d+),0,0\\],\\[0,(\\d+),0\\],\\[0,0,(\\d+)\\]\\]")
            .matcher(matrix);
    assertThat(m.find()).as(matrix).isTrue();
    assertThat(Long.parseLong(m.group(1)) + Long.parseLong(m.group(2)) + Long.parseLong(m.group(3)))
        .isEqualTo(testRows);
  }

  /** Version 1 from the shared project (tests may run in any order). */
  private static synchronized int ensureVersion() {
    if (maxVersion() == 0) {
      project.run("tune", "--dataset", "xor", "--run-date", "2026-11-20").expectExit(0);
    }
    return maxVersion();
  }

  private static int maxVersion() {
    Path models = project.lake().resolve("_system/models");
    if (!Files.exists(models)) {
      return 0;
    }
    Object v = project.sql("SELECT max(version) AS v FROM _system.models").get(0).get("v");
    return v == null ? 0 : ((Number) v).intValue();
  }
}
