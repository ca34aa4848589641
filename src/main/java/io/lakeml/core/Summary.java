package io.lakeml.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;

/** The one-line JSON summary a job prints as the last line of stdout. */
public final class Summary {
  static final ObjectMapper MAPPER = io.lakeml.config.Json.MAPPER;

  private Summary() {}

  /** Builds the summary object in the documented field order. */
  public static Map<String, Object> of(JobContext ctx, JobResult result, long durationMs) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("job", ctx.jobName());
    s.put("dataset", ctx.config().dataset().map(d -> d.name()).orElse(null));
    s.put("runDate", ctx.runDate().toString());
    s.put("status", result.status().name());
    s.put("runId", ctx.runId());
    // the Spark application the job ran in: where its logs and UI (history server) are found
    s.put("applicationId", ctx.spark().sparkContext().applicationId());
    s.put("durationMs", durationMs);
    if (result.message() != null) {
      s.put("message", result.message());
    }
    s.put("metrics", result.metrics());
    Map<String, Object> tables = new LinkedHashMap<>();
    result.tablesWritten().forEach((name, v) -> tables.put(name, Map.of("version", v)));
    s.put("tables", tables);
    Map<String, Object> inputs = new LinkedHashMap<>();
    result.tablesRead().forEach((name, v) -> inputs.put(name, Map.of("version", v)));
    s.put("inputs", inputs);
    return s;
  }

  /**
   * Where a stage's fixed cost goes: {@code jvmUptimeMs} from JVM start to the stage's start
   * (launcher, class loading, configuration; in a nightly run in-process, everything before this
   * stage too), {@code sessionMs} getting the Spark session (0 when it already existed, included in
   * {@code durationMs}) and {@code ledgerMs} recording the run in {@code _system.runs} (after
   * {@code durationMs}).
   */
  static Map<String, Object> timings(long jvmUptimeMs, long sessionMs, long ledgerMs) {
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("jvmUptimeMs", jvmUptimeMs);
    t.put("sessionMs", sessionMs);
    t.put("ledgerMs", ledgerMs);
    return t;
  }

  public static String toJson(Object summary) {
    try {
      return MAPPER.writeValueAsString(summary);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("summary is not serializable", e);
    }
  }
}
