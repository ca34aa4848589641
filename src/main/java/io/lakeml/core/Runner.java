package io.lakeml.core;

import io.lakeml.config.ConfigException;
import io.lakeml.config.DatasetConfig;
import io.lakeml.config.LakemlConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one job: builds the session, labels the work, maps failures to statuses and exit codes,
 * records the run in the ledger and prints the JSON summary as the last line of stdout.
 */
public final class Runner {
  private static final Logger LOG = LoggerFactory.getLogger(Runner.class);

  /** Exit code and summary of a run. */
  public record Outcome(int exitCode, Summary summary) {
    public JobStatus status() {
      return summary.status();
    }
  }

  private Runner() {}

  public static Outcome run(Job job, LakemlConfig config, LocalDate runDate, PrintStream out) {
    // time since the JVM started: launcher, class loading and configuration before this stage
    long jvmUptimeMs = ManagementFactory.getRuntimeMXBean().getUptime();
    Instant started = Instant.now();
    long t0 = System.nanoTime();
    String dataset = config.dataset().map(DatasetConfig::name).orElse("-");
    Optional<Outcome> unchanged = skipWithoutSpark(job, config, runDate, jvmUptimeMs, t0);
    if (unchanged.isPresent()) {
      out.println(Summary.toJson(unchanged.get().summary()));
      out.flush();
      return unchanged.get();
    }
    SparkSession spark = SparkSessions.getOrCreate(config, "lakeml " + job.name() + " " + dataset);
    long sessionMs = (System.nanoTime() - t0) / 1_000_000;
    SparkJobCounter jobs = SparkJobCounter.of(spark.sparkContext());
    LakeCatalog catalog = LakeCatalog.of(config);
    org.apache.hadoop.conf.Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    String runId = UUID.randomUUID().toString();
    List<RunMarkers.Found> over =
        config.dataset().isPresent() ? runsOver(catalog, hadoop, dataset) : List.of();
    boolean redo = over.stream().anyMatch(f -> f.marker().job().equals(job.name()));
    JobContext ctx =
        new JobContext(
            spark, config, catalog, job.name(), runId, runDate, t0, redo, Hooks.installed());
    // every Spark job of the run, the ledger's append included, under the run's id: counted apart
    // from
    // other chains of the same application
    spark
        .sparkContext()
        .setJobGroup(ctx.runId(), job.name() + " " + dataset + " [" + runDate + "]", false);
    LOG.info(
        "{} {} run {} for {} starting (lake {})",
        job.name(),
        dataset,
        ctx.runId(),
        runDate,
        ctx.catalog().root());
    boolean marked = config.dataset().isPresent() && startMarker(ctx, hadoop, over);
    Map<String, String> small = SmallInput.settings(config);
    Map<String, String> wide = WideInput.settings(config, job.name());
    Map<String, String> session = new java.util.LinkedHashMap<>(small);
    session.putAll(wide);
    Map<String, String> replaced = SmallInput.apply(spark.conf(), session);
    JobResult result;
    int exit;
    try {
      ctx.hook(Hooks.Point.JOB_START, null);
      result = job.run(ctx);
      exit = result.status() == JobStatus.FAILED ? 1 : 0;
    } catch (Throwable e) {
      ConfigException configError = find(e, ConfigException.class);
      JobFailure failure = find(e, JobFailure.class);
      String refused = storageRefused(e);
      OutOfMemoryError oom = find(e, OutOfMemoryError.class);
      String root = rootMessage(e);
      if (configError != null) {
        result = JobResult.failed(configError.getMessage());
        exit = 2;
      } else if (failure != null) {
        result = JobResult.failed(failure.getMessage());
        exit = 1;
      } else if (refused != null) {
        result =
            JobResult.failed(
                "the lake's storage refused a write while "
                    + job.name()
                    + " ran ("
                    + refused
                    + "; lake.root "
                    + ctx.catalog().root()
                    + "). Free space there (or make it writable, or point lake.root elsewhere), then rerun: Delta commits "
                    + "are atomic, so what the failed run half-wrote is never read, and the rerun redoes the stage.");
        exit = 1;
      } else if (oom != null) {
        result = JobResult.failed(outOfMemory(job.name(), oom));
        exit = 1;
      } else if (root.contains("SparkContext was shut down")
          || root.contains("stopped SparkContext")) {
        result =
            JobResult.failed(
                "Spark stopped under "
                    + job.name()
                    + " ("
                    + e.getClass().getSimpleName()
                    + ": "
                    + root
                    + "): usually the driver or an executor ran out of memory or was killed; the log above says which. Raise "
                    + "LAKEML_DRIVER_MEMORY (local mode) or spark.executor.memory, then rerun: the stage is redone.");
        exit = 1;
      } else {
        result = JobResult.failed(e.getClass().getSimpleName() + ": " + root);
        exit = 1;
      }
      LOG.error(
          "{} {} failed: {}",
          job.name(),
          dataset,
          result.message(),
          failure != null || configError != null ? null : e);
    } finally {
      SmallInput.restore(spark.conf(), replaced);
    }
    Instant ended = Instant.now();
    long durationMs = (System.nanoTime() - t0) / 1_000_000;
    long l0 = System.nanoTime();
    boolean recorded = true;
    try {
      RunLedger.record(ctx, result, started, ended);
    } catch (Exception e) {
      recorded = false;
      LOG.error(
          "could not record run {} in the run ledger {}",
          ctx.runId(),
          ctx.catalog().runs().path(),
          e);
    }
    if (marked) {
      endMarker(ctx, hadoop, exit == 0, recorded);
    }
    long ledgerMs = (System.nanoTime() - l0) / 1_000_000;
    spark.sparkContext().clearJobGroup();
    Summary.Timings timings =
        new Summary.Timings(
            jvmUptimeMs,
            sessionMs,
            ledgerMs,
            jobs.jobs(ctx.runId()), // the ledger's append included
            !small.isEmpty(),
            !wide.isEmpty());
    jobs.forget(ctx.runId());
    Summary summary = Summary.of(ctx, result, durationMs, timings);
    out.println(Summary.toJson(summary));
    out.flush();
    return new Outcome(exit, summary);
  }

  /**
   * A SKIPPED outcome decided before any Spark session exists, when the job allows it and the lake
   * is as a finished nightly of this run date left it ({@link LakeState}); empty otherwise, and on
   * any error reading the lake (the job then decides with Spark, as it always could).
   */
  public static Optional<Outcome> skipWithoutSpark(
      Job job, LakemlConfig config, LocalDate runDate, long jvmUptimeMs, long t0) {
    if (!config.lake().skipUnchanged()
        || config.dataset().isEmpty()
        || !job.skipsWhenLakeUnchanged(config)) {
      return Optional.empty();
    }
    String dataset = config.requireDataset().name();
    Optional<String> why;
    try {
      LakeCatalog catalog = LakeCatalog.of(config);
      org.apache.hadoop.conf.Configuration hadoop =
          LakeState.hadoop(config); // one, for both checks
      if (RunMarkers.exists(catalog, hadoop, dataset, job.name())) {
        return Optional.empty(); // its last run did not finish well: redone with Spark
      }
      why = LakeState.unchanged(catalog, hadoop, dataset, runDate, config.hash(), job.name());
    } catch (IOException | RuntimeException e) {
      LOG.warn(
          "{} {}: could not compare the lake with its finished state ({}); deciding with Spark",
          job.name(),
          dataset,
          e.toString());
      return Optional.empty();
    }
    if (why.isEmpty()) {
      return Optional.empty();
    }
    LOG.info("{} {} [{}] SKIPPED: {}", job.name(), dataset, runDate, why.get());
    return Optional.of(
        new Outcome(
            0,
            new Summary(
                job.name(),
                dataset,
                runDate.toString(),
                JobStatus.SKIPPED,
                UUID.randomUUID().toString(),
                null,
                (System.nanoTime() - t0) / 1_000_000,
                why.get(),
                Map.of("decidedWithoutSpark", true),
                Map.of(),
                Map.of(),
                Summary.Timings.withoutSpark(jvmUptimeMs))));
  }

  /** What an out-of-memory error in the driver means and the setting that fixes it. */
  static String outOfMemory(String job, OutOfMemoryError e) {
    long mb = Runtime.getRuntime().maxMemory() / (1024 * 1024);
    return "out of memory in "
        + job
        + " ("
        + e.getMessage()
        + ") with a driver heap of "
        + mb
        + " MB. Give the driver more: "
        + "LAKEML_DRIVER_MEMORY=4g jobs/lakeml … (or spark.driver.memory under spark-submit); the rerun redoes "
        + job
        + ".";
  }

  /**
   * The dataset's runs that are over without having finished well ({@link RunMarkers}); on an
   * unreadable lake, none (the job then decides as it always did).
   */
  private static List<RunMarkers.Found> runsOver(
      LakeCatalog catalog, org.apache.hadoop.conf.Configuration hadoop, String dataset) {
    try {
      return RunMarkers.over(catalog, hadoop, dataset);
    } catch (IOException | RuntimeException e) {
      LOG.warn("could not read the run markers of {} ({})", dataset, e.toString());
      return List.of();
    }
  }

  /**
   * Records dead runs (a JVM that died during a job leaves its marker and no ledger row) as FAILED
   * in the ledger, then marks this run as started. False when the marker could not be written.
   */
  private static boolean startMarker(
      JobContext ctx, org.apache.hadoop.conf.Configuration hadoop, List<RunMarkers.Found> over) {
    for (RunMarkers.Found f : over) {
      RunMarkers.Marker m = f.marker();
      if (m.recorded()) {
        continue;
      }
      try {
        RunLedger.recordDead(ctx, m, java.time.Instant.ofEpochMilli(f.modifiedMs()));
        LOG.warn(
            "{} {} run {} of {} did not finish (its JVM died: killed, or out of memory); recorded as FAILED{}",
            m.job(),
            m.dataset(),
            m.runId(),
            m.runDate(),
            m.job().equals(ctx.jobName()) ? "; redoing it" : "");
        if (!m.job().equals(ctx.jobName())) {
          RunMarkers.failed(
              ctx.catalog(), hadoop, m); // recorded now; that job still redoes on its next run
        }
      } catch (Exception e) {
        LOG.error(
            "could not record the dead run {} of {} in the run ledger", m.runId(), m.job(), e);
      }
    }
    try {
      RunMarkers.start(ctx, hadoop);
      return true;
    } catch (IOException | RuntimeException e) {
      LOG.warn(
          "could not mark run {} as started ({}); a JVM death during it would go unrecorded",
          ctx.runId(),
          e.toString());
      return false;
    }
  }

  private static void endMarker(
      JobContext ctx, org.apache.hadoop.conf.Configuration hadoop, boolean ok, boolean recorded) {
    try {
      if (ok) {
        RunMarkers.finished(ctx, hadoop);
      } else {
        RunMarkers.failed(ctx, hadoop, recorded);
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("could not update the run marker of {} ({})", ctx.runId(), e.toString());
    }
  }

  private static final List<String> STORAGE_REFUSALS =
      List.of(
          "No space left on device",
          "Disk quota exceeded",
          "Read-only file system",
          "Permission denied");

  /**
   * The message of the deepest cause saying the storage is full or not writable (Spark's wrappers
   * repeat it), or null.
   */
  static String storageRefused(Throwable e) {
    String found = null;
    for (Throwable c = e; c != null && c.getCause() != c; c = c.getCause()) {
      String m = c.getMessage();
      if (c instanceof java.nio.file.AccessDeniedException
          || (m != null && STORAGE_REFUSALS.stream().anyMatch(m::contains))) {
        found = m == null ? c.getClass().getSimpleName() : m;
      }
    }
    return found == null || found.length() <= 300 ? found : found.substring(0, 300) + "…";
  }

  static <T extends Throwable> T find(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage() == null ? t.getClass().getName() : t.getMessage();
    // Spark messages can carry whole query plans: the summary keeps the first line (the log has
    // all).
    m = m.lines().findFirst().orElse(m);
    return m.length() > 500 ? m.substring(0, 500) + "…" : m;
  }
}
