package io.lakeml.core;

import io.lakeml.config.ConfigException;
import io.lakeml.config.LakemlConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;

/**
 * The stages of a nightly in their order, and how they run: per dataset under its {@link RunLock},
 * one stage after another until the first failure (the stages marked {@code always} still run, so
 * the report can show it), then the finished state recorded so that a rerun of the date skips
 * without Spark ({@link LakeState}). Resuming needs nothing more: a rerun runs the same chain and
 * the stages that finished skip themselves. The kernel imports no stage, so the stages are given
 * from above; the command line, the bench and the tests use the same instance.
 */
public final class Pipeline {
  /**
   * One stage: its name (its job's), the job for runs in this application, the arguments of the
   * command that runs it as its own application, and whether it runs even after an earlier stage of
   * the chain failed.
   */
  public record Stage(String name, Supplier<Job> job, List<String> command, boolean always) {
    public Stage {
      command = List.copyOf(command);
    }

    public Stage(String name, Supplier<Job> job, List<String> command) {
      this(name, job, command, false);
    }
  }

  /**
   * Runs one stage as its own application (a child process, or spark-submit) and returns its
   * outcome; its output goes to the launcher's streams, each line after {@code prefix} when that is
   * not null.
   */
  @FunctionalInterface
  public interface Launcher {
    Runner.Outcome launch(Stage stage, String dataset, LocalDate date, String prefix);
  }

  private final List<Stage> stages;

  public Pipeline(List<Stage> stages) {
    if (stages.isEmpty()) {
      throw new IllegalArgumentException("a pipeline needs at least one stage");
    }
    var names = new HashSet<String>();
    for (Stage s : stages) {
      if (!names.add(s.name())) {
        throw new IllegalArgumentException("stage " + s.name() + " is listed twice");
      }
    }
    this.stages = List.copyOf(stages);
  }

  public List<Stage> stages() {
    return stages;
  }

  public List<String> names() {
    return stages.stream().map(Stage::name).toList();
  }

  /**
   * The stages up to and including {@code last} (all of them when null); a configuration error
   * naming the stages otherwise.
   */
  public Pipeline until(String last) {
    if (last == null) {
      return this;
    }
    int i = names().indexOf(last);
    if (i < 0) {
      throw new ConfigException(
          "--until " + last + " is not a nightly stage. Use one of " + names() + ".");
    }
    return new Pipeline(stages.subList(0, i + 1));
  }

  /** Every stage's own check of the configuration, before any Spark session starts. */
  public void validate(LakemlConfig config) {
    for (Stage s : stages) {
      s.job().get().validate(config);
    }
  }

  /**
   * Runs the chains of {@code configs}' datasets (in their order, {@code parallel} at once) for one
   * run date and prints a summary line per chain and, with several datasets, one for all of them.
   * Every dataset's lock is held for the whole run, so the finished states are recorded before any
   * is released. {@code launcher} null runs every stage in this application (with several chains,
   * each its own session, {@link SparkSessions#isolated}); otherwise each stage is launched as its
   * own.
   *
   * @return the exit code: 0 when every chain succeeded
   */
  public int run(
      Map<String, LakemlConfig> configs,
      LocalDate date,
      int parallel,
      Launcher launcher,
      PrintStream out,
      PrintStream err) {
    List<String> datasets = List.copyOf(configs.keySet());
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
      return runLocked(datasets, configs, date, parallel, launcher, lockFailures, out, err);
    } finally {
      locks.values().forEach(RunLock::close);
    }
  }

  private int runLocked(
      List<String> datasets,
      Map<String, LakemlConfig> configs,
      LocalDate date,
      int parallel,
      Launcher launcher,
      Map<String, String> lockFailures,
      PrintStream out,
      PrintStream err) {
    if (datasets.size() == 1) {
      String ds = datasets.get(0);
      ChainSummary s =
          lockFailures.containsKey(ds)
              ? failedChain(ds, date, launcher, lockFailures.get(ds))
              : chain(ds, configs.get(ds), date, null, launcher, out, err);
      recordFinished(Map.of(ds, s), configs, date, err);
      out.println(Summary.toJson(s));
      return s.exitCode();
    }
    int threads = Math.min(parallel, datasets.size());
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<ChainSummary>> chains = new ArrayList<>();
    for (String ds : datasets) {
      String prefix = threads > 1 ? "[" + ds + "] " : null;
      chains.add(
          pool.submit(
              () -> {
                ChainSummary s =
                    lockFailures.containsKey(ds)
                        ? failedChain(ds, date, launcher, lockFailures.get(ds))
                        : launcher != null
                            ? chain(ds, configs.get(ds), date, prefix, launcher, out, err)
                            : SparkSessions.isolated(
                                () -> chain(ds, configs.get(ds), date, prefix, null, out, err));
                out.println(Summary.toJson(s));
                return s;
              }));
    }
    pool.shutdown();
    List<ChainSummary.DatasetLine> results = new ArrayList<>();
    Map<String, ChainSummary> byDataset = new LinkedHashMap<>();
    List<String> failed = new ArrayList<>();
    for (int i = 0; i < datasets.size(); i++) {
      String ds = datasets.get(i);
      ChainSummary s;
      try {
        s = chains.get(i).get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new JobFailure("nightly interrupted");
      } catch (ExecutionException e) {
        s = failedChain(ds, date, launcher, String.valueOf(e.getCause()));
      }
      byDataset.put(ds, s);
      results.add(new ChainSummary.DatasetLine(ds, s.status(), s.exitCode(), s.failedStage()));
      if (s.exitCode() != 0) {
        failed.add(ds);
      }
    }
    ChainSummary.Nightly all =
        new ChainSummary.Nightly(
            "nightly",
            date.toString(),
            failed.isEmpty() ? JobStatus.SUCCEEDED : JobStatus.FAILED,
            threads,
            failed.isEmpty() ? 0 : 1,
            failed.isEmpty() ? null : failed,
            failed.isEmpty()
                ? null
                : failed.size()
                    + " of "
                    + datasets.size()
                    + " dataset(s) failed: "
                    + String.join(", ", failed)
                    + ". Rerun the same command to resume them; finished stages and datasets are skipped.",
            results);
    recordFinished(byDataset, configs, date, err);
    out.println(Summary.toJson(all));
    return all.exitCode();
  }

  /**
   * One dataset's stages, under the lock the caller holds; returns the chain's summary (with its
   * exit code). A stage launched as its own application is first checked here, without Spark,
   * against the state a finished nightly left: nothing to start when the lake is as it was.
   */
  ChainSummary chain(
      String ds,
      LakemlConfig config,
      LocalDate date,
      String prefix,
      Launcher launcher,
      PrintStream out,
      PrintStream err) {
    List<ChainSummary.StageLine> done = new ArrayList<>();
    int exit = 0;
    String failedStage = null;
    String message = null;
    try {
      for (Stage stage : stages) {
        if (failedStage != null && !stage.always()) {
          continue;
        }
        long p0 = System.nanoTime();
        Runner.Outcome o;
        if (launcher == null) {
          o = Runner.run(stage.job().get(), config, date, out);
        } else {
          var unchanged = Runner.skipWithoutSpark(stage.job().get(), config, date, 0, p0);
          if (unchanged.isPresent()) {
            o = unchanged.get();
            out.println(
                Summary.toJson(
                    o.summary())); // a summary names its dataset: no prefix, as a stage's own
          } else {
            o = launcher.launch(stage, ds, date, prefix);
          }
        }
        // with a launcher, the whole application, launcher to exit: durationMs plus JVM start,
        // session and ledger
        Long processMs = launcher != null ? (System.nanoTime() - p0) / 1_000_000 : null;
        done.add(ChainSummary.StageLine.of(stage.name(), o.summary(), processMs, true));
        if (o.exitCode() != 0 && failedStage == null) {
          exit = o.exitCode();
          failedStage = stage.name();
          message = o.summary().message();
        }
      }
    } catch (JobFailure e) {
      err.println(e.getMessage());
      exit = 1;
      message = e.getMessage();
    }
    return new ChainSummary(
        "nightly",
        ds,
        date.toString(),
        launch(launcher),
        exit == 0 ? JobStatus.SUCCEEDED : JobStatus.FAILED,
        exit,
        failedStage,
        failedStage != null ? ChainSummary.failedMessage(failedStage, message) : message,
        done);
  }

  private static String launch(Launcher launcher) {
    return launcher != null ? "separate" : "in-process";
  }

  /** A chain that could not run at all (its lock is held, or it died outside any stage). */
  private static ChainSummary failedChain(
      String ds, LocalDate date, Launcher launcher, String message) {
    return new ChainSummary(
        "nightly",
        ds,
        date.toString(),
        launch(launcher),
        JobStatus.FAILED,
        1,
        null,
        message,
        List.of());
  }

  /**
   * Records, for each chain that finished without failure, that its stages have nothing to do in
   * the lake as it is now: one listing after every chain ended, under their locks, so a rerun of
   * this date can skip them without starting Spark. A failure here costs only that speed.
   */
  private void recordFinished(
      Map<String, ChainSummary> chains,
      Map<String, LakemlConfig> configs,
      LocalDate date,
      PrintStream err) {
    String fingerprint = null;
    for (Map.Entry<String, ChainSummary> c : chains.entrySet()) {
      LakemlConfig config = configs.get(c.getKey());
      if (!Integer.valueOf(0).equals(c.getValue().exitCode()) || !config.lake().skipUnchanged()) {
        continue;
      }
      try {
        LakeCatalog catalog = LakeCatalog.of(config);
        Configuration hadoop = LakeState.hadoop(config);
        if (fingerprint == null) {
          fingerprint = LakeState.fingerprint(catalog, hadoop);
        }
        LakeState.recordFinished(
            catalog, hadoop, c.getKey(), date, config.hash(), names(), fingerprint);
      } catch (IOException | RuntimeException e) {
        err.println(
            "nightly: could not record the finished state of "
                + c.getKey()
                + " ("
                + e
                + "); a rerun of "
                + date
                + " will check each stage with Spark.");
      }
    }
  }
}
