package io.lakeml.core;

import io.lakeml.config.ConfigException;
import io.lakeml.config.DatasetConfig;
import io.lakeml.config.LakemlConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
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
  public record Outcome(int exitCode, Map<String, Object> summary) {
    public JobStatus status() {
      return JobStatus.valueOf((String) summary.get("status"));
    }
  }

  /** Test hook: "dataset:job" — that job of that dataset fails at its start (to test that a nightly resumes there). */
  static final String FAIL_JOB = "lakeml.test.failJob";

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
    long jobs0 = jobs.jobs();
    JobContext ctx = new JobContext(spark, config, LakeCatalog.of(config), job.name(), UUID.randomUUID().toString(), runDate, t0);
    LOG.info("{} {} run {} for {} starting (lake {})", job.name(), dataset, ctx.runId(), runDate, ctx.catalog().root());
    Map<String, String> small = SmallInput.settings(config);
    Map<String, String> replaced = SmallInput.apply(spark.conf(), small);
    JobResult result;
    int exit;
    try {
      if ((config.dataset().map(io.lakeml.config.DatasetConfig::name).orElse("") + ":" + job.name()).equals(System.getProperty(FAIL_JOB))) {
        throw new JobFailure("test hook " + FAIL_JOB + ": " + job.name() + " fails on purpose");
      }
      result = job.run(ctx);
      exit = result.status() == JobStatus.FAILED ? 1 : 0;
    } catch (Throwable e) {
      ConfigException configError = find(e, ConfigException.class);
      JobFailure failure = find(e, JobFailure.class);
      if (configError != null) {
        result = JobResult.failed(configError.getMessage());
        exit = 2;
      } else if (failure != null) {
        result = JobResult.failed(failure.getMessage());
        exit = 1;
      } else {
        result = JobResult.failed(e.getClass().getSimpleName() + ": " + rootMessage(e));
        exit = 1;
      }
      LOG.error("{} {} failed: {}", job.name(), dataset, result.message(), failure != null || configError != null ? null : e);
    } finally {
      spark.sparkContext().clearJobGroup();
      SmallInput.restore(spark.conf(), replaced);
    }
    Instant ended = Instant.now();
    long durationMs = (System.nanoTime() - t0) / 1_000_000;
    long l0 = System.nanoTime();
    try {
      RunLedger.record(ctx, result, started, ended);
    } catch (Exception e) {
      LOG.error("could not record run {} in the run ledger {}", ctx.runId(), ctx.catalog().runs().path(), e);
    }
    long ledgerMs = (System.nanoTime() - l0) / 1_000_000;
    Map<String, Object> summary = Summary.of(ctx, result, durationMs);
    Map<String, Object> timings = Summary.timings(jvmUptimeMs, sessionMs, ledgerMs);
    timings.put("sparkJobs", jobs.jobs() - jobs0); // the ledger's append included
    timings.put("smallInput", !small.isEmpty());
    summary.put("timings", timings);
    out.println(Summary.toJson(summary));
    out.flush();
    return new Outcome(exit, summary);
  }

  /**
   * A SKIPPED outcome decided before any Spark session exists, when the job allows it and the lake is
   * as a finished nightly of this run date left it ({@link LakeState}); empty otherwise, and on any
   * error reading the lake (the job then decides with Spark, as it always could).
   */
  public static Optional<Outcome> skipWithoutSpark(Job job, LakemlConfig config, LocalDate runDate, long jvmUptimeMs, long t0) {
    if (!config.lake().skipUnchanged() || config.dataset().isEmpty() || !job.skipsWhenLakeUnchanged(config)) {
      return Optional.empty();
    }
    String dataset = config.requireDataset().name();
    Optional<String> why;
    try {
      why = LakeState.unchanged(LakeCatalog.of(config), LakeState.hadoop(config), dataset, runDate, config.hash(), job.name());
    } catch (IOException | RuntimeException e) {
      LOG.warn("{} {}: could not compare the lake with its finished state ({}); deciding with Spark", job.name(), dataset, e.toString());
      return Optional.empty();
    }
    if (why.isEmpty()) {
      return Optional.empty();
    }
    LOG.info("{} {} [{}] SKIPPED: {}", job.name(), dataset, runDate, why.get());
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("job", job.name());
    s.put("dataset", dataset);
    s.put("runDate", runDate.toString());
    s.put("status", JobStatus.SKIPPED.name());
    s.put("runId", UUID.randomUUID().toString());
    s.put("applicationId", null);
    s.put("durationMs", (System.nanoTime() - t0) / 1_000_000);
    s.put("message", why.get());
    s.put("metrics", Map.of("decidedWithoutSpark", true));
    s.put("tables", Map.of());
    s.put("inputs", Map.of());
    s.put("timings", Summary.timings(jvmUptimeMs, 0, 0));
    return Optional.of(new Outcome(0, s));
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
    // Spark messages can carry whole query plans: the summary keeps the first line (the log has all).
    m = m.lines().findFirst().orElse(m);
    return m.length() > 500 ? m.substring(0, 500) + "…" : m;
  }
}
