package io.lakeml.tables;

import java.sql.Date;
import java.sql.Timestamp;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * {@code _system.runs}, the run ledger: one row per job run, appended when the run ends ({@code
 * core.RunLedger} writes it; the report, {@code jobs/lakeml runs} and operators read it). Its
 * columns are named here only.
 */
public final class RunsTable {
  /** The table's name under {@code _system}. */
  public static final String TABLE = "runs";

  public static final String RUN_ID = "run_id";
  public static final String JOB = "job";
  public static final String DATASET = "dataset";
  public static final String RUN_DATE = "run_date";
  public static final String STATUS = "status";
  public static final String MESSAGE = "message";
  public static final String STARTED_AT = "started_at";
  public static final String ENDED_AT = "ended_at";
  public static final String DURATION_MS = "duration_ms";

  /** Delta version of every table the run read, by table name. */
  public static final String TABLES_READ = "tables_read";

  /** Delta version of every table the run wrote, by table name. */
  public static final String TABLES_WRITTEN = "tables_written";

  /** The run's summary metrics as JSON. */
  public static final String METRICS_JSON = "metrics_json";

  public static final String CONFIG_HASH = "config_hash";
  public static final String LAKEML_VERSION = "lakeml_version";

  public static final StructType SCHEMA =
      new StructType()
          .add(RUN_ID, DataTypes.StringType, false)
          .add(JOB, DataTypes.StringType, false)
          .add(DATASET, DataTypes.StringType, true)
          .add(RUN_DATE, DataTypes.DateType, false)
          .add(STATUS, DataTypes.StringType, false)
          .add(MESSAGE, DataTypes.StringType, true)
          .add(STARTED_AT, DataTypes.TimestampType, false)
          .add(ENDED_AT, DataTypes.TimestampType, false)
          .add(DURATION_MS, DataTypes.LongType, false)
          .add(TABLES_READ, DataTypes.createMapType(DataTypes.StringType, DataTypes.LongType), true)
          .add(
              TABLES_WRITTEN,
              DataTypes.createMapType(DataTypes.StringType, DataTypes.LongType),
              true)
          .add(METRICS_JSON, DataTypes.StringType, true)
          .add(CONFIG_HASH, DataTypes.StringType, false)
          .add(LAKEML_VERSION, DataTypes.StringType, false);

  /**
   * One row of the ledger, in {@link #SCHEMA}'s order.
   *
   * @param dataset null for a job of no dataset
   * @param tablesRead Delta version of each table read, by name (null when not known, e.g. for a
   *     dead run)
   * @param tablesWritten Delta version of each table written, by name (null when not known)
   * @param metricsJson the summary's metrics as JSON
   */
  public record Run(
      String runId,
      String job,
      String dataset,
      Date runDate,
      String status,
      String message,
      Timestamp startedAt,
      Timestamp endedAt,
      long durationMs,
      Map<String, Long> tablesRead,
      Map<String, Long> tablesWritten,
      String metricsJson,
      String configHash,
      String lakemlVersion) {

    /** The row to append. */
    public Row toRow() {
      return RowFactory.create(
          runId,
          job,
          dataset,
          runDate,
          status,
          message,
          startedAt,
          endedAt,
          durationMs,
          tablesRead == null ? null : scala.jdk.javaapi.CollectionConverters.asScala(tablesRead),
          tablesWritten == null
              ? null
              : scala.jdk.javaapi.CollectionConverters.asScala(tablesWritten),
          metricsJson,
          configHash,
          lakemlVersion);
    }

    /**
     * A row read back from the table (any column order; the maps come back sorted by table name).
     */
    public static Run fromRow(Row r) {
      return new Run(
          r.getAs(RUN_ID),
          r.getAs(JOB),
          r.getAs(DATASET),
          r.getAs(RUN_DATE),
          r.getAs(STATUS),
          r.getAs(MESSAGE),
          r.getAs(STARTED_AT),
          r.getAs(ENDED_AT),
          r.<Long>getAs(DURATION_MS),
          versions(r.getAs(TABLES_READ)),
          versions(r.getAs(TABLES_WRITTEN)),
          r.getAs(METRICS_JSON),
          r.getAs(CONFIG_HASH),
          r.getAs(LAKEML_VERSION));
    }

    private static Map<String, Long> versions(scala.collection.Map<String, Long> m) {
      return m == null ? null : new TreeMap<>(scala.jdk.javaapi.CollectionConverters.asJava(m));
    }
  }

  private RunsTable() {}
}
