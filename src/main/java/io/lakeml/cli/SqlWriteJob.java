package io.lakeml.cli;

import io.lakeml.core.CommitTag;
import io.lakeml.core.DeltaTables;
import io.lakeml.core.Job;
import io.lakeml.core.JobContext;
import io.lakeml.core.JobResult;
import io.lakeml.core.LakeCatalog;
import io.lakeml.core.MaintenanceMetrics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;

/**
 * A statement that changes the lake, run on purpose ({@code sql --allow-write}): a job like the
 * others, so it has a ledger row in {@code _system.runs}, and every Delta commit it makes carries
 * {@code lakeml:sql;run=<run id>;statement=<kind>} as its commit metadata, which DESCRIBE HISTORY
 * and the lineage show.
 */
final class SqlWriteJob implements Job {
  private final String statement;
  private final String kind;

  SqlWriteJob(String statement, String kind) {
    this.statement = statement;
    this.kind = kind;
  }

  @Override
  public String name() {
    return "sql";
  }

  @Override
  public JobResult run(JobContext ctx) {
    LakeCatalog cat = ctx.catalog();
    SqlQuery.registerTables(ctx.spark(), cat, statement);
    List<LakeCatalog.Table> named = SqlQuery.tablesNamed(cat, statement);
    Map<String, Long> before = new LinkedHashMap<>();
    for (LakeCatalog.Table t : named) {
      before.put(t.name(), DeltaTables.version(ctx.spark(), t.path()).orElse(-1));
    }
    ctx.step("running a " + kind + " statement (--allow-write)");
    String tag = CommitTag.of(name(), Map.of("runId", ctx.runId(), "statement", kind)).encode();
    List<Map<String, Object>> output = new ArrayList<>();
    DeltaTables.withCommitMetadata(
        ctx.spark(),
        tag,
        () -> {
          // bounded: a DML statement returns one row of counts; at most 20 rows are kept
          for (Row r : ctx.spark().sql(statement).limit(20).collectAsList()) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (int i = 0; i < r.length(); i++) {
              m.put(r.schema().fields()[i].name(), r.get(i));
            }
            output.add(m);
          }
        });
    JobResult result =
        JobResult.succeeded()
            .metrics(new MaintenanceMetrics.SqlWrite(kind, statement, output, tag));
    for (LakeCatalog.Table t : named) {
      DeltaTables.version(ctx.spark(), t.path())
          .ifPresent(
              v -> {
                if (v != before.get(t.name())) {
                  result.wrote(t.name(), v);
                }
              });
    }
    return result;
  }
}
