package io.lakeml.cli;

import io.lakeml.bench.Bench;
import io.lakeml.bench.Generator;
import io.lakeml.config.ConfigException;
import io.lakeml.config.ConfigLoader;
import io.lakeml.config.DatasetConfig;
import io.lakeml.config.LakemlConfig;
import io.lakeml.core.LakeCatalog;
import io.lakeml.core.SparkSessions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code generate} and {@code bench} commands (issue 9: performance). */
final class BenchCommands {
  private BenchCommands() {}

  /** The real dataset's CSV: {@code --source}, or {@code ../shared/data/<name>.csv} beside the project. */
  static String source(Path confDir, String explicit, String dataset) {
    if (explicit != null) {
      return Path.of(explicit).toAbsolutePath().toUri().toString();
    }
    Path project = confDir.toAbsolutePath().normalize().getParent();
    Path guess = project.resolveSibling("shared").resolve("data").resolve(dataset + ".csv");
    if (!Files.exists(guess)) {
      throw new ConfigException("no base data for '" + dataset + "': " + guess + " does not exist. Pass --source with the path of the real dataset's CSV.");
    }
    return guess.toUri().toString();
  }

  @Command(name = "generate", mixinStandardHelpOptions = true,
      description = "Scales a real dataset to N rows (resampled with small noise on numeric columns, category frequencies and label rate kept, an id key added) and lands them as Parquet in the dataset's landing folder.")
  static final class Generate extends Main.OperatorCommand {
    @Option(names = "--from", required = true, description = "Dataset whose configuration (schema, landing) applies, e.g. fertility.")
    String from;

    @Option(names = "--rows", required = true, description = "Rows to generate, e.g. 10000000.")
    long rows;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the resampling and the noise (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--noise", defaultValue = "0.05", description = "Noise on numeric columns, as a fraction of their standard deviation (default: ${DEFAULT-VALUE}).")
    double noise;

    @Option(names = "--source", description = "The real dataset as CSV with a header (default: ../shared/data/<from>.csv beside the project).")
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
        throw new ConfigException("generate lands Parquet, but dataset '" + from + "' reads " + ds.source().format()
            + " (dataset.source.format). Use a dataset configured with format = parquet, like conf/datasets/fertility.conf.");
      }
      String base = source(common.confDir, source, from);
      SparkSession spark = SparkSessions.getOrCreate(config, "lakeml generate " + from);
      String target = LakeCatalog.of(config).landing(ds) + "/generated-" + rows + "-seed" + seed;
      try {
        Generator.Result r = Generator.generate(spark, ds, base, rows, seed, noise, target);
        out.printf("generated %,d rows from %,d base rows in %.1f s: %s%n", r.rows(), r.baseRows(), r.seconds(), r.path());
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("rows", r.rows());
        s.put("baseRows", r.baseRows());
        s.put("partitions", r.partitions());
        s.put("labelRate", r.labelRate());
        s.put("path", r.path());
        return s;
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }

  @Command(name = "bench", mixinStandardHelpOptions = true,
      description = "Benchmark: per size, generated data through every stage in one JVM (wall, rows/s, CPU utilization, peak heap), the logistic-regression search at parallelism 1 and 2, a bare-Spark baseline and the scikit-learn peer; JSON and markdown under docs/benchmarks/.")
  static final class BenchCommand extends Main.OperatorCommand {
    @Option(names = "--rows", split = ",", defaultValue = "100000,1000000", description = "Sizes, comma separated (default: ${DEFAULT-VALUE}).")
    List<Long> rows = new ArrayList<>();

    @Option(names = "--dataset", defaultValue = "fertility", description = "Dataset (default: ${DEFAULT-VALUE}).")
    String dataset;

    @Option(names = "--repeat", defaultValue = "1", description = "Runs per size; the report shows medians (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--source", description = "The real dataset as CSV (default: ../shared/data/<dataset>.csv beside the project).")
    String source;

    @Option(names = "--out", defaultValue = "docs/benchmarks", description = "Where the JSON and markdown go (default: ${DEFAULT-VALUE}).")
    Path outDir;

    @Option(names = "--work", defaultValue = "target/bench", description = "Generated data and bench lakes; emptied per run (default: ${DEFAULT-VALUE}).")
    Path work;

    @Option(names = "--until", defaultValue = "monitor", description = "Last nightly stage to run (default: ${DEFAULT-VALUE}).")
    String until;

    @Option(names = "--no-peer", description = "Skip the scikit-learn peer.")
    boolean noPeer;

    @Option(names = "--peer-script", description = "The scikit-learn peer script (default: jobs/bench/sklearn_peer.py of this project).")
    Path peerScript;

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
      List<Bench.Stage> stages = Nightly.stagesUntil(until).stream().map(s -> new Bench.Stage(s.name(), s.job())).toList();
      Path project = common.confDir.toAbsolutePath().normalize().getParent();
      Bench.Options o = new Bench.Options(rows, dataset, repeat, common.confDir, common.env, common.overrides(),
          source(common.confDir, source, dataset), 42, outDir, work, !noPeer,
          peerScript != null ? peerScript : project.resolve("jobs/bench/sklearn_peer.py"), stages);
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
}
