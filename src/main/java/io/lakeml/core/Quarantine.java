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
 * and run, so nothing is silently dropped. One table for all datasets (blind appends never conflict).
 * Its columns are {@link QuarantineTable}'s; the constants here name the same columns for the stages
 * that stage rejected rows under them.
 */
public final class Quarantine {
  private Quarantine() {}

  public static final String DATASET = QuarantineTable.DATASET;
  public static final String STAGE = QuarantineTable.STAGE;
  public static final String RUN_ID = QuarantineTable.RUN_ID;
  public static final String RUN_DATE = QuarantineTable.RUN_DATE;
  public static final String SOURCE_FILE = QuarantineTable.SOURCE_FILE;
  public static final String REASON = QuarantineTable.REASON;
  public static final String RAW_RECORD = QuarantineTable.RAW_RECORD;
  public static final String QUARANTINED_AT = QuarantineTable.QUARANTINED_AT;

  /**
   * Appends rejected records exactly once per (appId, txnVersion).
   *
   * @param rejected rows with the columns {@link Columns#SOURCE_FILE}, {@link #REASON}, {@link #RAW_RECORD}
   */
  public static void append(JobContext ctx, String stage, Dataset<Row> rejected, String appId, long txnVersion) {
    Column[] cols = {
      lit(ctx.dataset().name()).as(DATASET),
      lit(stage).as(STAGE),
      lit(ctx.runId()).as(RUN_ID),
      lit(Date.valueOf(ctx.runDate())).as(RUN_DATE),
      rejected.col(Columns.SOURCE_FILE).cast("string").as(SOURCE_FILE),
      rejected.col(REASON).cast("string").as(REASON),
      rejected.col(RAW_RECORD).cast("string").as(RAW_RECORD),
      current_timestamp().as(QUARANTINED_AT)
    };
    DeltaTables.appendOnce(rejected.select(cols), ctx.catalog().quarantine().path(), appId, txnVersion, false);
  }
}
