package io.lakeml.core;

import io.lakeml.config.DatasetConfig;
import io.lakeml.config.LakemlConfig;
import java.time.LocalDate;
import org.apache.spark.sql.SparkSession;

/**
 * What a job gets from the runner: session, configuration, catalog and run identity. {@code redo}:
 * the job's previous run did not finish well (its JVM died, or it failed after committing part of
 * its outputs; see {@link RunMarkers}), so the job must not skip on what that run committed. {@code
 * hooks}: where tests inject faults ({@link Hooks}; none in production).
 */
public record JobContext(
    SparkSession spark,
    LakemlConfig config,
    LakeCatalog catalog,
    String jobName,
    String runId,
    LocalDate runDate,
    long startNanos,
    boolean redo,
    Hooks hooks) {
  /** Calls the run's {@link Hooks} at {@code point} (a no-op outside tests). */
  public void hook(Hooks.Point point, Object subject) {
    hooks.at(point, this, subject);
  }

  public DatasetConfig dataset() {
    return config.requireDataset();
  }

  /**
   * Labels the Spark work that follows (visible in the Spark UI and history server) and prints a
   * progress line to stderr.
   */
  public void step(String description, Object... keyValues) {
    String label =
        jobName
            + " "
            + config.dataset().map(DatasetConfig::name).orElse("-")
            + " ["
            + runDate
            + "]: "
            + description;
    spark.sparkContext().setJobGroup(runId, label, false);
    progress(description, keyValues);
  }

  /**
   * A progress line only ({@link Progress}), without relabelling the Spark work: for threads the
   * job does not own, such as CrossValidator's fits.
   */
  public void progress(String description, Object... keyValues) {
    Progress.report(
        jobName,
        config.dataset().map(DatasetConfig::name).orElse(null),
        startNanos,
        description,
        keyValues);
  }
}
