package io.lakeml.core;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one-line JSON summary a job prints as the last line of stdout, in the documented field order.
 * {@code message} is left out when there is none; every other field is always written ({@code
 * dataset} and {@code applicationId} as null when there are none). Read back from a child process
 * with {@link #parse}.
 *
 * @param metrics the job's own metrics, as {@link JobResult#metrics()} holds them
 * @param tables Delta versions this run wrote, by table name
 * @param inputs Delta versions this run read, by table name
 * @param timings where the stage's fixed cost went; null for a summary read from an older lakeml
 */
@JsonPropertyOrder({
  "job",
  "dataset",
  "runDate",
  "status",
  "runId",
  "applicationId",
  "durationMs",
  "message",
  "metrics",
  "tables",
  "inputs",
  "timings"
})
@JsonIgnoreProperties(ignoreUnknown = true)
public record Summary(
    String job,
    String dataset,
    String runDate,
    JobStatus status,
    String runId,
    String applicationId,
    Long durationMs,
    @JsonInclude(JsonInclude.Include.NON_NULL) String message,
    Map<String, Object> metrics,
    Map<String, TableVersion> tables,
    Map<String, TableVersion> inputs,
    @JsonInclude(JsonInclude.Include.NON_NULL) Timings timings) {
  static final ObjectMapper MAPPER = io.lakeml.config.Json.MAPPER;

  /** A table's Delta version, as {@code {"version": n}}. */
  public record TableVersion(long version) {}

  /**
   * Where a stage's fixed cost goes: {@code jvmUptimeMs} from JVM start to the stage's start
   * (launcher, class loading, configuration; in a nightly run in-process, everything before this
   * stage too), {@code sessionMs} getting the Spark session (0 when it already existed, included in
   * {@code durationMs}) and {@code ledgerMs} recording the run in {@code _system.runs} (after
   * {@code durationMs}). The last three are absent when the stage was decided without Spark: the
   * Spark jobs it ran (the ledger's append included) and whether the small-input and wide-input
   * settings applied.
   */
  @JsonPropertyOrder({
    "jvmUptimeMs",
    "sessionMs",
    "ledgerMs",
    "sparkJobs",
    "smallInput",
    "wideInput"
  })
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Timings(
      long jvmUptimeMs,
      long sessionMs,
      long ledgerMs,
      Long sparkJobs,
      Boolean smallInput,
      Boolean wideInput) {
    static Timings withoutSpark(long jvmUptimeMs) {
      return new Timings(jvmUptimeMs, 0, 0, null, null, null);
    }
  }

  /** The summary of a run that went through {@link Runner}. */
  static Summary of(JobContext ctx, JobResult result, long durationMs, Timings timings) {
    return new Summary(
        ctx.jobName(),
        ctx.config().dataset().map(d -> d.name()).orElse(null),
        ctx.runDate().toString(),
        result.status(),
        ctx.runId(),
        // the Spark application the job ran in: where its logs and UI (history server) are found
        ctx.spark().sparkContext().applicationId(),
        durationMs,
        result.message(),
        result.metrics(),
        versions(result.tablesWritten()),
        versions(result.tablesRead()),
        timings);
  }

  /**
   * A summary for a stage that did not get to report one itself (its process could not start, or
   * died): only the job, its status and why.
   */
  public static Summary failed(String job, String message) {
    return new Summary(
        job,
        null,
        null,
        JobStatus.FAILED,
        null,
        null,
        null,
        message,
        Map.of(),
        Map.of(),
        Map.of(),
        null);
  }

  private static Map<String, TableVersion> versions(Map<String, Long> byTable) {
    Map<String, TableVersion> out = new LinkedHashMap<>();
    byTable.forEach((name, v) -> out.put(name, new TableVersion(v)));
    return out;
  }

  /** A summary line as a job printed it (a child process's last stdout line). */
  public static Summary parse(String json) throws JsonProcessingException {
    return MAPPER.readValue(json, Summary.class);
  }

  public static String toJson(Object summary) {
    try {
      return MAPPER.writeValueAsString(summary);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("summary is not serializable", e);
    }
  }
}
