package io.lakeml.core;

import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.lit;

import java.sql.Date;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The quarantine table: every record a stage could not accept, with its raw content, source, reason
 * and run, so nothing is silently dropped. One table for all datasets (blind appends never conflict).
 */
public final class Quarantine {
  private Quarantine() {}

  public static final String DATASET = "dataset";
  public static final String STAGE = "stage";
  public static final String RUN_ID = "run_id";
  public static final String RUN_DATE = "run_date";
  public static final String SOURCE_FILE = "source_file";
  public static final String REASON = "reason";
  public static final String RAW_RECORD = "raw_record";
  public static final String QUARANTINED_AT = "quarantined_at";

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
