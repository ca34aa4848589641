package io.lakeml.cli;

import io.lakeml.bench.Bench;
import io.lakeml.bench.Generator;
import io.lakeml.bench.IdxImages;
import io.lakeml.bench.StageOverhead;
import io.lakeml.config.ConfigException;
import io.lakeml.config.ConfigLoader;
import io.lakeml.config.DatasetConfig;
import io.lakeml.config.LakemlConfig;
import io.lakeml.core.JobFailure;
import io.lakeml.core.LakeCatalog;
import io.lakeml.core.SparkSessions;
import io.lakeml.tables.ModelsTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
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
import org.apache.commons.io.FileUtils;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code generate}, {@code land-idx} and {@code bench} commands: data for benchmarks and their
 * runs.
 */
final class BenchCommands {
  private BenchCommands() {}

  /**
   * The real dataset's CSV: {@code --source}, or {@code ../shared/data/<name>.csv} beside the
   * project.
   */
  static String source(Path confDir, String explicit, String dataset) {
    if (explicit != null) {
      return Path.of(explicit).toAbsolutePath().toUri().toString();
    }
    Path project = confDir.toAbsolutePath().normalize().getParent();
    Path guess = project.resolveSibling("shared").resolve("data").resolve(dataset + ".csv");
    if (!Files.exists(guess)) {
      throw new ConfigException(
          "no base data for '"
              + dataset
              + "': "
              + guess
              + " does not exist. Pass --source with the path of the real dataset's CSV.");
    }
    return guess.toUri().toString();
  }

  @Command(
      name = "generate",
      mixinStandardHelpOptions = true,
      description =
          "Scales a real dataset to N rows (resampled with small noise on numeric columns, category frequencies and label rate kept, an id key added) and lands them as Parquet in the dataset's landing folder.")
  static final class Generate extends Main.OperatorCommand {
    @Option(
        names = "--from",
        required = true,
        description = "Dataset whose configuration (schema, landing) applies, e.g. fertility.")
    String from;

    @Option(names = "--rows", required = true, description = "Rows to generate, e.g. 10000000.")
    long rows;

    @Option(
        names = "--seed",
        defaultValue = "42",
        description = "Seed of the resampling and the noise (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
        names = "--noise",
        defaultValue = "0.05",
        description =
            "Noise on numeric columns, as a fraction of their standard deviation (default: ${DEFAULT-VALUE}).")
    double noise;

    @Option(
        names = "--source",
        description =
            "The real dataset as CSV with a header (default: ../shared/data/<from>.csv beside the project).")
    String source;

    @Override
    String commandName() {
      return "generate";
    }

    @Override
    String datasetName() {
      return from;
    }

    @Override
    Map<String, Object> execute() {
      if (rows < 1) {
        throw new ConfigException("--rows " + rows + " must be at least 1.");
      }
      if (noise < 0) {
        throw new ConfigException("--noise " + noise + " must be 0 or more.");
      }
      LakemlConfig config = ConfigLoader.load(common.confDir, common.env, from, common.overrides());
      DatasetConfig ds = config.requireDataset();
      if (ds.source().format() != DatasetConfig.Format.PARQUET) {
        throw new ConfigException(
            "generate lands Parquet, but dataset '"
                + from
                + "' reads "
                + ds.source().format()
                + " (dataset.source.format). Use a dataset configured with format = parquet, like conf/datasets/fertility.conf.");
      }
      String base = source(common.confDir, source, from);
      SparkSession spark = SparkSessions.getOrCreate(config, "lakeml generate " + from);
      String target = LakeCatalog.of(config).landing(ds) + "/generated-" + rows + "-seed" + seed;
      try {
        Generator.Result r = Generator.generate(spark, ds, base, rows, seed, noise, target);
        out.printf(
            "generated %,d rows from %,d base rows in %.1f s: %s%n",
            r.rows(), r.baseRows(), r.seconds(), r.path());
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("rows", r.rows());
        s.put("baseRows", r.baseRows());
        s.put("partitions", r.partitions());
        s.put("labelRate", r.labelRate());
        s.put("path", r.path());
        return s;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  @Command(
      name = "land-idx",
      mixinStandardHelpOptions = true,
      description =
          "Lands an image set in the IDX format of MNIST / Fashion-MNIST (Debian: dataset-fashion-mnist) as one CSV in the dataset's landing folder: image (key), label, pixel1…pixelN (0–255).")
  static final class LandIdx extends Main.OperatorCommand {
    @Option(
        names = "--dataset",
        required = true,
        description = "Dataset whose landing folder receives the file, e.g. fashion_mnist.")
    String dataset;

    @Option(
        names = "--images",
        required = true,
        description =
            "The images file, e.g. /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz.")
    String images;

    @Option(
        names = "--labels",
        required = true,
        description = "The matching labels file, e.g. …/train-labels-idx1-ubyte.gz.")
    String labels;

    @Option(
        names = "--name",
        required = true,
        description =
            "The set's name: the file is <name>.csv and each key <name>-<index>, e.g. train.")
    String name;

    @Option(
        names = "--classes",
        split = ",",
        description = "Class names by label value 0, 1, … (default: the label value itself).")
    List<String> classes = new ArrayList<>();

    @Override
    String commandName() {
      return "land-idx";
    }

    @Override
    String datasetName() {
      return dataset;
    }

    @Override
    Map<String, Object> execute() {
      if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
        throw new ConfigException(
            "--name '"
                + name
                + "' must be letters, digits, '.', '_' or '-' (not starting with '.' or '_', which ingest skips as hidden).");
      }
      LakemlConfig config =
          ConfigLoader.load(common.confDir, common.env, dataset, common.overrides());
      DatasetConfig ds = config.requireDataset();
      if (ds.source().format() != DatasetConfig.Format.CSV) {
        throw new ConfigException(
            "land-idx writes CSV, but dataset '"
                + dataset
                + "' reads "
                + ds.source().format()
                + " (dataset.source.format). Set format = csv, as in conf/datasets/fashion_mnist.conf.");
      }
      for (String f : List.of(images, labels)) {
        if (!f.contains("://") && !Files.isRegularFile(Path.of(f))) {
          throw new ConfigException(
              f
                  + " does not exist. On Debian the Fashion-MNIST files come with `apt-get install dataset-fashion-mnist` under /usr/share/datasets/fashion-mnist/.");
        }
      }
      String folder = LakeCatalog.of(config).landing(ds);
      long t0 = System.nanoTime();
      try {
        IdxImages.Result r =
            IdxImages.land(uri(images), uri(labels), classes, folder, name, new Configuration());
        double seconds = (System.nanoTime() - t0) / 1e9;
        out.printf(
            "landed %,d images of %d pixels (%d classes) in %.1f s: %s%n",
            r.images(), r.pixels(), r.classes(), seconds, r.path());
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("rows", r.images());
        s.put("pixels", r.pixels());
        s.put("classes", r.classes());
        s.put("path", r.path());
        return s;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private static String uri(String f) {
      return f.contains("://") ? f : Path.of(f).toAbsolutePath().toUri().toString();
    }
  }

  @Command(
      name = "bench",
      mixinStandardHelpOptions = true,
      description =
          "Benchmark: per size, generated data through every stage in one JVM (wall, rows/s, CPU utilization, peak heap), the logistic-regression search at parallelism 1 and 2, the tree searches, a bare-Spark baseline and the scikit-learn peers; JSON and markdown under docs/benchmarks/.")
  static final class BenchCommand extends Main.OperatorCommand {
    @Option(
        names = "--rows",
        split = ",",
        defaultValue = "100000,1000000",
        description = "Sizes, comma separated (default: ${DEFAULT-VALUE}).")
    List<Long> rows = new ArrayList<>();

    @Option(
        names = "--dataset",
        defaultValue = "fertility",
        description = "Dataset (default: ${DEFAULT-VALUE}).")
    String dataset;

    @Option(
        names = "--repeat",
        defaultValue = "1",
        description = "Runs per size; the report shows medians (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(
        names = "--source",
        description =
            "The real dataset as CSV (default: ../shared/data/<dataset>.csv beside the project).")
    String source;

    @Option(
        names = "--out",
        defaultValue = "docs/benchmarks",
        description = "Where the JSON and markdown go (default: ${DEFAULT-VALUE}).")
    Path outDir;

    @Option(
        names = "--work",
        defaultValue = "target/bench",
        description =
            "Generated data and bench lakes; emptied per run (default: ${DEFAULT-VALUE}).")
    Path work;

    @Option(
        names = "--until",
        defaultValue = "monitor",
        description = "Last nightly stage to run (default: ${DEFAULT-VALUE}).")
    String until;

    @Option(names = "--no-peer", description = "Skip the scikit-learn peer.")
    boolean noPeer;

    @Option(
        names = "--peer-script",
        description =
            "The scikit-learn peer script (default: jobs/bench/sklearn_peer.py of this project).")
    Path peerScript;

    @Option(
        names = "--no-trees",
        description =
            "Skip the tree searches (the dataset's random-forest, xgboost-random-forest, xgboost and "
                + "gradient-boosted-trees, "
                + "each alone) and their scikit-learn peer (RandomForest, HistGradientBoosting).")
    boolean noTrees;

    @Option(
        names = "--no-lr",
        description =
            "Skip the logistic-regression searches (CrossValidator at parallelism 1 and 2, shared "
                + "passes), the bare-Spark baseline's cross-validation and the scikit-learn "
                + "GridSearchCV peer: the tree searches alone.")
    boolean noLr;

    @Option(
        names = "--trees-peer-script",
        description =
            "The scikit-learn tree peer script (default: jobs/bench/sklearn_trees_peer.py of this project).")
    Path treesPeerScript;

    @Override
    String commandName() {
      return "bench";
    }

    @Override
    String datasetName() {
      return dataset;
    }

    @Override
    Map<String, Object> execute() {
      if (repeat < 1) {
        throw new ConfigException("--repeat " + repeat + " must be at least 1.");
      }
      if (rows.isEmpty() || rows.stream().anyMatch(n -> n < 100)) {
        throw new ConfigException("--rows " + rows + ": every size must be at least 100.");
      }
      io.lakeml.core.Pipeline stages = Nightly.PIPELINE.until(until);
      Path project = common.confDir.toAbsolutePath().normalize().getParent();
      Bench.Options o =
          new Bench.Options(
              rows,
              dataset,
              repeat,
              common.confDir,
              common.env,
              common.overrides(),
              source(common.confDir, source, dataset),
              42,
              outDir,
              work,
              !noPeer,
              peerScript != null ? peerScript : project.resolve("jobs/bench/sklearn_peer.py"),
              stages,
              !noTrees,
              treesPeerScript != null
                  ? treesPeerScript
                  : project.resolve("jobs/bench/sklearn_trees_peer.py"),
              !noLr);
      try {
        Map<String, Object> report = new Bench(o, err).run();
        out.print(Files.readString(Path.of((String) report.get("markdown"))));
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("rows", rows);
        s.put("repeat", repeat);
        s.put("json", report.get("json"));
        s.put("markdown", report.get("markdown"));
        return s;
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException(e.getMessage(), e);
      }
    }
  }

  @Command(
      name = "bench-small",
      mixinStandardHelpOptions = true,
      description =
          "What a small dataset's nightly costs, as a user runs it: per repeat, on fresh lakes, the nightly from an empty lake, a same-date rerun "
              + "and a promote with nothing to promote, each whole command beside the same without one cut; medians, each cut's share, Spark jobs per stage; "
              + "small-<UTC time>.{json,md} under docs/benchmarks/.")
  static final class BenchSmall extends Main.OperatorCommand {
    @Option(
        names = "--dataset",
        defaultValue = "titanic",
        description = "Dataset whose shipped landing files are used (default: ${DEFAULT-VALUE}).")
    String dataset;

    @Option(
        names = "--repeat",
        defaultValue = "3",
        description = "Repeats; the report shows medians (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(
        names = "--with-separate",
        description = "Also run the nightly with a JVM per stage in every repeat (adds minutes).")
    boolean withSeparate;

    @Option(
        names = "--out",
        defaultValue = "docs/benchmarks",
        description = "Where the JSON and markdown go (default: ${DEFAULT-VALUE}).")
    Path outDir;

    @Option(
        names = "--work",
        defaultValue = "target/bench-small",
        description = "The bench lakes; emptied per run (default: ${DEFAULT-VALUE}).")
    Path work;

    @Override
    String commandName() {
      return "bench-small";
    }

    @Override
    String datasetName() {
      return dataset;
    }

    @Override
    Map<String, Object> execute() {
      if (repeat < 1) {
        throw new ConfigException("--repeat " + repeat + " must be at least 1.");
      }
      LakemlConfig config =
          ConfigLoader.load(common.confDir, common.env, dataset, common.overrides());
      DatasetConfig ds = config.requireDataset();
      Path landing = shippedLanding(config, "bench-small");
      String stamp =
          DateTimeFormatter.ofPattern("yyyyMMdd-HHmm")
              .withZone(ZoneOffset.UTC)
              .format(Instant.now());
      String runDate = LocalDate.now(ZoneOffset.UTC).toString();
      Map<String, Object> report = new LinkedHashMap<>();
      report.put("startedAt", Instant.now().toString());
      report.put("machine", Bench.machine());
      report.put("dataset", dataset);
      List<Map<String, Double>> repeats = new ArrayList<>();
      List<Map<String, Object>> firstStages = null;
      boolean same = true;
      long commits = 0;
      try {
        boolean classArchive = awaitClassArchive(ds, landing, runDate);
        report.put("classArchive", classArchive);
        for (int r = 1; r <= repeat; r++) {
          Map<String, Double> seconds = new LinkedHashMap<>();
          Path lake = fresh(ds, landing, "r" + r);
          Path plain = fresh(ds, landing, "r" + r + "-generated-code");
          // alternate which goes first: a busy machine then hurts both alike
          List<String> order = new ArrayList<>(List.of("nightly", "nightlyGeneratedCode"));
          if (classArchive) {
            order.add("nightlyWithoutCds");
          }
          if (System.getenv(StageProcess.LAUNCHER) != null) {
            // the thresholds are the launcher's: without it both sides would be the same JVM
            order.add("nightlyDefaultJit");
          }
          if (r % 2 == 0) {
            java.util.Collections.reverse(order);
          }
          for (String key : order) {
            Map<String, Object> s =
                timed(
                    seconds,
                    key,
                    switch (key) {
                      case "nightly" -> nightly(lake, runDate, List.of());
                      case "nightlyGeneratedCode" ->
                          nightly(plain, runDate, List.of("--set", "spark.small-input.max-mb=0"));
                      case "nightlyDefaultJit" ->
                          command(
                              fresh(ds, landing, "r" + r + "-default-jit"),
                              runDate,
                              "nightly",
                              List.of(),
                              DEFAULT_JIT);
                      default ->
                          command(
                              fresh(ds, landing, "r" + r + "-without-cds"),
                              runDate,
                              "nightly",
                              List.of(),
                              WITHOUT_CDS);
                    });
            if (key.equals("nightly") && firstStages == null) {
              @SuppressWarnings("unchecked")
              List<Map<String, Object>> stages = (List<Map<String, Object>>) s.get("stages");
              firstStages = stages;
            }
          }
          if (withSeparate) {
            timed(
                seconds,
                "nightlySeparate",
                nightly(fresh(ds, landing, "r" + r + "-separate"), runDate, List.of("--separate")));
          }
          Map<String, Object> rerun = timed(seconds, "rerun", nightly(lake, runDate, List.of()));
          requireAllSkipped(rerun, true);
          requireAllSkipped(
              timed(
                  seconds,
                  "rerunWithSpark",
                  nightly(lake, runDate, List.of("--set", "lake.skip-unchanged=false"))),
              false);
          if (classArchive) {
            requireAllSkipped(
                timed(
                    seconds,
                    "rerunWithoutCds",
                    command(lake, runDate, "nightly", List.of(), WITHOUT_CDS)),
                true);
          }
          timed(seconds, "promote", command(lake, runDate, "promote", List.of()));
          timed(
              seconds,
              "promoteWithSpark",
              command(lake, runDate, "promote", List.of("--set", "lake.skip-unchanged=false")));
          same &= io.lakeml.bench.SmallNightly.sameRows(registry(lake), registry(plain));
          if (r == 1) {
            commits =
                io.lakeml.core.LakeState.commits(
                    new LakeCatalog(lake.toUri().toString()), new Configuration());
          }
          repeats.add(seconds);
          err.println("bench-small: repeat " + r + "/" + repeat + ": " + seconds);
        }
        Map<String, Double> medians = io.lakeml.bench.SmallNightly.medians(repeats);
        report.put("repeats", repeats);
        report.put("medians", medians);
        report.put("sameMetrics", same);
        report.put("deltaCommits", commits);
        report.put("firstNightlyStages", firstStages);
        report.put("finishedAt", Instant.now().toString());
        Files.createDirectories(outDir);
        Path json = outDir.resolve("small-" + stamp + ".json");
        Path md = outDir.resolve("small-" + stamp + ".md");
        Files.writeString(
            json,
            io.lakeml.config.Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(report)
                + "\n");
        @SuppressWarnings("unchecked")
        Map<String, Object> machine = (Map<String, Object>) report.get("machine");
        String text =
            "# lakeml small nightly: "
                + dataset
                + "\n\nStarted "
                + report.get("startedAt")
                + ". Machine: "
                + machine.get("cores")
                + " cores, "
                + machine.get("memoryGiB")
                + " GiB, "
                + machine.get("jvm")
                + ", load average at start "
                + machine.get("loadAverageAtStart")
                + ". "
                + repeat
                + " repeat(s).\n\n"
                + io.lakeml.bench.SmallNightly.markdown(
                    medians, repeats, firstStages, same, commits);
        Files.writeString(md, text);
        out.print(text);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("repeat", repeat);
        s.put("medians", medians);
        s.put("sameMetrics", same);
        s.put("json", json.toString());
        s.put("markdown", md.toString());
        if (!same) {
          throw new JobFailure(
              "the registry rows differ (beyond 1e-9) with and without the small-input settings (see spark.small-input in the README); see "
                  + md);
        }
        return s;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private Path fresh(DatasetConfig ds, Path landing, String name) throws IOException {
      return freshLake(work, name, ds, landing);
    }

    private java.util.function.Supplier<StageProcess.Child> nightly(
        Path lake, String runDate, List<String> extra) {
      return command(lake, runDate, "nightly", extra);
    }

    private java.util.function.Supplier<StageProcess.Child> command(
        Path lake, String runDate, String command, List<String> extra) {
      return command(lake, runDate, command, extra, Map.of());
    }

    /**
     * Whether the launcher's commands map a class-data-sharing archive (jobs/lib/cds.sh), so that
     * the default side is measured with one and {@code LAKEML_CDS=off} beside it. The launcher
     * names this build's archive in {@code LAKEML_CDS_ARCHIVE}; without it yet, one nightly on a
     * lake of its own (not measured) records the classes, and the background dump is waited for.
     */
    private boolean awaitClassArchive(DatasetConfig ds, Path landing, String runDate)
        throws IOException {
      String file = System.getenv("LAKEML_CDS_ARCHIVE");
      if (System.getenv(StageProcess.LAUNCHER) == null || file == null || file.isBlank()) {
        return false;
      }
      Path archive = Path.of(file);
      Path cds = archive.getParent();
      if (!Files.isRegularFile(archive)) {
        err.println(
            "bench-small: one nightly first, for the launcher's class archive (not measured)");
        StageProcess.Child o =
            nightly(fresh(ds, landing, "class-archive"), runDate, List.of()).get();
        if (o.exitCode() != 0) {
          throw new JobFailure("the nightly for the class archive failed: " + o.message());
        }
      }
      long deadline = System.nanoTime() + 600_000_000_000L;
      while (has(cds, ".lock") && System.nanoTime() < deadline) {
        try {
          Thread.sleep(1000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      boolean ready = Files.isRegularFile(archive) && !has(cds, ".lock");
      if (!ready) {
        err.println(
            "bench-small: no class archive "
                + archive
                + " (see the lakeml-*.log beside it): measuring without the class-data-sharing cut");
      }
      return ready;
    }

    private static boolean has(Path dir, String suffix) throws IOException {
      if (!Files.isDirectory(dir)) {
        return false;
      }
      try (java.util.stream.Stream<Path> s = Files.list(dir)) {
        return s.anyMatch(f -> f.getFileName().toString().endsWith(suffix));
      }
    }

    private static final Map<String, String> WITHOUT_CDS = Map.of("LAKEML_CDS", "off");

    /** The launcher's local JVM with HotSpot's own C2 thresholds (jobs/lakeml). */
    private static final Map<String, String> DEFAULT_JIT = Map.of("LAKEML_JIT", "default");

    private java.util.function.Supplier<StageProcess.Child> command(
        Path lake, String runDate, String command, List<String> extra, Map<String, String> env) {
      List<String> args =
          new ArrayList<>(
              List.of(
                  command,
                  "--dataset",
                  dataset,
                  "--run-date",
                  runDate,
                  "--env",
                  common.env,
                  "--conf-dir",
                  common.confDir.toAbsolutePath().toString()));
      for (String set : common.sets) {
        args.add("--set");
        args.add(set);
      }
      args.addAll(List.of("--set", "lake.root=" + lake));
      args.addAll(extra);
      return () -> {
        err.println("bench-small: " + (env.isEmpty() ? "" : env + " ") + String.join(" ", args));
        return StageProcess.run(command, args, err, err, null, env);
      };
    }

    private Map<String, Object> timed(
        Map<String, Double> seconds,
        String key,
        java.util.function.Supplier<StageProcess.Child> run) {
      long t0 = System.nanoTime();
      StageProcess.Child o = run.get();
      seconds.put(key, Math.round((System.nanoTime() - t0) / 1e7) / 100.0);
      if (o.exitCode() != 0) {
        throw new JobFailure(key + " failed: " + o.message() + " (its log is above)");
      }
      return o.summary();
    }

    @SuppressWarnings("unchecked")
    private static void requireAllSkipped(Map<String, Object> nightly, boolean withoutSpark) {
      for (Map<String, Object> st : (List<Map<String, Object>>) nightly.get("stages")) {
        // a stage decided without Spark has no Spark job count
        boolean quick = !((Map<String, Object>) st.get("timings")).containsKey("sparkJobs");
        if (!"SKIPPED".equals(st.get("status")) || quick != withoutSpark) {
          throw new JobFailure(
              "the rerun was not a no-op "
                  + (withoutSpark ? "decided without Spark" : "decided with Spark")
                  + ": "
                  + st
                  + (withoutSpark
                      ? ". The nightly's log above says why its stages could not skip without"
                          + " Spark: most often the launcher rebuilt lakeml's jar because src/main or"
                          + " pom.xml changed while the bench ran (a new build invalidates the state"
                          + " the nightly recorded), or a file was written into the bench's lake."
                          + " Rerun the bench without touching either"
                      : ""));
        }
      }
    }

    /**
     * The registry rows and predictions of a lake as JSON lines, read by {@code lakeml sql} in its
     * own process.
     */
    private String registry(Path lake) {
      java.io.ByteArrayOutputStream rows = new java.io.ByteArrayOutputStream();
      String query =
          "select "
              + String.join(
                  ", ",
                  ModelsTable.VERSION,
                  ModelsTable.ALGORITHM,
                  ModelsTable.PARAMS,
                  ModelsTable.CV_METRIC,
                  ModelsTable.TRAIN_METRICS,
                  ModelsTable.VALIDATION_METRICS,
                  ModelsTable.TEST_METRICS,
                  ModelsTable.CONFUSION_MATRIX,
                  ModelsTable.TRAIN_ROWS,
                  ModelsTable.VALIDATION_ROWS,
                  ModelsTable.TEST_ROWS)
              + ", (select round(sum(probability), 9) from predictions."
              + dataset
              + ") as probability_sum from _system."
              + ModelsTable.TABLE
              + " order by "
              + ModelsTable.VERSION;
      StageProcess.Child o =
          StageProcess.run(
              "sql",
              List.of(
                  "sql",
                  query,
                  "--set",
                  "lake.root=" + lake,
                  "--conf-dir",
                  common.confDir.toAbsolutePath().toString()),
              new java.io.PrintStream(rows, true, java.nio.charset.StandardCharsets.UTF_8),
              err,
              null);
      if (o.exitCode() != 0) {
        throw new JobFailure("reading the registry of " + lake + " failed: " + o.message());
      }
      return rows.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  @Command(
      name = "bench-overhead",
      mixinStandardHelpOptions = true,
      description =
          "What a JVM per stage costs: the dataset's nightly on fresh lakes, once with every stage its own application and once in one JVM (--in-process), per stage split into launch, session, warm-up and ledger; JSON and markdown under docs/benchmarks/.")
  static final class BenchOverhead extends Main.OperatorCommand {
    @Option(
        names = "--dataset",
        defaultValue = "titanic",
        description = "Dataset whose shipped landing files are used (default: ${DEFAULT-VALUE}).")
    String dataset;

    @Option(
        names = "--repeat",
        defaultValue = "3",
        description = "Pairs of nightlies; the report shows medians (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(
        names = "--until",
        defaultValue = "report",
        description = "Last nightly stage (default: ${DEFAULT-VALUE}).")
    String until;

    @Option(
        names = "--out",
        defaultValue = "docs/benchmarks",
        description = "Where the JSON and markdown go (default: ${DEFAULT-VALUE}).")
    Path outDir;

    @Option(
        names = "--work",
        defaultValue = "target/bench-overhead",
        description = "The bench lakes; emptied per run (default: ${DEFAULT-VALUE}).")
    Path work;

    @Override
    String commandName() {
      return "bench-overhead";
    }

    @Override
    String datasetName() {
      return dataset;
    }

    @Override
    Map<String, Object> execute() {
      if (repeat < 1) {
        throw new ConfigException("--repeat " + repeat + " must be at least 1.");
      }
      Nightly.PIPELINE.until(until); // an unknown stage fails here, before anything runs
      LakemlConfig config =
          ConfigLoader.load(common.confDir, common.env, dataset, common.overrides());
      DatasetConfig ds = config.requireDataset();
      Path landing = shippedLanding(config, "bench-overhead");
      String stamp =
          DateTimeFormatter.ofPattern("yyyyMMdd-HHmm")
              .withZone(ZoneOffset.UTC)
              .format(Instant.now());
      String runDate = LocalDate.now(ZoneOffset.UTC).toString();
      Map<String, Object> report = new LinkedHashMap<>();
      report.put("startedAt", Instant.now().toString());
      report.put("machine", Bench.machine());
      report.put("stageJvmOptions", System.getenv().getOrDefault("LAKEML_JAVA_OPTS", ""));
      report.put("dataset", dataset);
      List<StageOverhead.Pair> pairs = new ArrayList<>();
      try {
        for (int r = 1; r <= repeat; r++) {
          Map<String, Object> sep = null;
          Map<String, Object> in = null;
          double sepS = 0;
          double inS = 0;
          // alternate which goes first: a busy machine then hurts both alike
          for (boolean inProcess :
              r % 2 == 1 ? new boolean[] {false, true} : new boolean[] {true, false}) {
            Path lake =
                freshLake(work, "r" + r + (inProcess ? "-in-process" : "-separate"), ds, landing);
            List<String> args =
                new ArrayList<>(
                    List.of(
                        "nightly",
                        "--dataset",
                        dataset,
                        "--until",
                        until,
                        "--run-date",
                        runDate,
                        "--env",
                        common.env,
                        "--conf-dir",
                        common.confDir.toAbsolutePath().toString()));
            for (String set : common.sets) {
              args.add("--set");
              args.add(set);
            }
            args.addAll(List.of("--set", "lake.root=" + lake));
            args.add(inProcess ? "--in-process" : "--separate");
            err.println(
                "bench-overhead: run "
                    + r
                    + "/"
                    + repeat
                    + ", "
                    + (inProcess ? "one JVM" : "a JVM per stage")
                    + ", lake "
                    + lake);
            long t0 = System.nanoTime();
            StageProcess.Child o = StageProcess.run("nightly", args, err, err, null);
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (o.exitCode() != 0) {
              throw new JobFailure(
                  "the nightly of run "
                      + r
                      + (inProcess ? " in one JVM" : " with a JVM per stage")
                      + " failed: "
                      + o.message()
                      + " (its log is above; lake "
                      + lake
                      + ")");
            }
            if (inProcess) {
              in = o.summary();
              inS = seconds;
            } else {
              sep = o.summary();
              sepS = seconds;
            }
          }
          pairs.add(new StageOverhead.Pair(sep, sepS, in, inS));
        }
        Map<String, Object> analysis = StageOverhead.analyse(pairs);
        report.putAll(analysis);
        report.put("finishedAt", Instant.now().toString());
        Files.createDirectories(outDir);
        Path json = outDir.resolve("stage-overhead-" + stamp + ".json");
        Path md = outDir.resolve("stage-overhead-" + stamp + ".md");
        Files.writeString(
            json,
            io.lakeml.config.Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(report)
                + "\n");
        @SuppressWarnings("unchecked")
        Map<String, Object> machine = (Map<String, Object>) report.get("machine");
        String text =
            "# lakeml stage overhead: "
                + dataset
                + "\n\nStarted "
                + report.get("startedAt")
                + ". Machine: "
                + machine.get("cores")
                + " cores, "
                + machine.get("memoryGiB")
                + " GiB, "
                + machine.get("jvm")
                + ", load average at start "
                + machine.get("loadAverageAtStart")
                + ". Stage JVM options: `"
                + report.get("stageJvmOptions")
                + "`.\n\n"
                + StageOverhead.markdown(analysis);
        Files.writeString(md, text);
        out.print(text);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("repeat", repeat);
        s.put("separateNightlySeconds", analysis.get("separateNightlySeconds"));
        s.put("inProcessNightlySeconds", analysis.get("inProcessNightlySeconds"));
        s.put("overheadSeconds", analysis.get("overheadSeconds"));
        s.put("json", json.toString());
        s.put("markdown", md.toString());
        return s;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /**
   * The dataset's shipped landing folder, which the benches copy into fresh lakes; a configuration
   * error without one.
   */
  static Path shippedLanding(LakemlConfig config, String command) {
    DatasetConfig ds = config.requireDataset();
    Path landing = localPath(LakeCatalog.of(config).landing(ds));
    if (!Files.isDirectory(landing)) {
      throw new ConfigException(
          "no landing files for '"
              + ds.name()
              + "' at "
              + landing
              + ". "
              + command
              + " copies the dataset's landing folder into fresh lakes; pick a dataset with shipped files, like titanic.");
    }
    return landing;
  }

  /** An empty lake {@code work/name} holding only a copy of the landing folder. */
  static Path freshLake(Path work, String name, DatasetConfig ds, Path landing) throws IOException {
    Path lake = work.toAbsolutePath().resolve(name);
    FileUtils.deleteDirectory(lake.toFile());
    FileUtils.copyDirectory(
        landing.toFile(), localPath(new LakeCatalog(lake.toUri().toString()).landing(ds)).toFile());
    return lake;
  }

  /**
   * A local lake's folder as a path; the benches that copy landing folders run on local lakes only.
   */
  static Path localPath(String location) {
    if (location.startsWith("file:")) {
      return Path.of(URI.create(location));
    }
    if (location.startsWith("/")) {
      return Path.of(location);
    }
    throw new ConfigException(
        "the bench runs on a local lake, but the landing folder is "
            + location
            + ". Drop the lake.root override or use --env local.");
  }
}
