package io.lakeml.core;

import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.lit;

import io.lakeml.tables.QuarantineTable;
import java.sql.Date;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The quarantine table: every record a stage could not accept, with its raw content, source, reason
 * and run, so nothing is silently dropped. One table for all datasets (blind appends never
 * conflict). Its columns are {@link QuarantineTable}'s; stages stage their rejected rows under
 * {@link #REASON} and {@link #RAW_RECORD}.
 */
public final class Quarantine {
  private Quarantine() {}

  public static final String REASON = QuarantineTable.REASON;
  public static final String RAW_RECORD = QuarantineTable.RAW_RECORD;

  /**
   * Appends rejected records exactly once per (appId, txnVersion).
   *
   * @param rejected rows with the columns {@link Columns#SOURCE_FILE}, {@link #REASON}, {@link
   *     #RAW_RECORD}
   */
  public static void append(
      JobContext ctx, String stage, Dataset<Row> rejected, String appId, long txnVersion) {
    Column[] cols = {
      lit(ctx.dataset().name()).as(QuarantineTable.DATASET),
      lit(stage).as(QuarantineTable.STAGE),
      lit(ctx.runId()).as(QuarantineTable.RUN_ID),
      lit(Date.valueOf(ctx.runDate())).as(QuarantineTable.RUN_DATE),
      rejected.col(Columns.SOURCE_FILE).cast("string").as(QuarantineTable.SOURCE_FILE),
      rejected.col(REASON).cast("string").as(QuarantineTable.REASON),
      rejected.col(RAW_RECORD).cast("string").as(QuarantineTable.RAW_RECORD),
      current_timestamp().as(QuarantineTable.QUARANTINED_AT)
    };
    DeltaTables.appendOnce(
        rejected.select(cols), ctx.catalog().quarantine().path(), appId, txnVersion, false);
  }
}
