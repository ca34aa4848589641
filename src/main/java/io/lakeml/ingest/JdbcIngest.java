package io.lakeml.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.monotonically_increasing_id;
import static org.apache.spark.sql.functions.to_json;

import io.lakeml.config.Credentials;
import io.lakeml.config.DatasetConfig;
import io.lakeml.config.DatasetConfig.DriftPolicy;
import io.lakeml.config.DatasetConfig.Jdbc;
import io.lakeml.config.JdbcUrls;
import io.lakeml.core.Columns;
import io.lakeml.core.CommitTag;
import io.lakeml.core.DeltaTables;
import io.lakeml.core.IngestMetrics;
import io.lakeml.core.JobContext;
import io.lakeml.core.JobFailure;
import io.lakeml.core.JobResult;
import io.lakeml.core.LakeCatalog;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A database table or query → bronze, over JDBC.
 *
 * <p><b>Incremental (watermark-column):</b> the last committed watermark W is read from bronze's
 * commit history (the {@code userMetadata} of the latest ingest commit). The run first asks the
 * database for the current high mark H = max(watermark) over rows with watermark &gt; W, then reads
 * exactly the rows with W &lt; watermark &le; H (the predicate is pushed into the database as a
 * derived table) and appends them to bronze in ONE Delta commit whose {@code userMetadata} holds H.
 * Data and watermark therefore land together or not at all: a crash before the commit leaves W in
 * place and the rerun reads the same rows again (nothing skipped); after the commit the next run
 * starts above H (nothing repeated). The commit is also an idempotent Delta transaction ({@code
 * txnAppId} per dataset, {@code txnVersion} = the bronze version W was read from + 1), so of two
 * concurrent runs that read the same W only one commits. Rows are compared strictly (&gt;), so the
 * column must grow with every insert and update (a sequence, or an {@code updated_at} set on every
 * write); rows sharing a timestamp are safe as long as they are visible when the run reads, because
 * H bounds the read instead of "now".
 *
 * <p><b>Snapshot (no watermark):</b> every run reads the whole source and replaces bronze in one
 * commit; etl's MERGE then updates changed keys and deletes vanished ones.
 *
 * <p>Values are stored as text, like landing files; etl remains the one place that types them.
 * Credentials go to the driver only: every message built here names the URL without credentials,
 * and driver messages are masked.
 */
final class JdbcIngest {
  private static final Logger LOG = LoggerFactory.getLogger(JdbcIngest.class);
  private static final String SOURCE_ALIAS = "lakeml_src";

  /**
   * What an ingest commit records (as {@link CommitTag} attributes): watermark column and value (as
   * the database renders it as text).
   */
  record Mark(String column, String watermark, String source) {
    CommitTag tag() {
      Map<String, String> a = new LinkedHashMap<>();
      a.put(CommitTag.JDBC_SOURCE, source);
      a.put(CommitTag.JDBC_WATERMARK_COLUMN, column);
      a.put(CommitTag.JDBC_WATERMARK, watermark);
      return CommitTag.of("ingest", a);
    }

    /** Whether a commit's tag is a JDBC ingest's. */
    static boolean isMark(CommitTag t) {
      return t.job().equals("ingest") && t.attribute(CommitTag.JDBC_SOURCE) != null;
    }

    static Mark of(CommitTag t) {
      return new Mark(
          t.attribute(CommitTag.JDBC_WATERMARK_COLUMN),
          t.attribute(CommitTag.JDBC_WATERMARK),
          t.attribute(CommitTag.JDBC_SOURCE));
    }
  }

  /** Bronze's latest version and the latest watermark committed to it. */
  record State(OptionalLong version, Optional<Mark> mark) {}

  private final JobContext ctx;
  private final DatasetConfig ds;
  private final Jdbc jdbc;
  private final Credentials credentials;
  private final LakeCatalog.Table bronze;

  JdbcIngest(JobContext ctx) {
    this.ctx = ctx;
    this.ds = ctx.dataset();
    this.jdbc = ds.source().jdbc().orElseThrow();
    this.credentials = jdbc.credentials();
    this.bronze = ctx.catalog().bronze(ds.name());
  }

  JobResult run() {
    State state = state(ctx, bronze.path());
    Optional<String> wmColumn = jdbc.watermarkColumn();
    Optional<String> before = previousWatermark(state);
    ctx.step("querying " + jdbc.describe());
    Probe probe = probe(before);
    if (wmColumn.isPresent() && probe.high() == null) {
      JobResult r =
          JobResult.skipped(
              "no rows in "
                  + jdbc.describe()
                  + " with "
                  + wmColumn.get()
                  + " > "
                  + before.map(w -> "'" + w + "'").orElse("(none: the source is empty)"));
      state.version().ifPresent(v -> r.read(bronze.name(), v));
      return r.metrics(metrics(before, before.orElse(null), 0L, 0));
    }

    List<String> extras = new ArrayList<>();
    if (state.version().isPresent()) {
      for (String c : ctx.spark().read().format("delta").load(bronze.path()).columns()) {
        if (!c.startsWith("_") && !ds.columnNames().contains(c)) {
          extras.add(c);
        }
      }
    }
    List<String> bronzeColumns = bronzeColumns(probe.columns(), extras);
    String predicate =
        wmColumn
            .map(
                c ->
                    before.map(b -> c + " > " + literal(b) + " AND ").orElse("")
                        + c
                        + " <= "
                        + literal(probe.high()))
            .orElse(null);
    String dbtable =
        "(SELECT * FROM "
            + jdbc.relation()
            + (predicate == null ? "" : " WHERE " + predicate)
            + ") "
            + SOURCE_ALIAS;
    String meta = new Mark(wmColumn.orElse(null), probe.high(), jdbc.describe()).tag().encode();
    long txnVersion = state.version().orElse(-1) + 1;
    int partitions;
    try {
      Dataset<Row> source =
          reader(dbtable).load(); // resolves the schema over a connection of its own
      partitions = source.javaRDD().getNumPartitions();
      ctx.step(
          "reading "
              + jdbc.describe()
              + (predicate == null ? "" : " where " + predicate)
              + " into "
              + bronze.name()
              + " ("
              + partitions
              + " partition(s))");
      write(source.select(bronzeSelect(source.schema(), bronzeColumns)), state, txnVersion, meta);
    } catch (RuntimeException e) {
      SQLException sql = findSql(e);
      if (sql != null) {
        throw connectionFailure("reading", sql);
      }
      throw e;
    }

    // Delta skips the write when this txnVersion was committed already: then the commit at that
    // version is not ours
    Optional<DeltaTables.Commit> commit =
        DeltaTables.commitAt(ctx.spark(), bronze.path(), txnVersion);
    if (commit.isEmpty() || !meta.equals(commit.get().userMetadata())) {
      long latest = DeltaTables.version(ctx.spark(), bronze.path()).orElse(-1);
      JobResult r =
          JobResult.skipped(
              "another ingest run of "
                  + ds.name()
                  + " committed bronze version "
                  + txnVersion
                  + " from the same watermark while this one was reading; nothing written by this run");
      r.read(bronze.name(), latest);
      return r.metrics(metrics(before, before.orElse(null), 0L, null));
    }
    long version = txnVersion;
    Map<String, String> opMetrics = commit.get().operationMetrics();
    long written = Long.parseLong(opMetrics.getOrDefault("numOutputRows", "0"));
    LOG.info(
        "ingest {}: {} row(s) from {} to bronze version {} (watermark {} → {})",
        ds.name(),
        written,
        jdbc.describe(),
        version,
        before.orElse("-"),
        probe.high() == null ? "-" : probe.high());
    return JobResult.succeeded()
        .metrics(metrics(before, probe.high(), written, partitions))
        .wrote(bronze.name(), version);
  }

  /**
   * The summary's metrics: {@code rows} read and written to bronze, {@code partitions} null when
   * nothing was read; a snapshot keeps no watermark.
   */
  private Object metrics(Optional<String> before, String after, long rows, Integer partitions) {
    Optional<String> column = jdbc.watermarkColumn();
    return column.isPresent()
        ? new IngestMetrics.JdbcWatermark(
            jdbc.describe(), column.get(), before.orElse(null), after, rows, partitions)
        : new IngestMetrics.JdbcSnapshot(jdbc.describe(), rows, partitions);
  }

  /**
   * Appends (watermark) or replaces (snapshot) bronze in one idempotent commit that carries {@code
   * meta}.
   */
  private void write(Dataset<Row> rows, State state, long txnVersion, String meta) {
    boolean evolve = ds.source().schemaDrift() == DriftPolicy.EVOLVE;
    boolean overwrite = jdbc.watermarkColumn().isEmpty();
    var writer =
        rows.write()
            .format("delta")
            .mode(overwrite ? "overwrite" : "append")
            .option("txnAppId", "lakeml-jdbc-" + ds.name())
            .option("txnVersion", txnVersion)
            .option("userMetadata", meta)
            .option("mergeSchema", evolve);
    if (overwrite) {
      writer = writer.option("overwriteSchema", evolve);
    }
    if (state.version().isEmpty()) {
      writer = writer.options(IngestJob.BRONZE_PROPERTIES);
    }
    writer.save(bronze.path());
  }

  /**
   * The watermark of the last commit, checked against the configured column; empty before the first
   * load.
   */
  private Optional<String> previousWatermark(State state) {
    Optional<String> wmColumn = jdbc.watermarkColumn();
    if (wmColumn.isEmpty() || state.version().isEmpty()) {
      return Optional.empty();
    }
    Mark mark =
        state
            .mark()
            .orElseThrow(
                () ->
                    new JobFailure(
                        bronze.name()
                            + " exists but none of its commits records a JDBC "
                            + "watermark (it was written by another source, or the commit was removed from the Delta log), so lakeml cannot tell "
                            + "which rows of "
                            + jdbc.describe()
                            + " it holds. Delete "
                            + bronze.path()
                            + " and silver to reload from the database."));
    if (!wmColumn.get().equals(mark.column())) {
      throw new JobFailure(
          bronze.name()
              + " was loaded with watermark-column "
              + mark.column()
              + " (last value "
              + mark.watermark()
              + "), but the configuration now says "
              + wmColumn.get()
              + ". A watermark of one column says nothing about another: restore "
              + "watermark-column = "
              + mark.column()
              + ", or delete "
              + bronze.path()
              + " and silver to reload.");
    }
    return Optional.ofNullable(mark.watermark());
  }

  // ---------------------------------------------------------------- bronze history

  /**
   * Latest bronze version and the latest watermark committed, read from the commits' own log files
   * (the last 50 first, the whole log only if none of them carries a watermark): no Spark query.
   */
  static State state(JobContext ctx, String path) {
    OptionalLong version = DeltaTables.version(ctx.spark(), path);
    if (version.isEmpty()) {
      return new State(OptionalLong.empty(), Optional.empty());
    }
    Optional<CommitTag> tag = CommitTag.last(ctx.spark(), path, Mark::isMark);
    if (tag.isEmpty() && version.getAsLong() + 1 > DeltaTables.METADATA_LOOKBACK) {
      tag = CommitTag.last(ctx.spark(), path, Mark::isMark, Integer.MAX_VALUE);
    }
    return new State(version, tag.map(Mark::of));
  }

  // ---------------------------------------------------------------- database

  /**
   * The source's columns, and the high watermark to read up to (null: no new rows, or no watermark
   * column).
   */
  private record Probe(List<String> columns, String high) {}

  /**
   * One short driver-side connection before any Spark work: fails fast with a clear message when
   * the database cannot be reached, the credentials are refused, or the table/query is wrong; and
   * fixes the upper end of this run's watermark range.
   */
  private Probe probe(Optional<String> before) {
    try (Connection c = connect();
        Statement st = c.createStatement()) {
      List<String> columns = new ArrayList<>();
      try (ResultSet rs = st.executeQuery("SELECT * FROM " + jdbc.relation() + " WHERE 1 = 0")) {
        ResultSetMetaData md = rs.getMetaData();
        for (int i = 1; i <= md.getColumnCount(); i++) {
          columns.add(md.getColumnLabel(i));
        }
      }
      String high = null;
      if (jdbc.watermarkColumn().isPresent()) {
        String wm = jdbc.watermarkColumn().get();
        // the database renders its own value as text and parses it back in the next predicate:
        // exact for any type
        String sql =
            "SELECT CAST(MAX("
                + wm
                + ") AS VARCHAR(100)) FROM "
                + jdbc.relation()
                + before.map(b -> " WHERE " + wm + " > " + literal(b)).orElse("");
        try (ResultSet rs = st.executeQuery(sql)) {
          rs.next();
          high = rs.getString(1);
        }
      }
      return new Probe(columns, high);
    } catch (SQLException e) {
      throw connectionFailure("querying", e);
    }
  }

  private Connection connect() throws SQLException {
    Driver driver;
    try {
      ClassLoader loader = Thread.currentThread().getContextClassLoader();
      driver =
          (Driver)
              Class.forName(
                      jdbc.driver(),
                      true,
                      loader == null ? JdbcIngest.class.getClassLoader() : loader)
                  .getDeclaredConstructor()
                  .newInstance();
    } catch (ReflectiveOperationException | ClassCastException e) {
      throw new JobFailure(
          "JDBC driver "
              + jdbc.driver()
              + " for "
              + JdbcUrls.redact(jdbc.url())
              + " is not on the classpath."
              + " Add its jar (spark-submit --jars) or fix dataset.source.jdbc.driver.");
    }
    Properties props = new Properties();
    props.setProperty("user", credentials.user());
    props.setProperty("password", credentials.password());
    Connection c = driver.connect(jdbc.url(), props);
    if (c == null) {
      throw new JobFailure(
          "JDBC driver "
              + jdbc.driver()
              + " does not accept the URL "
              + JdbcUrls.redact(jdbc.url())
              + ". Check dataset.source.jdbc.url and driver.");
    }
    c.setReadOnly(true);
    return c;
  }

  private DataFrameReader reader(String dbtable) {
    // timestamp without time zone as Spark's TimestampNTZ: the text in bronze is the database's
    // wall-clock value,
    // whatever the JVM's and the session's time zones (users may override it in
    // dataset.source.options)
    DataFrameReader r =
        ctx.spark()
            .read()
            .format("jdbc")
            .option("preferTimestampNTZ", "true")
            .options(ds.source().options())
            .option("url", jdbc.url())
            .option("driver", jdbc.driver())
            .option("dbtable", dbtable)
            .option("user", credentials.user())
            .option("password", credentials.password())
            .option("fetchsize", jdbc.fetchSize());
    if (jdbc.partitioning().isPresent()) {
      DatasetConfig.Partitioning p = jdbc.partitioning().get();
      r =
          r.option("partitionColumn", p.column())
              .option("lowerBound", p.lower())
              .option("upperBound", p.upper())
              .option("numPartitions", p.partitions());
    }
    return r;
  }

  /**
   * A JobFailure naming the source without credentials, the database's reason (masked) and what to
   * check.
   */
  private JobFailure connectionFailure(String doing, SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    String check;
    if (state.startsWith("28")) {
      check = "Check the user and password in " + credentials.origin() + ".";
    } else if (state.startsWith("08")) {
      check =
          "Check that the database server is running and reachable at the host and port of the URL (firewall, listen_addresses),"
              + " and that the URL is right.";
    } else if (state.equals("3D000")) {
      check = "Check the database name in the URL.";
    } else if (state.startsWith("42")) {
      check =
          "Check dataset.source.jdbc table/query, watermark-column and partition-column against the database"
              + " (and the user's privileges).";
    } else {
      check =
          "Check the URL, that the server is reachable, and the credentials in "
              + credentials.origin()
              + ".";
    }
    String reason =
        credentials.mask(
            e.getMessage() == null
                ? e.getClass().getSimpleName()
                : e.getMessage().lines().findFirst().orElse(""));
    return new JobFailure(
        "cannot read from the database while "
            + doing
            + " "
            + jdbc.describe()
            + ": "
            + reason
            + (state.isEmpty() ? "" : " (SQLState " + state + ")")
            + ". "
            + check
            + " Nothing was written to "
            + bronze.name()
            + ".");
  }

  private static SQLException findSql(Throwable e) {
    for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
      if (t instanceof SQLException s) {
        return s;
      }
    }
    return null;
  }

  /** A SQL string literal: the database coerces it to the watermark column's type. */
  static String literal(String value) {
    return "'" + value.replace("'", "''") + "'";
  }

  // ---------------------------------------------------------------- columns

  /**
   * Bronze's data columns: the declared ones (and earlier evolved ones), matched to the source's
   * columns without regard to case (databases fold unquoted names). Declared columns the source
   * lacks fail the run; extra source columns are added with schema-drift = evolve, else fail.
   */
  private List<String> bronzeColumns(List<String> sourceColumns, List<String> extras) {
    List<String> known = new ArrayList<>(ds.columnNames());
    known.addAll(extras);
    List<String> lower = sourceColumns.stream().map(c -> c.toLowerCase(Locale.ROOT)).toList();
    List<String> missing =
        ds.columnNames().stream().filter(c -> !lower.contains(c.toLowerCase(Locale.ROOT))).toList();
    List<String> unknown =
        sourceColumns.stream()
            .filter(c -> known.stream().noneMatch(k -> k.equalsIgnoreCase(c)))
            .toList();
    if (!missing.isEmpty()) {
      throw new JobFailure(
          jdbc.describe()
              + " has no column(s) "
              + missing
              + " of dataset.schema (it has "
              + sourceColumns
              + "). Fix the table/query (e.g. select … AS "
              + missing.get(0)
              + ") or the schema; nothing was written.");
    }
    if (!unknown.isEmpty() && ds.source().schemaDrift() != DriftPolicy.EVOLVE) {
      throw new JobFailure(
          jdbc.describe()
              + " returns column(s) "
              + unknown
              + " that dataset.schema of '"
              + ds.name()
              + "' does not declare. Declare them, select only declared columns with query = \"select …\", or set"
              + " dataset.source.schema-drift = evolve to add them to bronze as text; nothing was written.");
    }
    known.addAll(unknown);
    return known;
  }

  /** Every bronze column as text (nested values as JSON), plus the lineage columns. */
  private Column[] bronzeSelect(StructType schema, List<String> bronzeColumns) {
    List<Column> out = new ArrayList<>();
    for (String c : bronzeColumns) {
      Optional<StructField> f =
          java.util.Arrays.stream(schema.fields())
              .filter(x -> x.name().equalsIgnoreCase(c))
              .findFirst();
      if (f.isEmpty()) {
        out.add(lit(null).cast("string").as(c));
        continue;
      }
      boolean nested =
          f.get().dataType() instanceof StructType
              || f.get().dataType() instanceof MapType
              || f.get().dataType() instanceof ArrayType;
      Column v = col("`" + f.get().name().replace("`", "``") + "`");
      out.add((nested ? to_json(v) : v.cast("string")).as(c));
    }
    out.add(lit(jdbc.describe()).as(Columns.SOURCE_FILE));
    out.add(current_timestamp().as(Columns.INGESTED_AT));
    out.add(monotonically_increasing_id().as(Columns.ROW_SEQ));
    out.add(lit(ctx.runId()).as(Columns.RUN_ID));
    return out.toArray(new Column[0]);
  }
}
