package io.lakeml.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.lakeml.testing.TestProject;
import io.lakeml.testing.TestSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** generate and bench through the CLI, on a 3,000-row slice of the real fertility data. */
// Alone, not beside another class (junit-platform.properties): the bench counts every Spark job
// of the application, and another class's jobs would be counted as its own
@org.junit.jupiter.api.parallel.Isolated
class BenchTest {
  static final Path SAMPLE =
      TestProject.projectDir().resolve("src/test/resources/bench/fertility-sample.csv");

  @Test
  void generateScalesTheRealDataKeepingCategoriesAndLabelRateDeterministically() {
    TestProject p = TestProject.create("generate");
    TestProject.Result r =
        p.run("generate", "--from", "fertility", "--rows", "20000", "--source", SAMPLE.toString())
            .expectExit(0);
    Map<String, Object> s = r.summary();
    assertThat(((Number) s.get("rows")).longValue()).isEqualTo(20_000L);
    assertThat(((Number) s.get("baseRows")).longValue()).isEqualTo(3_000L);
    Path landed = p.lake().resolve("landing/fertility/generated-20000-seed42");
    assertThat(landed).isDirectory();

    SparkSession spark = TestSpark.session();
    Dataset<Row> base =
        spark.read().option("header", "true").option("inferSchema", "true").csv(SAMPLE.toString());
    Dataset<Row> gen = spark.read().parquet(landed.toString());
    assertThat(gen.columns())
        .containsExactly(
            "id", "morekids", "gender1", "gender2", "age", "afam", "hispanic", "other", "work");
    Row ids = gen.selectExpr("count(distinct id)", "min(id)", "max(id)").first();
    assertThat(ids.getLong(0)).isEqualTo(20_000L);
    assertThat(ids.getLong(1)).isZero();
    assertThat(ids.getLong(2)).isEqualTo(19_999L);
    double baseRate = base.selectExpr("avg(if(morekids = 'yes', 1D, 0D))").first().getDouble(0);
    double genRate = gen.selectExpr("avg(if(morekids = 'yes', 1D, 0D))").first().getDouble(0);
    assertThat(genRate).isCloseTo(baseRate, within(0.02));
    // same categories, frequencies within 2 points; numbers stay in the base's range and type
    for (String c : List.of("gender1", "afam", "hispanic", "other")) {
      Map<String, Double> b = freq(base, c);
      Map<String, Double> g = freq(gen, c);
      assertThat(g.keySet()).as(c).isEqualTo(b.keySet());
      b.forEach((k, v) -> assertThat(g.get(k)).as(c + "=" + k).isCloseTo(v, within(0.02)));
    }
    Row range = base.selectExpr("min(age)", "max(age)", "stddev_pop(work)").first();
    Row genRange =
        gen.selectExpr(
                "min(age)",
                "max(age)",
                "stddev_pop(work)",
                "typeof(first(age))",
                "avg(if(age = round(age), 1, 0))")
            .first();
    assertThat(genRange.getInt(0)).isGreaterThanOrEqualTo(range.getInt(0));
    assertThat(genRange.getInt(1)).isLessThanOrEqualTo(range.getInt(1));
    assertThat(genRange.getString(3)).isEqualTo("int");
    assertThat(genRange.getDouble(2))
        .isCloseTo(range.getDouble(2), within(0.1 * range.getDouble(2)));
    // the same seed gives the same rows; another seed other rows
    long digest = digest(gen);
    p.run("generate", "--from", "fertility", "--rows", "20000", "--source", SAMPLE.toString())
        .expectExit(0);
    assertThat(digest(spark.read().parquet(landed.toString()))).isEqualTo(digest);
    // without noise every generated row is a real row; with it (same seed, same draws) some values
    // moved
    p.run(
            "generate",
            "--from",
            "fertility",
            "--rows",
            "20000",
            "--noise",
            "0",
            "--source",
            SAMPLE.toString())
        .expectExit(0);
    Dataset<Row> exact = spark.read().parquet(landed.toString());
    assertThat(
            exact
                .drop("id")
                .except(
                    base.select(
                        "morekids",
                        "gender1",
                        "gender2",
                        "age",
                        "afam",
                        "hispanic",
                        "other",
                        "work"))
                .count())
        .isZero();
    assertThat(digest(exact)).isNotEqualTo(digest);
    p.run(
            "generate",
            "--from",
            "fertility",
            "--rows",
            "20000",
            "--seed",
            "7",
            "--source",
            SAMPLE.toString())
        .expectExit(0);
    assertThat(
            digest(
                spark
                    .read()
                    .parquet(
                        p.lake().resolve("landing/fertility/generated-20000-seed7").toString())))
        .isNotEqualTo(digest);

    // wrong inputs: clear errors, exit 2 (titanic lands CSV, not Parquet)
    assertThat(
            p.run("generate", "--from", "fertility", "--rows", "0", "--source", SAMPLE.toString())
                .expectExit(2)
                .stderr())
        .contains("--rows 0");
    assertThat(
            p.run("generate", "--from", "titanic", "--rows", "10", "--source", SAMPLE.toString())
                .expectExit(2)
                .stderr())
        .contains("format = parquet");
    assertThat(
            p.run("generate", "--from", "fertility", "--rows", "10", "--source", "/nonexistent.csv")
                .expectExit(1)
                .stdout())
        .contains("does not exist");
  }

  @Test
  void benchRunsTheStagesBaselineAndPeerAndWritesTheReport() throws Exception {
    TestProject p = TestProject.create("bench");
    Path out = p.dir().resolve("bench-out");
    boolean peer = Bench.findPython() != null;
    if (System.getenv("LAKEML_REQUIRE_SKLEARN") != null) {
      assertThat(peer)
          .as(
              "LAKEML_REQUIRE_SKLEARN is set: python3 with scikit-learn and pandas must be installed")
          .isTrue();
    }
    TestProject.Result r =
        p.run(
                "bench",
                "--rows",
                "3000",
                "--repeat",
                "1",
                "--until",
                "prepare",
                "--source",
                SAMPLE.toString(),
                "--out",
                out.toString(),
                "--work",
                p.dir().resolve("bench-work").toString(),
                "--peer-script",
                TestProject.projectDir().resolve("jobs/bench/sklearn_peer.py").toString(),
                "--trees-peer-script",
                TestProject.projectDir().resolve("jobs/bench/sklearn_trees_peer.py").toString(),
                // a smaller search than fertility.conf's (4 values × 3 folds) keeps the test short
                "--set",
                "dataset.tune.folds=2",
                "--set",
                "dataset.tune.algorithms=[{type = logistic-regression, grid {regParam = [0.01, 0.1], tol = [0.0001]}}, "
                    + "{type = random-forest, grid {numTrees = [5], maxDepth = [3]}}, {type = xgboost-random-forest, grid {num_parallel_tree = [5], max_depth = [3]}}, {type = xgboost, grid {numRound = [5, 10], max_depth = [3], eta = [0.3]}}]")
            .expectExit(0);
    Path json = Path.of((String) r.summary().get("json"));
    Map<String, Object> report = TestProject.parse(Files.readString(json).replace("\n", " "));
    @SuppressWarnings("unchecked")
    Map<String, Object> size = ((List<Map<String, Object>>) report.get("sizes")).get(0);
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> med = (Map<String, Map<String, Object>>) size.get("median");
    assertThat(med)
        .containsKeys(
            "ingest",
            "etl",
            "prepare",
            "lrSearchParallelism1",
            "lrSearchParallelism2",
            "lrSearchSharedPass",
            "baseline.ingest",
            "baseline.prepare",
            "baseline.crossValidation")
        .doesNotContainKeys("bias-pre", "tune");
    for (String step : List.of("ingest", "lrSearchParallelism2", "baseline.ingest")) {
      Map<String, Object> m = med.get(step);
      double wall = ((Number) m.get("wallSeconds")).doubleValue();
      assertThat(wall).as(step).isPositive();
      assertThat(((Number) m.get("rowsPerSecond")).doubleValue())
          .as(step)
          .isCloseTo(3000 / wall, within(3000 / wall * 0.01 + 1));
      assertThat(((Number) m.get("cpuUtilization")).doubleValue()).as(step).isBetween(0.0, 1.5);
      assertThat(((Number) m.get("peakHeapMb")).longValue()).as(step).isPositive();
    }
    // LR only, 2 candidates × 2 folds + 1 refit, at both parallelisms, same result
    Map<String, Object> p1 = med.get("lrSearchParallelism1");
    Map<String, Object> p2 = med.get("lrSearchParallelism2");
    assertThat(((Number) p1.get("fits")).intValue()).isEqualTo(5);
    assertThat(((Number) p2.get("parallelism")).intValue()).isEqualTo(2);
    assertThat(p1.get("cvMetric")).isEqualTo(p2.get("cvMetric"));
    assertThat(p1.get("algorithm")).isEqualTo("logistic-regression");
    // every L-BFGS fit takes at least one iteration and reports them; the per-fit figure is their
    // mean
    long iterations = ((Number) p1.get("iterations")).longValue();
    assertThat(iterations).isGreaterThanOrEqualTo(5);
    assertThat(((Number) p1.get("iterationsPerFit")).doubleValue())
        .isCloseTo(iterations / 5.0, within(0.05));
    assertThat(((Number) p1.get("sparkJobs")).longValue())
        .as("Spark jobs counted during the search")
        .isGreaterThan(5);
    // the cached training split's size (about 1,800 rows of label, weight, a 7-slot vector, fold
    // and uniform)
    assertThat(((Number) p1.get("trainCachedMb")).doubleValue()).isBetween(0.01, 2.0);
    assertThat(p2.get("trainCachedMb")).isEqualTo(p1.get("trainCachedMb"));
    // the search's own CPU utilization: the search is part of the tune job, so it cannot have used
    // more CPU than the job did
    for (Map<String, Object> search : List.of(p1, p2, med.get("lrSearchSharedPass"))) {
      double util = ((Number) search.get("searchCpuUtilization")).doubleValue();
      double searchCpu =
          util
              * ((Number) search.get("searchSeconds")).doubleValue()
              * Runtime.getRuntime().availableProcessors();
      assertThat(util).isBetween(0.01, 1.2);
      assertThat(searchCpu)
          .isLessThanOrEqualTo(((Number) search.get("cpuSeconds")).doubleValue() + 0.05);
    }
    // the same search in shared passes: same fits counted, the same winner to 3 digits (its AUC is
    // exact, the evaluator's binned)
    Map<String, Object> shared = med.get("lrSearchSharedPass");
    assertThat(((Number) shared.get("fits")).intValue()).isEqualTo(5);
    assertThat(((Number) shared.get("cvMetric")).doubleValue())
        .isCloseTo(((Number) p2.get("cvMetric")).doubleValue(), within(1e-3));
    assertThat(((Number) shared.get("iterations")).longValue()).isGreaterThanOrEqualTo(5);
    assertThat(((Number) shared.get("sparkJobs")).longValue())
        .as("fewer Spark jobs than CrossValidator")
        .isLessThan(((Number) p2.get("sparkJobs")).longValue());
    long trainRows = ((Number) p2.get("trainRows")).longValue();
    assertThat(trainRows).isBetween(1700L, 1900L);
    String md = Files.readString(Path.of((String) r.summary().get("markdown")));
    assertThat(md)
        .contains("| ingest |")
        .contains("| baseline.crossValidation |")
        .contains("speedup of parallelism 2 over 1")
        .contains("bare-Spark landing→Delta")
        .contains("CPU utilization during the search alone")
        .contains("; cached training split ");
    assertThat(r.stdout()).contains("| lrSearchParallelism2 |");
    // the tree searches, each alone through the tune job: 1 and 2 candidates × 2 folds + the refit
    assertThat(med.get("treeSearch.random-forest")).containsEntry("algorithm", "random-forest");
    assertThat(((Number) med.get("treeSearch.random-forest").get("fits")).intValue()).isEqualTo(3);
    assertThat(med.get("treeSearch.xgboost-random-forest"))
        .containsEntry("algorithm", "xgboost-random-forest");
    assertThat(((Number) med.get("treeSearch.xgboost-random-forest").get("fits")).intValue())
        .isEqualTo(3);
    assertThat(med.get("treeSearch.xgboost")).containsEntry("algorithm", "xgboost");
    assertThat(((Number) med.get("treeSearch.xgboost").get("fits")).intValue()).isEqualTo(5);
    assertThat(((Number) med.get("treeSearch.xgboost").get("cvMetric")).doubleValue())
        .isBetween(0.5, 0.8);
    // and XGBoost's two searched together, as the nightly does: both grids' fits and refits in one
    // tune
    assertThat(((Number) med.get("treeSearch.xgboost-together").get("fits")).intValue())
        .isEqualTo(3 + 5);
    assertThat(((Number) med.get("treeSearch.xgboost-together").get("searchSeconds")).doubleValue())
        .isPositive();
    if (peer) {
      // scikit-learn on the same training rows and grid: its fits count the refit as lakeml's do
      Map<String, Object> rf = med.get("treePeer.random-forest");
      Map<String, Object> hgb = med.get("treePeer.hist-gradient-boosting");
      assertThat(((Number) rf.get("fits")).intValue()).isEqualTo(3);
      assertThat(((Number) rf.get("candidates")).intValue()).isEqualTo(1);
      assertThat(((Number) hgb.get("fits")).intValue()).isEqualTo(5);
      assertThat(((Number) hgb.get("candidates")).intValue()).isEqualTo(2);
      assertThat(((Number) hgb.get("bestAuc")).doubleValue()).isBetween(0.5, 0.8);
      assertThat(((Number) med.get("treePeer.script").get("rows")).longValue())
          .isEqualTo(trainRows);
      assertThat(((Number) med.get("treePeer.script").get("processSeconds")).doubleValue())
          .isGreaterThan(
              ((Number) rf.get("seconds")).doubleValue()
                  + ((Number) hgb.get("seconds")).doubleValue());
      assertThat(md)
          .contains("gradient boosting alone: XGBoost search ÷ scikit-learn HistGradientBoosting")
          .contains("tree search (random forest + xgboost) ÷ scikit-learn")
          .contains("random forest through XGBoost ÷ scikit-learn RandomForest")
          .contains("tree search through XGBoost (xgboost-random-forest + xgboost) ÷ scikit-learn")
          .contains("the same two XGBoost searches in one tune, as the nightly runs them")
          .contains("whole tune commands");
      Map<String, Object> sk = med.get("peer");
      assertThat(((Number) sk.get("rows")).longValue()).isEqualTo(trainRows);
      assertThat(((Number) sk.get("fits")).intValue()).isEqualTo(5);
      assertThat(((Number) sk.get("bestAuc")).doubleValue()).isBetween(0.5, 0.8);
      // both peers search lakeml's training rows in tune's folds: the rows per fold are those of
      // tune's fold column on the gold the searches read
      Dataset<Row> gold =
          TestSpark.session()
              .read()
              .format("delta")
              .load(p.dir().resolve("bench-work/rows-3000/lake/gold/fertility").toString());
      Map<Integer, Long> tuneFolds = new java.util.TreeMap<>();
      for (Row row :
          io.lakeml.tune.TuneJob.trainingFolds(
                  gold,
                  io.lakeml.config.ConfigLoader.load(
                          p.confDir(), "local", "fertility", List.of("dataset.tune.folds=2"))
                      .requireDataset())
              .groupBy(io.lakeml.tune.TuneJob.FOLD)
              .count()
              .collectAsList()) {
        tuneFolds.put(row.getInt(0), row.getLong(1));
      }
      List<Long> expected = List.copyOf(tuneFolds.values());
      assertThat(expected).hasSize(2);
      assertThat(foldRows(sk)).isEqualTo(expected);
      assertThat(foldRows(med.get("treePeer.script"))).isEqualTo(expected);
      assertThat(md)
          .contains("scikit-learn GridSearchCV")
          .contains("optimizer iterations per fit")
          .contains("lakeml search in shared passes (the default) ÷ scikit-learn GridSearchCV");
      assertThat(((Number) sk.get("iterations")).intValue()).isGreaterThanOrEqualTo(5);
    }
    assertThat(
            p.run("bench", "--rows", "3000", "--until", "nope", "--source", SAMPLE.toString())
                .expectExit(2)
                .stderr())
        .contains("--until nope");

    // stopping before prepare (no gold to search on) measures ingest and etl against the copy only
    TestProject.Result etlOnly =
        p.run(
                "bench",
                "--rows",
                "3000",
                "--until",
                "etl",
                "--no-peer",
                "--source",
                SAMPLE.toString(),
                "--out",
                out.toString(),
                "--work",
                p.dir().resolve("bench-work").toString())
            .expectExit(0);
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> etlMed =
        (Map<String, Map<String, Object>>)
            ((List<Map<String, Object>>)
                    TestProject.parse(
                            Files.readString(Path.of((String) etlOnly.summary().get("json")))
                                .replace("\n", " "))
                        .get("sizes"))
                .get(0)
                .get("median");
    assertThat(etlMed).containsOnlyKeys("ingest", "etl", "baseline.ingest");
    assertThat(etlOnly.stdout()).contains("bare-Spark landing→Delta");
  }

  private static Map<String, Double> freq(Dataset<Row> rows, String c) {
    long n = rows.count();
    Map<String, Double> m = new java.util.TreeMap<>();
    // bounded: a categorical column's few values
    for (Row r : rows.groupBy(c).count().collectAsList()) {
      m.put(r.getString(0), r.getLong(1) / (double) n);
    }
    return m;
  }

  private static long digest(Dataset<Row> rows) {
    return rows.selectExpr("sum(hash(*))").first().getLong(0);
  }

  /** The peer's rows per fold, as the report holds them (JSON numbers). */
  private static List<Long> foldRows(Map<String, Object> peer) {
    @SuppressWarnings("unchecked")
    List<Number> rows = (List<Number>) peer.get("foldRows");
    assertThat(rows).as("foldRows of %s", peer).isNotNull();
    return rows.stream().map(Number::longValue).toList();
  }
}
