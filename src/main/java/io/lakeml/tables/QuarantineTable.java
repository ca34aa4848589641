package io.lakeml.tables;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * {@code _system.quarantine}: every record a stage could not accept (malformed, unparsable, schema
 * drift, a missing key, a feature score cannot use), with its raw content, source file, reason and
 * run. {@code core.Quarantine} appends to it; operators query it.
 */
public final class QuarantineTable {
  /** The table's name under {@code _system}. */
  public static final String TABLE = "quarantine";

  public static final String DATASET = "dataset";

  /** The stage that rejected the record: ingest, etl or score. */
  public static final String STAGE = "stage";

  public static final String RUN_ID = "run_id";
  public static final String RUN_DATE = "run_date";
  public static final String SOURCE_FILE = "source_file";
  public static final String REASON = "reason";

  /** The record as it arrived: the CSV line or JSON object, or the row's values as JSON. */
  public static final String RAW_RECORD = "raw_record";

  public static final String QUARANTINED_AT = "quarantined_at";

  public static final StructType SCHEMA =
      new StructType()
          .add(DATASET, DataTypes.StringType, false)
          .add(STAGE, DataTypes.StringType, false)
          .add(RUN_ID, DataTypes.StringType, false)
          .add(RUN_DATE, DataTypes.DateType, false)
          .add(SOURCE_FILE, DataTypes.StringType, true)
          .add(REASON, DataTypes.StringType, true)
          .add(RAW_RECORD, DataTypes.StringType, true)
          .add(QUARANTINED_AT, DataTypes.TimestampType, false);

  private QuarantineTable() {}
}
