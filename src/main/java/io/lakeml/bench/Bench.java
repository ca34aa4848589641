package io.lakeml.bench;

import static org.apache.spark.ml.functions.vector_to_array;
import static org.apache.spark.sql.functions.col;

import io.lakeml.config.ConfigLoader;
import io.lakeml.config.DatasetConfig;
import io.lakeml.config.LakemlConfig;
import io.lakeml.core.Job;
import io.lakeml.core.JobFailure;
import io.lakeml.core.LakeCatalog;
import io.lakeml.core.Pipeline;
import io.lakeml.core.Runner;
import io.lakeml.core.SparkSessions;
import io.lakeml.tables.GoldTable;
import io.lakeml.tune.TuneJob;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.commons.math3.stat.descriptive.rank.Percentile;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code jobs/lakeml bench}: per size, generates the data once, then {@code repeat} times on a
 * fresh lake runs the nightly's stages through the real jobs in this JVM (wall, CPU, peak heap per
 * stage), the logistic-regression search at parallelism 1 and 2 (same run, order alternated), the
 * bare-Spark {@link Baseline} and, when Python has scikit-learn, the scikit-learn peer on the same
 * grid. Writes JSON and a markdown table; medians over the repeats.
 */
public final class Bench {
  /**
   * What to run. {@code workDir} holds the generated data and the bench lakes (deleted per run).
   */
  public record Options(
      List<Long> rows,
      String dataset,
      int repeat,
      Path confDir,
      String env,
      List<String> overrides,
      String source,
      long seed,
      Path outDir,
      Path workDir,
      boolean peer,
      Path peerScript,
      Pipeline stages,
      boolean trees,
      Path treesPeerScript,
      boolean lr) {}

  /** The tree algorithms the bench times, each in a tune of its own, in this order. */
  static final List<String> TREES =
      List.of("random-forest", "xgboost-random-forest", "xgboost", "gradient-boosted-trees");

  /** The scikit-learn peers' input in a size's work folder: see {@link #peerTrainingCsv}. */
  static final String PEER_CSV = "peer-train.csv";

  /**
   * The bench's step for XGBoost's forest and boosting searched in one tune, as the nightly does.
   */
  static final String TREES_TOGETHER = "treeSearch.xgboost-together";

  /** One algorithm of {@code dataset.tune.algorithms} in the configuration's syntax. */
  private static String algorithm(DatasetConfig.Algorithm a) {
    return "{type = "
        + a.type()
        + ", grid {"
        + a.grid().entrySet().stream()
            .map(e -> e.getKey() + " = [" + String.join(", ", e.getValue()) + "]")
            .collect(Collectors.joining(", "))
        + "}}";
  }

  /** The grid's values of {@code key}, comma separated, or {@code fallback} when it has none. */
  private static String grid(DatasetConfig.Algorithm a, String key, String fallback) {
    return String.join(",", a.grid().getOrDefault(key, List.of(fallback)));
  }

  private static final LocalDate RUN_DATE = LocalDate.of(2026, 1, 1);
  private final Options o;
  private final PrintStream log;
  private final String stamp =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmm").withZone(ZoneOffset.UTC).format(Instant.now());

  public Bench(Options options, PrintStream log) {
    this.o = options;
    this.log = log;
  }

  /** Runs everything; returns the report (also written to {@code outDir}). */
  public Map<String, Object> run() throws Exception {
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("startedAt", Instant.now().toString());
    report.put("machine", machine());
    report.put("dataset", o.dataset());
    report.put("repeat", o.repeat());
    String python = o.peer() ? findPython() : null;
    report.put(
        "peer",
        python == null
            ? "not run: no Python with scikit-learn and pandas (apt-get install -y python3-sklearn python3-pandas)"
            : python);
    List<Map<String, Object>> sizes = new ArrayList<>();
    report.put("sizes", sizes);
    for (long n : o.rows()) {
      sizes.add(size(n, python));
      report.put("finishedAt", Instant.now().toString());
      write(report); // after every size, so a long run that dies later keeps what it measured
    }
    return report;
  }

  private Map<String, Object> size(long n, String python) throws Exception {
    Path work = o.workDir().resolve("rows-" + n).toAbsolutePath();
    List<String> overrides = new ArrayList<>(o.overrides());
    overrides.add("lake.root=" + work.resolve("lake").toUri());
    LakemlConfig config = ConfigLoader.load(o.confDir(), o.env(), o.dataset(), overrides);
    DatasetConfig ds = config.requireDataset();
    o.stages().validate(config);
    SparkSession spark = SparkSessions.getOrCreate(config, "lakeml bench");
    FileSystem fs = FileSystem.get(work.toUri(), spark.sparkContext().hadoopConfiguration());
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("rows", n);

    log.printf("bench: generating %,d rows of %s%n", n, o.dataset());
    String generated = work.resolve("generated").toUri().toString();
    Files.deleteIfExists(work.resolve(PEER_CSV)); // another invocation's rows
    Meter.Measured<Generator.Result> gen =
        Meter.measure(
            () -> Generator.generate(spark, ds, o.source(), n, o.seed(), 0.05, generated));
    Map<String, Object> g = new LinkedHashMap<>(gen.measurement().toMap());
    g.put("rowsWritten", gen.value().rows());
    g.put("baseRows", gen.value().baseRows());
    g.put("labelRate", gen.value().labelRate());
    out.put("generate", g);

    Map<String, List<String>> grid = lrGrid(ds);
    List<Map<String, Map<String, Object>>> runs = new ArrayList<>();
    for (int r = 1; r <= o.repeat(); r++) {
      Map<String, Map<String, Object>> run = new LinkedHashMap<>();
      Path lake = work.resolve("lake");
      fs.delete(new org.apache.hadoop.fs.Path(lake.toUri()), true);
      String landing = LakeCatalog.of(config).landing(ds);
      FileUtil.copy(
          fs,
          new org.apache.hadoop.fs.Path(generated),
          fs,
          new org.apache.hadoop.fs.Path(landing + "/generated"),
          false,
          spark.sparkContext().hadoopConfiguration());
      for (Pipeline.Stage s : o.stages().stages()) {
        log.printf("bench: rows=%d run %d/%d stage %s%n", n, r, o.repeat(), s.name());
        run.put(s.name(), stage(s.job().get(), config, n));
      }
      // the search alone, one algorithm (logistic regression, the dataset's grid): MLlib's
      // CrossValidator at
      // parallelism 1 and 2, then the shared passes (the default); it needs gold, so a bench that
      // stops
      // before prepare measures the copy baseline only
      boolean searches = o.stages().names().contains("prepare");
      // --no-lr: the trees alone (a 10M run's logistic-regression searches and baseline take
      // about 17 minutes)
      boolean lr = searches && o.lr();
      boolean oneFirst = r % 2 == 1;
      String lrOnly =
          "dataset.tune.algorithms=[{type = logistic-regression, grid {"
              + grid.entrySet().stream()
                  .map(e -> e.getKey() + " = [" + String.join(", ", e.getValue()) + "]")
                  .collect(Collectors.joining(", "))
              + "}}]";
      for (int p : !lr ? new int[0] : oneFirst ? new int[] {1, 2} : new int[] {2, 1}) {
        log.printf(
            "bench: rows=%d run %d/%d logistic-regression search, CrossValidator at parallelism %d%n",
            n, r, o.repeat(), p);
        run.put(
            "lrSearchParallelism" + p,
            stage(
                new io.lakeml.tune.TuneJob(),
                withOverrides(
                    overrides,
                    lrOnly,
                    "dataset.tune.shared-pass=false",
                    "dataset.tune.parallelism=" + p),
                n));
      }
      if (lr) {
        log.printf(
            "bench: rows=%d run %d/%d logistic-regression search in shared passes%n",
            n, r, o.repeat());
        run.put(
            "lrSearchSharedPass",
            stage(
                new io.lakeml.tune.TuneJob(),
                withOverrides(overrides, lrOnly, "dataset.tune.shared-pass=true"),
                n));
      }
      log.printf("bench: rows=%d run %d/%d bare-Spark baseline%n", n, r, o.repeat());
      Baseline.Result b =
          Baseline.run(
              spark,
              ds,
              landing + "/generated",
              work.resolve("baseline").toUri().toString(),
              grid,
              ds.tune().parallelism(),
              lr);
      b.steps()
          .forEach(
              (k, m) -> {
                Map<String, Object> v = new LinkedHashMap<>(m.toMap());
                v.put("rowsPerSecond", Math.round(n / m.wallSeconds()));
                run.put("baseline." + k, v);
              });
      if (lr) {
        run.get("baseline.crossValidation").put("bestAuc", Meter.round(b.bestAuc(), 6));
        run.get("baseline.crossValidation").put("trainRows", b.trainRows());
      }
      if (python != null && lr) {
        Object tr = run.get("lrSearchParallelism2").get("trainRows");
        long trainRows = tr instanceof Number t ? t.longValue() : b.trainRows();
        run.put("peer", peer(python, config, ds, work, trainRows, grid));
      }
      if (searches && o.trees()) {
        trees(run, config, ds, overrides, n, r, python, work);
      }
      runs.add(run);
    }
    out.put("runs", runs);
    out.put("median", medians(runs));
    return out;
  }

  /**
   * The dataset's tree algorithms, each searched alone by the real tune job (its grid, folds and
   * parallelism; searchSeconds include the refit of the winner), then scikit-learn's RandomForest
   * and HistGradientBoosting on the same rows, folds and grid (XGBoost's grid, or MLlib GBT's when
   * the dataset has no xgboost), their refits included.
   */
  private void trees(
      Map<String, Map<String, Object>> run,
      LakemlConfig config,
      DatasetConfig ds,
      List<String> overrides,
      long n,
      int r,
      String python,
      Path work)
      throws Exception {
    Map<String, DatasetConfig.Algorithm> configured = new LinkedHashMap<>();
    for (String type : TREES) {
      ds.tune().algorithms().stream()
          .filter(a -> a.type().equals(type))
          .findFirst()
          .ifPresent(a -> configured.put(type, a));
    }
    if (configured.isEmpty()) {
      log.printf(
          "bench: dataset %s has no tree algorithm in dataset.tune.algorithms (%s): no tree searches%n",
          ds.name(), TREES);
      return;
    }
    for (DatasetConfig.Algorithm a : configured.values()) {
      log.printf("bench: rows=%d run %d/%d %s search alone%n", n, r, o.repeat(), a.type());
      String only = "dataset.tune.algorithms=[" + algorithm(a) + "]";
      run.put(
          "treeSearch." + a.type(),
          stage(new io.lakeml.tune.TuneJob(), withOverrides(overrides, only), n));
    }
    DatasetConfig.Algorithm forestAlgorithm = configured.get("xgboost-random-forest");
    DatasetConfig.Algorithm boostAlgorithm = configured.get("xgboost");
    if (forestAlgorithm != null && boostAlgorithm != null) {
      // as the nightly searches them: XGBoost's forest and boosting in one tune, which reads their
      // rows and builds their matrix in one task for both
      log.printf(
          "bench: rows=%d run %d/%d xgboost-random-forest and xgboost searched together%n",
          n, r, o.repeat());
      String both =
          "dataset.tune.algorithms=["
              + algorithm(forestAlgorithm)
              + ", "
              + algorithm(boostAlgorithm)
              + "]";
      run.put(
          TREES_TOGETHER, stage(new io.lakeml.tune.TuneJob(), withOverrides(overrides, both), n));
    }
    if (python == null) {
      return;
    }
    Object tr = run.get("treeSearch." + configured.keySet().iterator().next()).get("trainRows");
    List<String> args =
        new ArrayList<>(
            List.of(
                "--rows",
                String.valueOf(tr),
                "--folds",
                Integer.toString(ds.tune().folds()),
                "--jobs",
                Integer.toString(Meter.cores())));
    DatasetConfig.Algorithm rf = configured.get("random-forest");
    DatasetConfig.Algorithm forest = configured.get("xgboost-random-forest");
    if (rf != null) {
      args.addAll(
          List.of(
              "--rf-trees", grid(rf, "numTrees", "20"), "--rf-depth", grid(rf, "maxDepth", "5")));
    } else if (forest != null) { // the XGBoost forest's defaults: 100 trees of depth 6
      args.addAll(
          List.of(
              "--rf-trees",
              grid(forest, "num_parallel_tree", "100"),
              "--rf-depth",
              grid(forest, "max_depth", "6")));
    }
    DatasetConfig.Algorithm xgb = configured.get("xgboost");
    DatasetConfig.Algorithm gbt = configured.get("gradient-boosted-trees");
    if (xgb
        != null) { // XGBoost's defaults where the grid does not say: 100 rounds, depth 6, eta 0.3
      args.addAll(
          List.of(
              "--gb-rounds",
              grid(xgb, "numRound", "100"),
              "--gb-depth",
              grid(xgb, "max_depth", "6"),
              "--gb-eta",
              grid(xgb, "eta", "0.3")));
    } else if (gbt != null) { // MLlib GBT's defaults: 20 rounds, depth 5, step 0.1
      args.addAll(
          List.of(
              "--gb-rounds",
              grid(gbt, "maxIter", "20"),
              "--gb-depth",
              grid(gbt, "maxDepth", "5"),
              "--gb-eta",
              grid(gbt, "stepSize", "0.1")));
    }
    long t0 = System.nanoTime();
    Map<String, Object> peer = runPeer(python, o.treesPeerScript(), config, ds, work, args);
    Map<String, Object> script = new LinkedHashMap<>();
    // the whole script as a process: interpreter start, imports, reading the CSV, every search
    script.put("processSeconds", Meter.round((System.nanoTime() - t0) / 1e9, 3));
    script.put("loadSeconds", peer.get("loadSeconds"));
    script.put("seconds", peer.get("seconds"));
    script.put("rows", peer.get("rows"));
    script.put("foldRows", peer.get("foldRows"));
    script.put("nJobs", peer.get("nJobs"));
    script.put("version", peer.get("version"));
    run.put("treePeer.script", script);
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> searches =
        (List<Map<String, Object>>) peer.getOrDefault("searches", List.of());
    for (Map<String, Object> s : searches) {
      run.put("treePeer." + s.get("algorithm"), new LinkedHashMap<>(s));
    }
  }

  /** The bench's configuration with more {@code --set} overrides (the later ones win). */
  private LakemlConfig withOverrides(List<String> overrides, String... more) {
    List<String> all = new ArrayList<>(overrides);
    all.addAll(List.of(more));
    return ConfigLoader.load(o.confDir(), o.env(), o.dataset(), all);
  }

  /** Runs one job through the Runner (summary to the log), measured. */
  private Map<String, Object> stage(Job job, LakemlConfig config, long n) throws Exception {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    Meter.Measured<Runner.Outcome> m;
    try (PrintStream capture = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
      m = Meter.measure(() -> Runner.run(job, config, RUN_DATE, capture));
    }
    log.print(buffer.toString(StandardCharsets.UTF_8));
    io.lakeml.core.Summary summary = m.value().summary();
    if (m.value().exitCode() != 0) {
      throw new JobFailure("bench: " + job.name() + " failed: " + summary.message());
    }
    Map<String, Object> v = new LinkedHashMap<>(m.measurement().toMap());
    v.put("status", summary.status().name());
    v.put("rowsPerSecond", Math.round(n / m.measurement().wallSeconds()));
    if (job instanceof io.lakeml.tune.TuneJob
        && summary.status() == io.lakeml.core.JobStatus.SUCCEEDED) {
      io.lakeml.core.TuneMetrics t =
          io.lakeml.core.JobResult.metricsAs(summary.metrics(), io.lakeml.core.TuneMetrics.class);
      v.put("fits", t.fits());
      v.put("searchSeconds", t.searchSeconds());
      // the search alone, without caching, scoring and registering around it
      if (t.searchSeconds() > 0) {
        v.put(
            "searchCpuUtilization",
            Meter.round(t.searchCpuSeconds() / (t.searchSeconds() * Meter.cores()), 3));
      }
      if (t.fits() > 0) {
        v.put("secondsPerFit", Meter.round(t.searchSeconds() / t.fits(), 3));
        // iterations tell a slow optimizer step from an optimizer that takes more steps than
        // scikit-learn's
        if (t.iterations() > 0) {
          v.put("iterations", t.iterations());
          v.put("iterationsPerFit", Meter.round((double) t.iterations() / t.fits(), 1));
        }
      }
      v.put("cvMetric", t.cvMetric());
      // the winner's metric on the validation split, which decides between algorithms
      v.put("validationMetric", t.validationMetric());
      v.put("algorithm", t.algorithm());
      v.put("parallelism", t.parallelism());
      v.put("trainRows", t.trainRows());
      v.put("trainCachedMb", t.trainCachedMb());
    }
    return v;
  }

  /** The dataset's first logistic-regression grid, e.g. regParam → [0.01, 0.1]. */
  private static Map<String, List<String>> lrGrid(DatasetConfig ds) {
    DatasetConfig.Algorithm a =
        ds.tune().algorithms().stream()
            .filter(x -> x.type().equals("logistic-regression"))
            .findFirst()
            .orElseThrow(
                () ->
                    new JobFailure(
                        "bench compares logistic-regression searches, and dataset '"
                            + ds.name()
                            + "' has none in dataset.tune.algorithms. Add one (e.g. grid { regParam = [0.001, 0.01, 0.1] })."));
    return a.grid();
  }

  private Map<String, Object> peer(
      String python,
      LakemlConfig config,
      DatasetConfig ds,
      Path work,
      long trainRows,
      Map<String, List<String>> grid)
      throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--rows",
                Long.toString(trainRows),
                "--reg",
                String.join(",", grid.getOrDefault("regParam", List.of("0.0"))),
                "--folds",
                Integer.toString(ds.tune().folds()),
                "--jobs",
                Integer.toString(Math.max(1, ds.tune().parallelism()))));
    if (grid.containsKey("tol")) {
      args.addAll(List.of("--tol", grid.get("tol").get(0)));
    }
    if (grid.containsKey("maxIter")) {
      args.addAll(List.of("--max-iter", grid.get("maxIter").get(0)));
    }
    return runPeer(python, o.peerScript(), config, ds, work, args);
  }

  /**
   * Runs a scikit-learn peer script on lakeml's training rows, features and folds ({@link
   * #peerTrainingCsv}) and returns its JSON line.
   */
  private Map<String, Object> runPeer(
      String python,
      Path script,
      LakemlConfig config,
      DatasetConfig ds,
      Path work,
      List<String> args)
      throws Exception {
    Path csv = peerTrainingCsv(config, ds, work);
    List<String> cmd =
        new ArrayList<>(List.of(python, script.toString(), "--training-csv", csv.toString()));
    cmd.addAll(args);
    log.println("bench: scikit-learn peer: " + String.join(" ", cmd));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
    // the field notes' rule for numpy peers on this kind of machine: OpenBLAS picks its own kernel
    // and cache size
    pb.environment().remove("OPENBLAS_CORETYPE");
    pb.environment().remove("OPENBLAS_L2_SIZE");
    Process p = pb.start();
    String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(2, TimeUnit.HOURS) || p.exitValue() != 0) {
      throw new JobFailure(
          "bench: the scikit-learn peer "
              + script.getFileName()
              + " failed (exit "
              + p.exitValue()
              + "); its error output is above.");
    }
    String last = stdout.lines().reduce((a, b) -> b).orElse("{}");
    @SuppressWarnings("unchecked")
    Map<String, Object> m = io.lakeml.config.Json.MAPPER.readValue(last, Map.class);
    return m;
  }

  /**
   * lakeml's training split as one CSV for the scikit-learn peers, written once per size (not
   * timed): the label, the weight, the fold tune's cross-validation gives the row, and the feature
   * vector's slots as {@code f0, f1, …}, from gold's latest version, the one the searches trained
   * on. Before, the peers drew their own random sample of the generated rows and their own {@code
   * KFold}: at 10M rows that alone moved the forest's CV AUC by 0.0007.
   */
  private Path peerTrainingCsv(LakemlConfig config, DatasetConfig ds, Path work)
      throws IOException {
    Path csv = work.resolve(PEER_CSV);
    if (Files.exists(csv)) {
      return csv;
    }
    SparkSession spark = SparkSession.active();
    Dataset<Row> rows =
        TuneJob.trainingFolds(
                spark.read().format("delta").load(LakeCatalog.of(config).gold(ds.name()).path()),
                ds)
            .select(
                col(GoldTable.LABEL),
                col(GoldTable.WEIGHT),
                col(TuneJob.FOLD).as("fold"),
                vector_to_array(col(GoldTable.FEATURES), "float64").as(GoldTable.FEATURES));
    int width =
        rows.select(org.apache.spark.sql.functions.size(col(GoldTable.FEATURES))).first().getInt(0);
    List<Column> columns =
        new ArrayList<>(List.of(col(GoldTable.LABEL), col(GoldTable.WEIGHT), col("fold")));
    for (int i = 0; i < width; i++) {
      columns.add(col(GoldTable.FEATURES).getItem(i).as("f" + i));
    }
    String tmp = work.resolve("peer-train").toUri().toString();
    rows.select(columns.toArray(Column[]::new))
        .coalesce(1)
        .write()
        .mode("overwrite")
        .option("header", "true")
        .csv(tmp);
    try (var files = Files.list(work.resolve("peer-train"))) {
      Path part =
          files.filter(f -> f.getFileName().toString().endsWith(".csv")).findFirst().orElseThrow();
      Files.move(part, csv);
    }
    return csv;
  }

  /** The first Python that imports scikit-learn and pandas, or null. */
  static String findPython() {
    for (String py : List.of("python3", "/usr/bin/python3")) {
      try {
        Process p =
            new ProcessBuilder(py, "-c", "import sklearn, pandas")
                .redirectErrorStream(true)
                .start();
        p.getInputStream().readAllBytes();
        if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) {
          return py;
        }
      } catch (IOException | InterruptedException e) {
        // not there: try the next one
      }
    }
    return null;
  }

  /** Per step, the median of every numeric field over the runs. */
  static Map<String, Map<String, Object>> medians(List<Map<String, Map<String, Object>>> runs) {
    Map<String, Map<String, Object>> out = new LinkedHashMap<>();
    for (String step : runs.get(0).keySet()) {
      Map<String, Object> m = new LinkedHashMap<>();
      for (Map.Entry<String, Object> e : runs.get(0).get(step).entrySet()) {
        if (e.getValue() instanceof Number) {
          List<Double> values = new ArrayList<>();
          for (Map<String, Map<String, Object>> run : runs) {
            Object v = run.getOrDefault(step, Map.of()).get(e.getKey());
            if (v instanceof Number num) {
              values.add(num.doubleValue());
            }
          }
          // R-7 at 50: the middle value, or the mean of the two middle ones
          m.put(
              e.getKey(),
              Meter.round(
                  new Percentile()
                      .withEstimationType(Percentile.EstimationType.R_7)
                      .evaluate(values.stream().mapToDouble(Double::doubleValue).toArray(), 50),
                  4));
        } else {
          m.put(e.getKey(), e.getValue());
        }
      }
      out.put(step, m);
    }
    return out;
  }

  /** The machine a report was measured on. */
  public static Map<String, Object> machine() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cores", Meter.cores());
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    m.put("memoryGiB", Meter.round(os.getTotalMemorySize() / (1024.0 * 1024 * 1024), 1));
    m.put(
        "os",
        System.getProperty("os.name")
            + " "
            + System.getProperty("os.version")
            + " "
            + System.getProperty("os.arch"));
    m.put(
        "jvm",
        System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    m.put("driverMaxHeapMb", Runtime.getRuntime().maxMemory() / (1024 * 1024));
    m.put("spark", org.apache.spark.package$.MODULE$.SPARK_VERSION());
    m.put("loadAverageAtStart", os.getSystemLoadAverage());
    return m;
  }

  private void write(Map<String, Object> report) throws IOException {
    Files.createDirectories(o.outDir());
    Path json = o.outDir().resolve("bench-" + stamp + ".json");
    Path md = o.outDir().resolve("bench-" + stamp + ".md");
    Files.writeString(
        json,
        io.lakeml.config.Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(report)
            + "\n");
    Files.writeString(md, BenchMarkdown.render(report));
    report.put("json", json.toString());
    report.put("markdown", md.toString());
    log.println("bench: wrote " + json + " and " + md);
  }
}
