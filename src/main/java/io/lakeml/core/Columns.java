package io.lakeml.core;

/** Names of the columns lakeml adds to data tables. Names starting with '_' are reserved. */
public final class Columns {
  private Columns() {}

  /** Landing file a row came from. */
  public static final String SOURCE_FILE = "_source_file";

  /** When the row was ingested into bronze. */
  public static final String INGESTED_AT = "_ingested_at";

  /**
   * Position of the row within its ingest batch (increasing in file order): among rows with the
   * same key and ingestion time, the later one wins.
   */
  public static final String ROW_SEQ = "_row_seq";

  /** Run that wrote the row. */
  public static final String RUN_ID = "_run_id";

  /**
   * {@link Typing#signature} of the configuration a bronze row's values were checked under at
   * ingest. Etl checks them again only when some row was checked under another (or no) signature.
   */
  public static final String CHECKED_UNDER = "_checked_under";

  /**
   * The only columns of bronze Delta keeps min/max statistics for: bronze is read whole by etl, and
   * per-column statistics on every text column cost a third of ingest's task time at 1M rows
   * (docs/benchmarks/README.md). These always exist, so a schema change cannot drop one.
   */
  public static final String BRONZE_STATS = INGESTED_AT + "," + RUN_ID;

  /** The same for silver: when its rows were ingested, a column every schema keeps. */
  public static final String SILVER_STATS = INGESTED_AT;

  /** Raw CSV/JSON text of a record the parser could not read (internal, never stored in bronze). */
  public static final String CORRUPT = "_corrupt_record";
}
