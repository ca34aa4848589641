package io.lakeml.core;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * The summary line of several stages run as one command for one dataset: a nightly's chain, or a
 * command made of several jobs. {@code launch}, {@code exitCode}, {@code failedStage} and {@code
 * message} are left out when null.
 *
 * @param launch {@code in-process} or {@code separate} (a nightly's chain only)
 * @param stages one line per stage that ran, in order
 */
@JsonPropertyOrder({
  "job",
  "dataset",
  "runDate",
  "launch",
  "status",
  "exitCode",
  "failedStage",
  "message",
  "stages"
})
public record ChainSummary(
    String job,
    String dataset,
    String runDate,
    @JsonInclude(JsonInclude.Include.NON_NULL) String launch,
    JobStatus status,
    @JsonInclude(JsonInclude.Include.NON_NULL) Integer exitCode,
    @JsonInclude(JsonInclude.Include.NON_NULL) String failedStage,
    @JsonInclude(JsonInclude.Include.NON_NULL) String message,
    List<StageLine> stages) {

  /**
   * One stage of a chain: its status and duration, and for a stage run as its own application the
   * whole process's time ({@code processMs}: JVM start, session and ledger included).
   */
  @JsonPropertyOrder({"job", "status", "durationMs", "processMs", "timings"})
  public record StageLine(
      String job,
      JobStatus status,
      Long durationMs,
      @JsonInclude(JsonInclude.Include.NON_NULL) Long processMs,
      @JsonInclude(JsonInclude.Include.NON_NULL) Summary.Timings timings) {
    /** The line of a stage that ran through {@link Runner}, in or out of this process. */
    public static StageLine of(String job, Summary s, Long processMs, boolean withTimings) {
      return new StageLine(
          job, s.status(), s.durationMs(), processMs, withTimings ? s.timings() : null);
    }
  }

  /**
   * The message of a chain whose stage {@code failedStage} failed with {@code why}: what to do
   * next.
   */
  public static String failedMessage(String failedStage, String why) {
    return failedStage
        + " failed: "
        + why
        + " Rerun the same command to resume: finished stages are skipped.";
  }

  /**
   * The summary line of a nightly over several datasets, printed after each dataset's own.
   *
   * @param failed the datasets whose chain failed, left out when none did
   */
  @JsonPropertyOrder({
    "job",
    "runDate",
    "status",
    "parallel",
    "exitCode",
    "failed",
    "message",
    "datasets"
  })
  public record Nightly(
      String job,
      String runDate,
      JobStatus status,
      int parallel,
      int exitCode,
      @JsonInclude(JsonInclude.Include.NON_NULL) List<String> failed,
      @JsonInclude(JsonInclude.Include.NON_NULL) String message,
      List<DatasetLine> datasets) {}

  /** One dataset's line in {@link Nightly}. */
  @JsonPropertyOrder({"dataset", "status", "exitCode", "failedStage"})
  public record DatasetLine(
      String dataset,
      JobStatus status,
      Integer exitCode,
      @JsonInclude(JsonInclude.Include.NON_NULL) String failedStage) {}
}
