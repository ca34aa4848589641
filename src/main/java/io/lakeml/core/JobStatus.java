package io.lakeml.core;

/** Outcome of a job run, as written to the ledger and the summary. */
public enum JobStatus {
  SUCCEEDED,
  FAILED,
  SKIPPED
}
