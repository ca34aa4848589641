package io.lakeml.cli;

import io.lakeml.bias.BiasJob;
import io.lakeml.config.ConfigException;
import io.lakeml.config.ConfigLoader;
import io.lakeml.config.LakemlConfig;
import io.lakeml.core.Job;
import io.lakeml.core.JobFailure;
import io.lakeml.core.LakeCatalog;
import io.lakeml.core.LakeState;
import io.lakeml.core.RunLock;
import io.lakeml.core.Runner;
import io.lakeml.core.Summary;
import io.lakeml.deploy.MonitorJob;
import io.lakeml.deploy.PromoteJob;
import io.lakeml.deploy.ScoreJob;
import io.lakeml.etl.EtlJob;
import io.lakeml.ingest.IngestJob;
import io.lakeml.prepare.PrepareJob;
import io.lakeml.report.ReportJob;
import io.lakeml.tune.TuneJob;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The unattended run: per dataset, the nine pipeline stages in order under the dataset's lock, then
 * the report; each stage its own Spark application (a child process through the launcher; {@code
 * --in-process} runs them in this JVM instead). A failed stage stops its dataset's pipeline, but the
 * report still runs so that it shows the failure; finished stages skip themselves on a rerun, so
 * rerunning a date resumes. Several datasets run one after another or, with
 * {@code --parallel N}, N chains at once; one failing does not stop the others.
 */
@Command(name = "nightly", mixinStandardHelpOptions = true,
    description = "Runs the pipeline's stages per dataset (ingest, etl, prepare, bias-pre, tune, bias-post, promote, score, monitor, report), "
        + "each as its own Spark application; stops a dataset's chain at its first failure, then still writes the report.")
final class Nightly extends Main.DatasetCommand {
  /**
   * One stage: its name (the job's), the job for in-process runs, the command line for its own
   * application; {@code always} runs even after an earlier stage failed (the report, to show it).
   */
  record Stage(String name, Supplier<Job> job, List<String> command, boolean always) {
    Stage(String name, Supplier<Job> job, List<String> command) {
      this(name, job, command, false);
    }
  }

  static final List<Stage> STAGES = List.of(
      new Stage("ingest", IngestJob::new, List.of("ingest")),
      new Stage("etl", EtlJob::new, List.of("etl")),
      new Stage("prepare", PrepareJob::new, List.of("prepare")),
      new Stage("bias-pre", () -> new BiasJob(BiasJob.Stage.PRE, null), List.of("bias", "--stage", "pre")),
      new Stage("tune", TuneJob::new, List.of("tune")),
      new Stage("bias-post", () -> new BiasJob(BiasJob.Stage.POST, null), List.of("bias", "--stage", "post")),
      new Stage("promote", () -> new PromoteJob(PromoteJob.Mode.AUTOMATIC, null), List.of("promote")),
      new Stage("score", ScoreJob::new, List.of("score")),
      new Stage("monitor", MonitorJob::new, List.of("monitor")),
      new Stage(ReportJob.NAME, ReportJob::new, List.of("report"), true));

  @Option(names = "--until", paramLabel = "STAGE", description = "Stop after this stage (e.g. tune).")
  String until;

  @Option(names = "--parallel", paramLabel = "N", defaultValue = "1",
      description = "With several datasets (--dataset a,b,c): how many chains run at once (default: ${DEFAULT-VALUE}). In one application (local "
          + "mode's default) each chain has its own Spark session: SQL settings and temporary views apart, executors and memory shared.")
  int parallel;

  @Option(names = "--in-process", description = "Run every stage in this JVM as one Spark application: the default in local mode "
      + "(a stage's fixed cost is its Spark session and warm-up, paid once instead of ten times).")
  boolean inProcess;

  @Option(names = "--separate", description = "Run every stage as its own Spark application (spark-submit): the default with --env other than local "
      + "or a non-local --master (isolation: a stage's crash or memory cannot affect the next or another dataset's chain; a Spark UI per stage).")
  boolean separate;

  @Override
  String commandName() {
    return "nightly";
  }

  /** The stages up to and including {@code until} (all of them when null); a configuration error naming the stages otherwise. */
  static List<Stage> stagesUntil(String until) {
    List<String> names = STAGES.stream().map(Stage::name).toList();
    int last = until == null ? STAGES.size() - 1 : names.indexOf(until);
    if (last < 0) {
      throw new ConfigException("--until " + until + " is not a nightly stage. Use one of " + names + ".");
    }
    return STAGES.subList(0, last + 1);
  }

  @Override
  public Integer call() {
    // trimmed before de-duplicating: "a, a" is one chain, not two fighting over one lock
    List<String> datasets = java.util.Arrays.stream(dataset.split(",")).map(String::trim).filter(s -> !s.isEmpty()).distinct().toList();
    if (datasets.isEmpty()) {
      throw new ConfigException("--dataset '" + dataset + "' names no dataset. Pass one name or several separated by commas.");
    }
    List<Stage> stages = stagesUntil(until);
    if (parallel < 1) {
      throw new ConfigException("--parallel " + parallel + " must be at least 1.");
    }
    if (inProcess && separate) {
      throw new ConfigException("--in-process and --separate contradict each other; pass one of them (or neither, for the default).");
    }
    LocalDate date = runDate(); // one date for every stage, even across midnight
    Map<String, LakemlConfig> configs = validated(datasets, stages);
    boolean apart = separate(configs.values().iterator().next());

    // every dataset's lock for the whole nightly: a finished state is recorded before any is released
    Map<String, RunLock> locks = new LinkedHashMap<>();
    Map<String, String> lockFailures = new LinkedHashMap<>();
    for (String ds : datasets) {
      try {
        locks.put(ds, RunLock.acquire(LakeCatalog.of(configs.get(ds)), ds, "nightly"));
      } catch (JobFailure e) {
        err.println(e.getMessage());
        lockFailures.put(ds, e.getMessage());
      }
    }
    try {
      return runChains(datasets, configs, stages, date, apart, lockFailures);
    } finally {
      locks.values().forEach(RunLock::close);
    }
  }

  /**
   * Whether stages run as their own applications: as asked, or by default when the stages go to a
   * cluster (another environment, a non-local master).
   */
  boolean separate(LakemlConfig config) {
    if (separate || inProcess) {
      return separate;
    }
    String master = common.master != null ? common.master : System.getProperty("spark.master", config.spark().master());
    return !"local".equals(common.env) || !master.startsWith("local");
  }

  private int runChains(List<String> datasets, Map<String, LakemlConfig> configs, List<Stage> stages, LocalDate date, boolean apart,
      Map<String, String> lockFailures) {
    if (datasets.size() == 1) {
      String ds = datasets.get(0);
      Map<String, Object> s = lockFailures.containsKey(ds) ? lockFailed(ds, date, apart, lockFailures.get(ds))
          : chain(ds, configs.get(ds), stages, date, null, apart);
      recordFinished(Map.of(ds, s), configs, stages, date);
      out.println(Summary.toJson(s));
      return (Integer) s.get("exitCode");
    }
    int threads = Math.min(parallel, datasets.size());
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<Map<String, Object>>> chains = new ArrayList<>();
    for (String ds : datasets) {
      String prefix = threads > 1 ? "[" + ds + "] " : null;
      chains.add(pool.submit(() -> {
        // in one application, each chain its own session (see SparkSessions.isolated)
        Map<String, Object> s = lockFailures.containsKey(ds) ? lockFailed(ds, date, apart, lockFailures.get(ds))
            : apart ? chain(ds, configs.get(ds), stages, date, prefix, true)
            : io.lakeml.core.SparkSessions.isolated(() -> chain(ds, configs.get(ds), stages, date, prefix, false));
        out.println(Summary.toJson(s));
        return s;
      }));
    }
    pool.shutdown();
    List<Map<String, Object>> results = new ArrayList<>();
    Map<String, Map<String, Object>> byDataset = new LinkedHashMap<>();
    List<String> failed = new ArrayList<>();
    for (int i = 0; i < datasets.size(); i++) {
      Map<String, Object> s;
      try {
        s = chains.get(i).get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new JobFailure("nightly interrupted");
      } catch (ExecutionException e) {
        s = new LinkedHashMap<>(failedBeforeStart(String.valueOf(e.getCause())));
        s.put("dataset", datasets.get(i));
        s.put("exitCode", 1);
      }
      byDataset.put(datasets.get(i), s);
      Map<String, Object> brief = new LinkedHashMap<>();
      brief.put("dataset", datasets.get(i));
      brief.put("status", s.get("status"));
      brief.put("exitCode", s.get("exitCode"));
      if (s.get("failedStage") != null) {
        brief.put("failedStage", s.get("failedStage"));
      }
      results.add(brief);
      if ((Integer) s.get("exitCode") != 0) {
        failed.add(datasets.get(i));
      }
    }
    Map<String, Object> all = new LinkedHashMap<>();
    all.put("job", "nightly");
    all.put("runDate", date.toString());
    all.put("status", failed.isEmpty() ? "SUCCEEDED" : "FAILED");
    all.put("parallel", threads);
    all.put("exitCode", failed.isEmpty() ? 0 : 1);
    if (!failed.isEmpty()) {
      all.put("failed", failed);
      all.put("message", failed.size() + " of " + datasets.size() + " dataset(s) failed: " + String.join(", ", failed)
          + ". Rerun the same command to resume them; finished stages and datasets are skipped.");
    }
    all.put("datasets", results);
    recordFinished(byDataset, configs, stages, date);
    out.println(Summary.toJson(all));
    return failed.isEmpty() ? 0 : 1;
  }

  /**
   * Records, for each chain that finished without failure, that its stages have nothing to do in the
   * lake as it is now ({@link LakeState}): one listing after every chain ended, under their locks, so
   * a rerun of this date can skip them without starting Spark. A failure here costs only that speed.
   */
  private void recordFinished(Map<String, Map<String, Object>> chains, Map<String, LakemlConfig> configs, List<Stage> stages, LocalDate date) {
    List<String> jobs = stages.stream().map(Stage::name).toList();
    String fingerprint = null;
    for (Map.Entry<String, Map<String, Object>> c : chains.entrySet()) {
      LakemlConfig config = configs.get(c.getKey());
      if (!Integer.valueOf(0).equals(c.getValue().get("exitCode")) || !config.lake().skipUnchanged()) {
        continue;
      }
      try {
        LakeCatalog catalog = LakeCatalog.of(config);
        org.apache.hadoop.conf.Configuration hadoop = LakeState.hadoop(config);
        if (fingerprint == null) {
          fingerprint = LakeState.fingerprint(catalog, hadoop);
        }
        LakeState.recordFinished(catalog, hadoop, c.getKey(), date, config.hash(), jobs, fingerprint);
      } catch (java.io.IOException | RuntimeException e) {
        err.println("nightly: could not record the finished state of " + c.getKey() + " (" + e + "); a rerun of " + date
            + " will check each stage with Spark.");
      }
    }
  }

  private Map<String, Object> lockFailed(String ds, LocalDate date, boolean apart, String message) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("job", "nightly");
    s.put("dataset", ds);
    s.put("runDate", date.toString());
    s.put("launch", apart ? "separate" : "in-process");
    s.put("status", "FAILED");
    s.put("exitCode", 1);
    s.put("message", message);
    s.put("stages", List.of());
    return s;
  }

  /** Loads and checks every dataset's configuration before any stage starts; all problems reported together. */
  private Map<String, LakemlConfig> validated(List<String> datasets, List<Stage> stages) {
    Map<String, LakemlConfig> configs = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    for (String ds : datasets) {
      try {
        LakemlConfig config = ConfigLoader.load(common.confDir, common.env, ds, common.overrides());
        for (Stage s : stages) {
          s.job().get().validate(config);
        }
        configs.put(ds, config);
      } catch (ConfigException e) {
        problems.add(datasets.size() > 1 ? "dataset " + ds + ": " + e.getMessage() : e.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(String.join("\n", problems));
    }
    return configs;
  }

  /** One dataset's stages, under the lock the caller holds; returns the chain's summary (with its exit code). */
  private Map<String, Object> chain(String ds, LakemlConfig config, List<Stage> stages, LocalDate date, String prefix, boolean apart) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("job", "nightly");
    s.put("dataset", ds);
    s.put("runDate", date.toString());
    s.put("launch", apart ? "separate" : "in-process");
    List<Map<String, Object>> done = new ArrayList<>();
    int exit = 0;
    String failedStage = null;
    Object message = null;
    try {
      for (Stage stage : stages) {
        if (failedStage != null && !stage.always()) {
          continue;
        }
        long p0 = System.nanoTime();
        Runner.Outcome o;
        if (!apart) {
          o = Runner.run(stage.job().get(), config, date, out);
        } else {
          // decided here when the lake is as a finished nightly left it: no application to start
          var unchanged = Runner.skipWithoutSpark(stage.job().get(), config, date, 0, p0);
          if (unchanged.isPresent()) {
            o = unchanged.get();
            out.println(Summary.toJson(o.summary())); // a summary names its dataset: no prefix, as a stage's own
          } else {
            o = StageProcess.run(stage.name(), commandLine(stage, ds, date), out, err, prefix);
          }
        }
        Map<String, Object> brief = new LinkedHashMap<>();
        brief.put("job", stage.name());
        brief.put("status", o.summary().get("status"));
        brief.put("durationMs", o.summary().get("durationMs"));
        if (apart) {
          // the whole application, launcher to exit: durationMs plus JVM start, session and ledger
          brief.put("processMs", (System.nanoTime() - p0) / 1_000_000);
        }
        if (o.summary().get("timings") != null) {
          brief.put("timings", o.summary().get("timings"));
        }
        done.add(brief);
        if (o.exitCode() != 0 && failedStage == null) {
          exit = o.exitCode();
          failedStage = stage.name();
          message = o.summary().get("message");
        }
      }
    } catch (JobFailure e) {
      err.println(e.getMessage());
      exit = 1;
      message = e.getMessage();
    }
    s.put("status", exit == 0 ? "SUCCEEDED" : "FAILED");
    s.put("exitCode", exit);
    if (failedStage != null) {
      s.put("failedStage", failedStage);
      s.put("message", failedStage + " failed: " + message + " Rerun the same command to resume: finished stages are skipped.");
    } else if (message != null) {
      s.put("message", message);
    }
    s.put("stages", done);
    return s;
  }

  /** The stage's own command line: same environment, configuration folder, overrides and master; the chain's run date. */
  private List<String> commandLine(Stage stage, String ds, LocalDate date) {
    List<String> args = new ArrayList<>(stage.command());
    args.addAll(List.of("--dataset", ds, "--run-date", date.toString(), "--env", common.env, "--conf-dir", common.confDir.toAbsolutePath().toString()));
    for (String set : common.sets) {
      args.add("--set");
      args.add(set);
    }
    // under spark-submit the master arrives as a system property: the stages go to the same cluster
    String master = common.master != null ? common.master : System.getProperty("spark.master");
    if (master != null) {
      args.add("--master");
      args.add(master);
    }
    return args;
  }
}
