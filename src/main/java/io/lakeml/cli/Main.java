package io.lakeml.cli;

import io.lakeml.bias.BiasJob;
import io.lakeml.config.ConfigException;
import io.lakeml.config.ConfigLoader;
import io.lakeml.config.LakemlConfig;
import io.lakeml.core.ChainSummary;
import io.lakeml.core.Job;
import io.lakeml.core.JobStatus;
import io.lakeml.core.LakeCatalog;
import io.lakeml.core.LocalFiles;
import io.lakeml.core.Runner;
import io.lakeml.core.SparkSessions;
import io.lakeml.core.Summary;
import io.lakeml.core.Version;
import io.lakeml.deploy.MonitorJob;
import io.lakeml.deploy.PromoteJob;
import io.lakeml.deploy.ScoreJob;
import io.lakeml.etl.EtlJob;
import io.lakeml.ingest.IngestJob;
import io.lakeml.prepare.PrepareJob;
import io.lakeml.tune.ReproduceJob;
import io.lakeml.tune.TuneJob;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The single entry point: {@code jobs/lakeml <command> [--dataset NAME] [--env ENV] [--run-date D]
 * [--set k=v]…}. Exit codes: 0 success or skipped, 1 job failure, 2 usage or configuration error.
 */
@Command(
    name = "lakeml",
    mixinStandardHelpOptions = true,
    versionProvider = Main.VersionProvider.class,
    description = "Batch machine-learning pipeline on Apache Spark and Delta Lake.",
    subcommands = {
      Main.Ingest.class,
      Main.Etl.class,
      Main.Prepare.class,
      Main.Bias.class,
      Main.Tune.class,
      Main.Promote.class,
      Main.Rollback.class,
      Main.Score.class,
      Main.Monitor.class,
      Main.Report.class,
      Nightly.class,
      Main.Vacuum.class,
      Main.Models.class,
      Main.Reproduce.class,
      Main.Sql.class,
      Main.Runs.class,
      Main.Tables.class,
      Main.NewDatasetCommand.class,
      BenchCommands.Generate.class,
      BenchCommands.LandIdx.class,
      BenchCommands.BenchCommand.class,
      BenchCommands.BenchOverhead.class,
      BenchCommands.BenchSmall.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  /** Exit code for usage and configuration errors. */
  public static final int USAGE = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }

  public static void main(String[] args) {
    int code = execute(args, System.out, System.err);
    System.exit(code);
  }

  /** Runs a command line with the given streams; used by {@link #main} and end-to-end tests. */
  public static int execute(String[] args, PrintStream out, PrintStream err) {
    LocalFiles.install(); // before the first file system is cached (the run lock's)
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(
        new java.io.PrintWriter(err, true)); // help and usage go to stderr; stdout is for results
    cli.setErr(new java.io.PrintWriter(err, true));
    cli.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          if (e instanceof ConfigException ce) {
            err.println(ce.getMessage());
            if (cmd.getCommand() instanceof FailureSummary fs) {
              out.println(Summary.toJson(fs.failedBeforeStart(ce.getMessage())));
            }
            return USAGE;
          }
          throw e;
        });
    for (CommandLine sub : cli.getSubcommands().values()) {
      if (sub.getCommand() instanceof Base b) {
        b.out = out;
        b.err = err;
      }
    }
    // progress lines of long stages go to this command's error stream
    PrintStream redirected = io.lakeml.core.Progress.redirect(err);
    try {
      return cli.execute(args);
    } finally {
      io.lakeml.core.Progress.restore(redirected);
    }
  }

  /** A command that prints a JSON summary line even when its configuration is wrong (exit 2). */
  interface FailureSummary {
    Map<String, Object> failedBeforeStart(String message);
  }

  /** Options every command shares. */
  static final class CommonOptions {
    @Option(
        names = "--env",
        defaultValue = "local",
        description = "Environment file conf/<env>.conf (default: ${DEFAULT-VALUE}).")
    String env;

    @Option(
        names = "--conf-dir",
        defaultValue = "${sys:lakeml.conf.dir:-conf}",
        description = "Configuration folder (default: ${DEFAULT-VALUE}).")
    Path confDir;

    @Option(
        names = "--set",
        paramLabel = "KEY=VALUE",
        description = "Override a configuration key; repeatable; highest precedence.")
    List<String> sets = new ArrayList<>();

    @Option(
        names = "--master",
        description = "Spark master URL, e.g. spark://host:7077 (overrides spark.master).")
    String master;

    List<String> overrides() {
      List<String> all = new ArrayList<>(sets);
      if (master != null) {
        all.add("spark.master=" + master);
      }
      return all;
    }
  }

  /** A --run-date value as a date, or a configuration error saying how to write it. */
  static LocalDate parseRunDate(String value) {
    try {
      return LocalDate.parse(value);
    } catch (DateTimeParseException e) {
      throw new ConfigException(
          "--run-date '" + value + "' is not a date. Write it as YYYY-MM-DD, e.g. 2026-11-25.");
    }
  }

  abstract static class Base implements Callable<Integer> {
    PrintStream out = System.out;
    PrintStream err = System.err;

    PrintStream err() {
      return err;
    }
  }

  /** A command that runs jobs for one dataset. */
  abstract static class DatasetCommand extends Base implements FailureSummary {
    @Mixin CommonOptions common;

    @Option(
        names = "--dataset",
        required = true,
        description = "Dataset name: a file conf/datasets/<name>.conf.")
    String dataset;

    @Option(
        names = "--run-date",
        paramLabel = "YYYY-MM-DD",
        description = "Logical date of the run (default: today, UTC).")
    String runDate;

    abstract String commandName();

    LocalDate runDate() {
      return runDate == null ? LocalDate.now(ZoneOffset.UTC) : parseRunDate(runDate);
    }

    LakemlConfig config() {
      return ConfigLoader.load(common.confDir, common.env, dataset, common.overrides());
    }

    public Map<String, Object> failedBeforeStart(String message) {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("job", commandName());
      s.put("dataset", dataset);
      s.put("runDate", runDate);
      s.put("status", "FAILED");
      s.put("exitCode", USAGE);
      s.put("message", message);
      return s;
    }

    int runJobs(List<Job> jobs) {
      LocalDate date = runDate();
      LakemlConfig config = config(); // validated before any Spark session starts
      for (Job job : jobs) {
        job.validate(config);
      }
      int exit = 0;
      String failed = null;
      String message = null;
      List<ChainSummary.StageLine> stages = new ArrayList<>();
      for (Job job : jobs) {
        Runner.Outcome o = Runner.run(job, config, date, out);
        stages.add(ChainSummary.StageLine.of(job.name(), o.summary(), null, false));
        if (o.exitCode() != 0) {
          exit = o.exitCode();
          failed = job.name();
          message = o.summary().message();
          break;
        }
      }
      if (jobs.size() > 1) {
        ChainSummary s =
            new ChainSummary(
                commandName(),
                dataset,
                date.toString(),
                null,
                exit == 0 ? JobStatus.SUCCEEDED : JobStatus.FAILED,
                null,
                failed,
                failed != null ? ChainSummary.failedMessage(failed, message) : null,
                stages);
        out.println(Summary.toJson(s));
      }
      return exit;
    }
  }

  @Command(
      name = "ingest",
      mixinStandardHelpOptions = true,
      description = "landing → bronze: new files exactly once; bad records to quarantine.")
  static final class Ingest extends DatasetCommand {
    @Override
    String commandName() {
      return "ingest";
    }

    @Override
    public Integer call() {
      return runJobs(List.of(new IngestJob()));
    }
  }

  @Command(
      name = "etl",
      mixinStandardHelpOptions = true,
      description = "bronze → silver: typing, cleaning, deduplication, MERGE.")
  static final class Etl extends DatasetCommand {
    @Override
    String commandName() {
      return "etl";
    }

    @Override
    public Integer call() {
      return runJobs(List.of(new EtlJob()));
    }
  }

  @Command(
      name = "prepare",
      mixinStandardHelpOptions = true,
      description =
          "silver → gold: validation rules, profile, deterministic split, feature pipeline fitted on train.")
  static final class Prepare extends DatasetCommand {
    @Override
    String commandName() {
      return "prepare";
    }

    @Override
    public Integer call() {
      return runJobs(List.of(new PrepareJob()));
    }
  }

  @Command(
      name = "tune",
      mixinStandardHelpOptions = true,
      description =
          "gold → model version: cross-validated search per algorithm, winner on validation, test scored once, registered.")
  static final class Tune extends DatasetCommand {
    @Override
    String commandName() {
      return "tune";
    }

    @Override
    public Integer call() {
      return runJobs(List.of(new TuneJob()));
    }
  }

  @Command(
      name = "bias",
      mixinStandardHelpOptions = true,
      description =
          "Fairness per sensitive attribute: pre-training (gold labels) and post-training (a model version on the test split), with the promotion gate.")
  static final class Bias extends DatasetCommand {
    @Option(
        names = "--stage",
        defaultValue = "both",
        description = "pre, post or both (default: ${DEFAULT-VALUE}).")
    String stage;

    @Option(
        names = "--version",
        description = "Model version for the post-training stage (default: the latest).")
    Integer version;

    @Override
    String commandName() {
      return "bias";
    }

    @Override
    public Integer call() {
      return switch (stage) {
        case "pre" -> runJobs(List.of(new BiasJob(BiasJob.Stage.PRE, null)));
        case "post" -> runJobs(List.of(new BiasJob(BiasJob.Stage.POST, version)));
        case "both" ->
            runJobs(
                List.of(
                    new BiasJob(BiasJob.Stage.PRE, null),
                    new BiasJob(BiasJob.Stage.POST, version)));
        default ->
            throw new ConfigException(
                "--stage '" + stage + "' is not a bias stage. Use pre, post or both.");
      };
    }
  }

  @Command(
      name = "promote",
      mixinStandardHelpOptions = true,
      description =
          "Makes the latest candidate champion if it meets the requirements, the bias gate and the margin; with --version, promotes that version by hand.")
  static final class Promote extends DatasetCommand {
    @Option(
        names = "--version",
        description =
            "Promote this version by hand (requirements and margin waived; a bias block is not).")
    Integer version;

    @Override
    String commandName() {
      return "promote";
    }

    @Override
    public Integer call() {
      return runJobs(
          List.of(
              new PromoteJob(
                  version == null ? PromoteJob.Mode.AUTOMATIC : PromoteJob.Mode.MANUAL, version)));
    }
  }

  @Command(
      name = "rollback",
      mixinStandardHelpOptions = true,
      description = "Makes the previous champion champion again (recorded in _system.champions).")
  static final class Rollback extends DatasetCommand {
    @Override
    String commandName() {
      return "rollback";
    }

    @Override
    public Integer call() {
      return runJobs(List.of(new PromoteJob(PromoteJob.Mode.ROLLBACK, null)));
    }
  }

  @Command(
      name = "vacuum",
      mixinStandardHelpOptions = true,
      description =
          "Deletes old files of the dataset's tables (Delta VACUUM), never the table versions a registered, non-archived model was trained from.")
  static final class Vacuum extends DatasetCommand {
    @Option(
        names = "--retain-hours",
        defaultValue = "168",
        description =
            "Keep files removed less than this many hours ago (whole hours, as Delta counts them; default: ${DEFAULT-VALUE}, Delta's 7 days).")
    int retainHours;

    @Option(
        names = "--include-system",
        description =
            "Also vacuum the shared _system tables (run ledger, registry, quarantine, …).")
    boolean includeSystem;

    @Override
    String commandName() {
      return "vacuum";
    }

    @Override
    public Integer call() {
      LakemlConfig config = config();
      // not while a nightly of the dataset writes: a short retention could delete files a running
      // commit still needs
      try (io.lakeml.core.RunLock lock =
          io.lakeml.core.RunLock.acquire(
              io.lakeml.core.LakeCatalog.of(config), dataset, "vacuum")) {
        return runJobs(List.of(new io.lakeml.deploy.VacuumJob(retainHours, includeSystem)));
      } catch (io.lakeml.core.JobFailure e) {
        err().println(e.getMessage());
        Map<String, Object> s = failedBeforeStart(e.getMessage());
        s.put("exitCode", 1);
        out.println(Summary.toJson(s));
        return 1;
      }
    }
  }

  @Command(
      name = "score",
      mixinStandardHelpOptions = true,
      description = "Batch prediction of silver rows with the champion into predictions.<dataset>.")
  static final class Score extends DatasetCommand {
    @Override
    String commandName() {
      return "score";
    }

    @Override
    public Integer call() {
      return runJobs(List.of(new ScoreJob()));
    }
  }

  @Command(
      name = "monitor",
      mixinStandardHelpOptions = true,
      description =
          "Drift (PSI) of the run date's scored rows against the champion's training data, performance where labels exist, retraining signal.")
  static final class Monitor extends DatasetCommand {
    @Override
    String commandName() {
      return "monitor";
    }

    @Override
    public Integer call() {
      return runJobs(List.of(new MonitorJob()));
    }
  }

  @Command(
      name = "report",
      mixinStandardHelpOptions = true,
      description =
          "Writes the HTML report of a run date to reports/<dataset>/<run date>/index.html, from the _system tables alone (no retraining).")
  static final class Report extends DatasetCommand {
    @Override
    String commandName() {
      return "report";
    }

    @Override
    public Integer call() {
      return runJobs(List.of(new io.lakeml.report.ReportJob()));
    }
  }

  @Command(
      name = "reproduce",
      mixinStandardHelpOptions = true,
      description =
          "Retrains a model version from its recorded table versions, parameters and seed; reports whether its metrics match.")
  static final class Reproduce extends DatasetCommand {
    @Option(
        names = "--version",
        required = true,
        description = "Model version number (see 'models').")
    int version;

    @Override
    String commandName() {
      return "reproduce";
    }

    @Override
    public Integer call() {
      return runJobs(List.of(new ReproduceJob(version)));
    }
  }

  @Command(
      name = "models",
      mixinStandardHelpOptions = true,
      description = "Lists a dataset's model versions with their key metrics.")
  static final class Models extends Base {
    @Mixin CommonOptions common;

    @Option(names = "--dataset", required = true, description = "Dataset name.")
    String dataset;

    @Option(names = "--json", description = "One JSON object per version instead of a table.")
    boolean json;

    @Override
    public Integer call() {
      LakemlConfig config =
          ConfigLoader.load(common.confDir, common.env, dataset, common.overrides());
      SparkSession spark = SparkSessions.getOrCreate(config, "lakeml models " + dataset);
      ModelList.print(spark, LakeCatalog.of(config), dataset, json, out);
      return 0;
    }
  }

  @Command(
      name = "sql",
      mixinStandardHelpOptions = true,
      description =
          "Runs Spark SQL over the lake (tables: bronze.<dataset>, silver.<dataset>, gold.<dataset>, _system.runs, _system.quarantine, _system.quality, _system.profile, _system.models, _system.trials, _system.bias, _system.champions, _system.monitor, predictions.<dataset>); prints rows as JSON lines.")
  static final class Sql extends Base {
    @Mixin CommonOptions common;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "QUERY", description = "A Spark SQL query.")
    String query;

    @Option(
        names = "--limit",
        defaultValue = "1000",
        description = "Most rows to print (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(
        names = "--allow-write",
        description =
            "Run a statement that changes the lake (DELETE, UPDATE, MERGE, INSERT, DDL…) as a job: "
                + "recorded in _system.runs and in the commit metadata of the tables it writes. Without it, sql only reads.")
    boolean allowWrite;

    @Override
    public Integer call() throws Exception {
      LakemlConfig config = ConfigLoader.load(common.confDir, common.env, null, common.overrides());
      SparkSession spark = SparkSessions.getOrCreate(config, "lakeml sql");
      try {
        SqlQuery.Statement statement = SqlQuery.classify(spark, query);
        if (!statement.readOnly()) {
          if (!allowWrite) {
            spec.commandLine()
                .getErr()
                .println(
                    "lakeml sql: refused a "
                        + statement.kind()
                        + " statement: sql only reads the lake."
                        + " Tables are written by their jobs, which record what they did (bronze by ingest, silver by etl, gold by prepare,"
                        + " models and champions by tune, promote and rollback, predictions by score), so a change made here would be"
                        + " invisible to lineage and never repaired by the next run. To change the lake on purpose, add --allow-write:"
                        + " the statement then runs as the job 'sql', recorded in _system.runs and in the commit metadata.");
            return 2;
          }
          return Runner.run(
                  new SqlWriteJob(query, statement.kind()),
                  config,
                  LocalDate.now(ZoneOffset.UTC),
                  out)
              .exitCode();
        }
        SqlQuery.registerTables(spark, LakeCatalog.of(config), query);
        SqlQuery.print(spark, query, limit, out);
        return 0;
      } catch (Exception e) {
        if (((Object) e) instanceof org.apache.spark.sql.AnalysisException) {
          spec.commandLine().getErr().println("Query failed: " + e.getMessage());
          return 1;
        }
        throw e;
      }
    }
  }

  /**
   * An operator command (runs, tables, new-dataset): no job, no run-ledger row, but the same
   * convention as the jobs — output for people on stdout, then a one-line JSON summary as stdout's
   * last line; exit 0 done, 1 failed, 2 usage or configuration error.
   */
  abstract static class OperatorCommand extends Base implements FailureSummary {
    @Mixin CommonOptions common;

    abstract String commandName();

    /** The dataset the command is about, or null. */
    abstract String datasetName();

    /** Does the work and returns the summary fields after job and status. */
    abstract Map<String, Object> execute();

    @Override
    public Integer call() {
      long t0 = System.nanoTime();
      Map<String, Object> s = summary("SUCCEEDED");
      try {
        s.putAll(execute());
      } catch (ConfigException e) {
        throw e; // exit 2 with a summary, by the execution exception handler
      } catch (RuntimeException e) {
        String message =
            e.getMessage() == null
                ? e.getClass().getName()
                : e.getMessage().lines().findFirst().orElse("");
        err.println(commandName() + " failed: " + message);
        e.printStackTrace(err);
        s = summary("FAILED");
        s.put("exitCode", 1);
        s.put("message", message);
        out.println(Summary.toJson(s));
        return 1;
      }
      s.put("durationMs", (System.nanoTime() - t0) / 1_000_000);
      out.println(Summary.toJson(s));
      return 0;
    }

    private Map<String, Object> summary(String status) {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("job", commandName());
      s.put("dataset", datasetName());
      s.put("status", status);
      return s;
    }

    @Override
    public Map<String, Object> failedBeforeStart(String message) {
      Map<String, Object> s = summary("FAILED");
      s.put("exitCode", USAGE);
      s.put("message", message);
      return s;
    }
  }

  @Command(
      name = "runs",
      mixinStandardHelpOptions = true,
      description =
          "The run ledger (_system.runs), newest first: what ran for which run date, when, how long, its status and why it was skipped or failed.")
  static final class Runs extends OperatorCommand {
    @Option(names = "--dataset", description = "Only runs of this dataset.")
    String dataset;

    @Option(
        names = "--last",
        defaultValue = "20",
        description = "Most runs to show (default: ${DEFAULT-VALUE}).")
    int last;

    @Option(
        names = "--run-date",
        paramLabel = "YYYY-MM-DD",
        description = "Only runs for this run date.")
    String runDate;

    @Option(
        names = "--json",
        description = "One JSON object per run (full message, tables, metrics) instead of a table.")
    boolean json;

    @Override
    String commandName() {
      return "runs";
    }

    @Override
    String datasetName() {
      return dataset;
    }

    @Override
    Map<String, Object> execute() {
      if (last < 1) {
        throw new ConfigException("--last " + last + " must be at least 1.");
      }
      LocalDate date = runDate == null ? null : parseRunDate(runDate);
      LakemlConfig config = ConfigLoader.load(common.confDir, common.env, null, common.overrides());
      SparkSession spark = SparkSessions.getOrCreate(config, "lakeml runs");
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("runDate", runDate);
      s.putAll(RunList.print(spark, LakeCatalog.of(config), dataset, date, last, json, out));
      return s;
    }
  }

  @Command(
      name = "tables",
      mixinStandardHelpOptions = true,
      description =
          "Every table of the lake (bronze, silver, gold and predictions of each configured dataset, the _system tables): Delta version, rows, files, size, last write; or 'not created yet'.")
  static final class Tables extends OperatorCommand {
    @Option(
        names = "--dataset",
        description = "Only this dataset's tables (bronze, silver, gold, predictions).")
    String dataset;

    @Option(names = "--json", description = "One JSON object per table instead of a table.")
    boolean json;

    @Override
    String commandName() {
      return "tables";
    }

    @Override
    String datasetName() {
      return dataset;
    }

    @Override
    Map<String, Object> execute() {
      if (dataset != null) {
        ConfigLoader.datasetNameProblem(dataset)
            .ifPresent(
                p -> {
                  throw new ConfigException(p);
                });
      }
      LakemlConfig config = ConfigLoader.load(common.confDir, common.env, null, common.overrides());
      List<String> datasets =
          dataset != null ? List.of(dataset) : ConfigLoader.datasetNames(common.confDir);
      SparkSession spark = SparkSessions.getOrCreate(config, "lakeml tables");
      return Map.of(
          "metrics",
          TableList.print(spark, LakeCatalog.of(config), datasets, dataset == null, json, out));
    }
  }

  @Command(
      name = "new-dataset",
      mixinStandardHelpOptions = true,
      description =
          "Writes conf/datasets/NAME.conf from a sample file (schema inferred, label, key, features and sensitive attributes guessed) and lands the sample in the dataset's landing folder.")
  static final class NewDatasetCommand extends OperatorCommand {
    @Parameters(
        index = "0",
        paramLabel = "NAME",
        description = "Dataset name: lowercase letters, digits and '_', starting with a letter.")
    String name;

    @Option(
        names = "--sample",
        required = true,
        paramLabel = "FILE",
        description = "A sample file of the data (CSV with a header, JSON lines, or Parquet).")
    Path sample;

    @Option(
        names = "--format",
        description = "csv, json or parquet (default: from the sample's file name).")
    String format;

    @Option(
        names = "--force",
        description =
            "Overwrite an existing conf/datasets/NAME.conf (and a landed file of the same name).")
    boolean force;

    @Override
    String commandName() {
      return "new-dataset";
    }

    @Override
    String datasetName() {
      return name;
    }

    @Override
    Map<String, Object> execute() {
      NewDataset.Request r =
          NewDataset.check(
              name, sample, format, force, common.confDir, common.env, common.overrides());
      return NewDataset.run(r, out);
    }
  }

  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"lakeml " + Version.get()};
    }
  }
}
