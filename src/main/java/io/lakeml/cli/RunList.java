package io.lakeml.cli;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lakeml.core.DeltaTables;
import io.lakeml.core.LakeCatalog;
import io.lakeml.core.Summary;
import io.lakeml.tables.RunsTable;
import java.io.PrintStream;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code jobs/lakeml runs}: the run ledger ({@code _system.runs}) newest first — what ran, when,
 * how long, with what status and why it was skipped or failed.
 */
final class RunList {
  /** Longest message shown in the text table; {@code --json} carries it whole. */
  static final int MESSAGE_WIDTH = 120;

  private static final ObjectMapper JSON = io.lakeml.config.Json.MAPPER;

  private RunList() {}

  /**
   * Prints the runs (a table, or one JSON object per run) and returns the summary's metrics and
   * message.
   */
  static Map<String, Object> print(
      SparkSession spark,
      LakeCatalog cat,
      String dataset,
      LocalDate runDate,
      int last,
      boolean json,
      PrintStream out) {
    Map<String, Object> result = new LinkedHashMap<>();
    LakeCatalog.Table runs = cat.runs();
    if (!DeltaTables.exists(spark, runs.path())) {
      String message =
          "No runs recorded yet: the run ledger "
              + runs.path()
              + " does not exist. Run a job first, e.g. 'jobs/lakeml nightly --dataset NAME'.";
      if (!json) {
        out.println(message);
      }
      result.put("message", message);
      result.put("metrics", Map.of("rows", 0, "total", 0));
      return result;
    }
    Column filter = lit(true);
    if (dataset != null) {
      filter = filter.and(col(RunsTable.DATASET).equalTo(dataset));
    }
    if (runDate != null) {
      filter = filter.and(col(RunsTable.RUN_DATE).equalTo(lit(java.sql.Date.valueOf(runDate))));
    }
    Dataset<Row> matching = spark.read().format("delta").load(runs.path()).where(filter);
    // bounded: limit --last
    List<Row> rows =
        matching
            .orderBy(col(RunsTable.STARTED_AT).desc(), col(RunsTable.RUN_ID))
            .limit(last)
            .collectAsList();
    Map<String, Long> byStatus = new TreeMap<>();
    // bounded: one count per run status
    for (Row r : matching.groupBy(RunsTable.STATUS).count().collectAsList()) {
      byStatus.put(r.getString(0), r.getLong(1));
    }
    long total = byStatus.values().stream().mapToLong(Long::longValue).sum();
    if (rows.isEmpty()) {
      String message =
          "No runs "
              + (dataset == null ? "" : "of dataset '" + dataset + "' ")
              + (runDate == null ? "" : "for run date " + runDate + " ")
              + "in "
              + runs.name()
              + ".";
      if (!json) {
        out.println(message);
      }
      result.put("message", message);
    }
    TextTable table =
        new TextTable(
            "started (UTC)", "run date", "job", "dataset", "status", ">duration", "message");
    for (Row row : rows) {
      RunsTable.Run r = RunsTable.Run.fromRow(row);
      Map<String, Object> run = toMap(r);
      if (json) {
        out.println(Summary.toJson(run));
      } else {
        table.row(
            utc(r.startedAt()),
            run.get("runDate"),
            r.job(),
            r.dataset(),
            r.status(),
            duration(r.durationMs()),
            shorten(r.message()));
      }
    }
    if (!json && !table.isEmpty()) {
      table.print(out);
      if (total > rows.size()) {
        out.println("(" + rows.size() + " of " + total + " runs; --last N shows more)");
      }
    }
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("rows", rows.size());
    metrics.put("total", total);
    metrics.put("byStatus", byStatus);
    result.put("metrics", metrics);
    return result;
  }

  private static Map<String, Object> toMap(RunsTable.Run r) {
    Map<String, Object> run = new LinkedHashMap<>();
    run.put("runId", r.runId());
    run.put("job", r.job());
    run.put("dataset", r.dataset());
    run.put("runDate", String.valueOf(r.runDate()));
    run.put("status", r.status());
    run.put("startedAt", utc(r.startedAt()));
    run.put("endedAt", utc(r.endedAt()));
    run.put("durationMs", r.durationMs());
    run.put("message", r.message());
    run.put("tablesRead", r.tablesRead() == null ? Map.of() : r.tablesRead());
    run.put("tablesWritten", r.tablesWritten() == null ? Map.of() : r.tablesWritten());
    String metrics = r.metricsJson();
    try {
      run.put("metrics", metrics == null ? Map.of() : JSON.readValue(metrics, Map.class));
    } catch (java.io.IOException e) {
      run.put("metrics", metrics);
    }
    return run;
  }

  /**
   * A ledger timestamp as an ISO instant in UTC, to the second (independent of the session time
   * zone).
   */
  static String utc(Timestamp t) {
    return t == null ? null : t.toInstant().truncatedTo(ChronoUnit.SECONDS).toString();
  }

  static String duration(Long ms) {
    if (ms == null) {
      return "-";
    }
    if (ms < 60_000) {
      return String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
    }
    long s = ms / 1000;
    return s < 3600
        ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60)
        : String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
  }

  private static String shorten(String message) {
    if (message == null) {
      return "";
    }
    String one = message.replace('\n', ' ');
    return one.length() <= MESSAGE_WIDTH ? one : one.substring(0, MESSAGE_WIDTH - 1) + "…";
  }
}
