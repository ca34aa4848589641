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
      Map<String, Object> s =
          lockFailures.containsKey(ds)
              ? failedChain(ds, date, launcher, lockFailures.get(ds))
              : chain(ds, configs.get(ds), date, null, launcher, out, err);
      recordFinished(Map.of(ds, s), configs, date, err);
      out.println(Summary.toJson(s));
      return (Integer) s.get("exitCode");
    }
    int threads = Math.min(parallel, datasets.size());
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<Map<String, Object>>> chains = new ArrayList<>();
    for (String ds : datasets) {
      String prefix = threads > 1 ? "[" + ds + "] " : null;
      chains.add(
          pool.submit(
              () -> {
                Map<String, Object> s =
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
    List<Map<String, Object>> results = new ArrayList<>();
    Map<String, Map<String, Object>> byDataset = new LinkedHashMap<>();
    List<String> failed = new ArrayList<>();
    for (int i = 0; i < datasets.size(); i++) {
      String ds = datasets.get(i);
      Map<String, Object> s;
      try {
        s = chains.get(i).get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new JobFailure("nightly interrupted");
      } catch (ExecutionException e) {
        s = failedChain(ds, date, launcher, String.valueOf(e.getCause()));
      }
      byDataset.put(ds, s);
      Map<String, Object> brief = new LinkedHashMap<>();
      brief.put("dataset", ds);
      brief.put("status", s.get("status"));
      brief.put("exitCode", s.get("exitCode"));
      if (s.get("failedStage") != null) {
        brief.put("failedStage", s.get("failedStage"));
      }
      results.add(brief);
      if ((Integer) s.get("exitCode") != 0) {
        failed.add(ds);
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
      all.put(
          "message",
          failed.size()
              + " of "
              + datasets.size()
              + " dataset(s) failed: "
              + String.join(", ", failed)
              + ". Rerun the same command to resume them; finished stages and datasets are skipped.");
    }
    all.put("datasets", results);
    recordFinished(byDataset, configs, date, err);
    out.println(Summary.toJson(all));
    return failed.isEmpty() ? 0 : 1;
  }

  /**
   * One dataset's stages, under the lock the caller holds; returns the chain's summary (with its
   * exit code). A stage launched as its own application is first checked here, without Spark,
   * against the state a finished nightly left: nothing to start when the lake is as it was.
   */
  Map<String, Object> chain(
      String ds,
      LakemlConfig config,
      LocalDate date,
      String prefix,
      Launcher launcher,
      PrintStream out,
      PrintStream err) {
    Map<String, Object> s = head(ds, date, launcher);
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
        Map<String, Object> brief = new LinkedHashMap<>();
        brief.put("job", stage.name());
        brief.put("status", o.summary().get("status"));
        brief.put("durationMs", o.summary().get("durationMs"));
        if (launcher != null) {
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
      s.put(
          "message",
          failedStage
              + " failed: "
              + message
              + " Rerun the same command to resume: finished stages are skipped.");
    } else if (message != null) {
      s.put("message", message);
    }
    s.put("stages", done);
    return s;
  }

  private static Map<String, Object> head(String ds, LocalDate date, Launcher launcher) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("job", "nightly");
    s.put("dataset", ds);
    s.put("runDate", date.toString());
    s.put("launch", launcher != null ? "separate" : "in-process");
    return s;
  }

  /** A chain that could not run at all (its lock is held, or it died outside any stage). */
  private static Map<String, Object> failedChain(
      String ds, LocalDate date, Launcher launcher, String message) {
    Map<String, Object> s = head(ds, date, launcher);
    s.put("status", "FAILED");
    s.put("exitCode", 1);
    s.put("message", message);
    s.put("stages", List.of());
    return s;
  }

  /**
   * Records, for each chain that finished without failure, that its stages have nothing to do in
   * the lake as it is now: one listing after every chain ended, under their locks, so a rerun of
   * this date can skip them without starting Spark. A failure here costs only that speed.
   */
  private void recordFinished(
      Map<String, Map<String, Object>> chains,
      Map<String, LakemlConfig> configs,
      LocalDate date,
      PrintStream err) {
    String fingerprint = null;
    for (Map.Entry<String, Map<String, Object>> c : chains.entrySet()) {
      LakemlConfig config = configs.get(c.getKey());
      if (!Integer.valueOf(0).equals(c.getValue().get("exitCode"))
          || !config.lake().skipUnchanged()) {
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
