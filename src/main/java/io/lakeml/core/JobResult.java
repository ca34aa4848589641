package io.lakeml.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a job did: status, a reason when it did not succeed, metrics and Delta versions read and
 * written.
 */
public final class JobResult {
  private final JobStatus status;
  private final String message;
  private final Map<String, Object> metrics = new LinkedHashMap<>();
  private final Map<String, Long> read = new LinkedHashMap<>();
  private final Map<String, Long> written = new LinkedHashMap<>();

  private JobResult(JobStatus status, String message) {
    this.status = status;
    this.message = message;
  }

  public static JobResult succeeded() {
    return new JobResult(JobStatus.SUCCEEDED, null);
  }

  public static JobResult skipped(String reason) {
    return new JobResult(JobStatus.SKIPPED, reason);
  }

  public static JobResult failed(String reason) {
    return new JobResult(JobStatus.FAILED, reason);
  }

  public JobResult metric(String name, Object value) {
    metrics.put(name, value);
    return this;
  }

  /**
   * Every property of a typed metrics record (e.g. {@link TuneMetrics}), in its order, as its JSON
   * would print them: the summary line is the same as from one {@link #metric} call per property.
   */
  public JobResult metrics(Object typed) {
    metrics.putAll(
        io.lakeml.config.Json.MAPPER.convertValue(
            typed,
            new com.fasterxml.jackson.core.type.TypeReference<LinkedHashMap<String, Object>>() {}));
    return this;
  }

  /**
   * A summary's metrics (as {@link #metrics()} or the run ledger's JSON holds them) read back into
   * the record the job wrote them from; keys the record does not know are ignored.
   */
  public static <T> T metricsAs(Map<String, Object> metrics, Class<T> type) {
    return io.lakeml.config.Json.MAPPER.convertValue(metrics, type);
  }

  /** Records the Delta version of a table this run read. */
  public JobResult read(String table, long version) {
    read.put(table, version);
    return this;
  }

  /** Records the Delta version of a table after this run's write. */
  public JobResult wrote(String table, long version) {
    written.put(table, version);
    return this;
  }

  public JobStatus status() {
    return status;
  }

  public String message() {
    return message;
  }

  public Map<String, Object> metrics() {
    return Collections.unmodifiableMap(metrics);
  }

  public Map<String, Long> tablesRead() {
    return Collections.unmodifiableMap(read);
  }

  public Map<String, Long> tablesWritten() {
    return Collections.unmodifiableMap(written);
  }
}
