package io.lakeml.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.lakeml.tables.RunsTable;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The run ledger ({@code _system.runs}): one row per job run, appended when the run ends. */
public final class RunLedger {
  private static final Logger LOG = LoggerFactory.getLogger(RunLedger.class);

  private RunLedger() {}

  /** Appends the run's row; retries briefly when a concurrent first write created the table. */
  static void record(JobContext ctx, JobResult result, Instant started, Instant ended)
      throws JsonProcessingException {
    append(
        ctx,
        new RunsTable.Run(
            ctx.runId(),
            ctx.jobName(),
            ctx.config().dataset().map(d -> d.name()).orElse(null),
            Date.valueOf(ctx.runDate()),
            result.status().name(),
            result.message(),
            Timestamp.from(started),
            Timestamp.from(ended),
            ended.toEpochMilli() - started.toEpochMilli(),
            result.tablesRead(),
            result.tablesWritten(),
            Summary.MAPPER.writeValueAsString(result.metrics()),
            ctx.config().hash(),
            Version.get()));
  }

  /**
   * Records a run whose JVM died before it could record itself ({@link RunMarkers}): FAILED, from
   * its start to when its marker was last written, found by the run {@code ctx}.
   */
  static void recordDead(JobContext ctx, RunMarkers.Marker m, Instant lastSeen) {
    Instant started = Instant.parse(m.startedAt());
    Instant ended = lastSeen.isBefore(started) ? started : lastSeen;
    append(
        ctx,
        new RunsTable.Run(
            m.runId(),
            m.job(),
            m.dataset(),
            Date.valueOf(java.time.LocalDate.parse(m.runDate())),
            JobStatus.FAILED.name(),
            m.job()
                + " did not finish: its JVM (pid "
                + m.pid()
                + " on "
                + m.host()
                + ") died without recording the run — killed, or out of "
                + "memory (Spark exits 52; raise LAKEML_DRIVER_MEMORY). Found by "
                + ctx.jobName()
                + " run "
                + ctx.runId()
                + "; the next "
                + m.job()
                + " redoes its work.",
            Timestamp.from(started),
            Timestamp.from(ended),
            ended.toEpochMilli() - started.toEpochMilli(),
            null,
            null,
            "{}",
            m.configHash(),
            Version.get()));
  }

  private static void append(JobContext ctx, RunsTable.Run run) {
    Row row = run.toRow();
    String path = ctx.catalog().runs().path();
    for (int attempt = 1; ; attempt++) {
      try {
        var writer =
            ctx.spark()
                .createDataFrame(List.of(row), RunsTable.SCHEMA)
                .coalesce(1)
                .write()
                .format("delta");
        if (!DeltaTables.exists(ctx.spark(), path)) {
          writer = DeltaTables.systemTableProperties(writer, path);
        }
        writer.mode("append").save(path);
        return;
      } catch (RuntimeException e) {
        if (attempt >= 3) {
          throw e;
        }
        LOG.warn("run ledger append failed (attempt {}), retrying: {}", attempt, e.getMessage());
      }
    }
  }
}
