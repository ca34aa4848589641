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

  /** Runs the job; throw {@link JobFailure} for failures the user should read. */
  JobResult run(JobContext context) throws Exception;
}
