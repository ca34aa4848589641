package io.lakeml.core;

/**
 * One pipeline stage. A job reads and writes only Delta tables and files named by the {@link
 * LakeCatalog}, is idempotent per run date, and reports what it did in a {@link JobResult}. The
 * {@link Runner} does everything around it: config, session, labels, ledger, summary, exit code.
 */
public interface Job {
  /** Command name, e.g. {@code ingest}. */
  String name();

  /**
   * Checks what only this job knows about the configuration, before any Spark session starts; throw
   * {@link io.lakeml.config.ConfigException} (exit 2).
   */
  default void validate(io.lakeml.config.LakemlConfig config) {}

  /**
   * Whether this run has nothing to do when the lake is exactly as a finished nightly of the same
   * run date left it ({@link LakeState}), so the runner may skip it before starting Spark. True
   * only for a nightly stage whose outcome depends on nothing outside the lake, the configuration
   * and the run date: not for a JDBC ingest (the database may have new rows), nor for runs given
   * explicit arguments (a model version to promote).
   */
  default boolean skipsWhenLakeUnchanged(io.lakeml.config.LakemlConfig config) {
    return false;
  }

  /** Runs the job; throw {@link JobFailure} for failures the user should read. */
  JobResult run(JobContext context) throws Exception;
}
