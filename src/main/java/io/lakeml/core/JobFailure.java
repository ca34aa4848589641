package io.lakeml.core;

/**
 * A job cannot complete for a reason the user can act on (bad data, policy violation). Exit code 1.
 */
public class JobFailure extends RuntimeException {
  public JobFailure(String message) {
    super(message);
  }

  public JobFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
