package io.lakeml.etl;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.when;

import io.delta.tables.DeltaTable;
import io.lakeml.config.ConfigLoader;
import io.lakeml.config.DatasetConfig;
import io.lakeml.core.Columns;
import io.lakeml.core.DeltaTables;
import io.lakeml.core.EtlMetrics;
import io.lakeml.core.Job;
import io.lakeml.core.JobContext;
import io.lakeml.core.JobResult;
import io.lakeml.core.LakeCatalog;
import io.lakeml.core.Lineage;
import io.lakeml.core.Quarantine;
import io.lakeml.core.Typing;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * bronze → silver: typed to the dataset schema, trimmed, missing-value tokens as nulls, rows that
 * fail typing (or lack a key) quarantined, deduplicated by primary key (latest ingestion wins) and
 * merged into silver. Silver is a function of one bronze version and the dataset configuration,
 * both stored with the silver commit ({@link Lineage}): rerunning with neither changed is a no-op,
 * and all writes are Delta idempotent transactions keyed by the bronze version (a kill between them
 * is safe to rerun).
 */
public final class EtlJob implements Job {
  static final String VALID = "_valid";
  private static final String TYPING = "_typing_problems";
  private static final String BRONZE_COMMIT = "_bronze_commit_version";

  @Override
  public String name() {
    return "etl";
  }

  @Override
  public boolean skipsWhenLakeUnchanged(io.lakeml.config.LakemlConfig config) {
    return true;
  }

  @Override
  public JobResult run(JobContext ctx) {
    DatasetConfig ds = ctx.dataset();
    LakeCatalog.Table bronze = ctx.catalog().bronze(ds.name());
    LakeCatalog.Table silver = ctx.catalog().silver(ds.name());
    var spark = ctx.spark();
    long bronzeVersion = Lineage.requireInput(ctx, bronze, "ingest");
    String config = configHash(ds);
    Optional<JobResult> skip =
        Lineage.skipIfCurrent(ctx, name(), bronze, bronzeVersion, silver, config);
    if (skip.isPresent()) {
      return skip.get();
    }
    // rows of bronze versions up to this one were already judged under the same configuration;
    // after a configuration change every rejected row is quarantined again under the new rules
    long processedUpTo =
        Lineage.last(spark, silver.path(), name())
            .filter(b -> config.equals(b.datasetHash()))
            .map(Lineage.Built::inputVersion)
            .orElse(-1L);
    Dataset<Row> raw =
        spark.read().format("delta").option("versionAsOf", bronzeVersion).load(bronze.path());
    Set<String> present = Set.of(raw.columns());
    // Ingest accepted every bronze row after the same check etl makes. When each row was checked
    // under
    // the configuration in force now, no value can fail it again: only the keys are checked, and
    // the
    // counting pass reads the key columns instead of parsing every value (on a 785-column table the
    // check was half of etl). One column is read to find out.
    boolean checkedAtIngest =
        present.contains(Columns.CHECKED_UNDER)
            && raw.where(
                    col(Columns.CHECKED_UNDER)
                        .isNull()
                        .or(col(Columns.CHECKED_UNDER).notEqual(Typing.signature(ds))))
                .isEmpty();
    ctx.step(
        "typing "
            + bronze.name()
            + " version "
            + bronzeVersion
            + (checkedAtIngest
                ? " (its values were checked at ingest under this configuration: keys only)"
                : ""));
    // Row tracking (enabled when ingest creates bronze) tells which rows arrived after the bronze
    // version etl last processed: only those are quarantined, so reruns never repeat a rejection.
    boolean rowTracking =
        "true".equals(DeltaTables.property(spark, bronze.path(), "delta.enableRowTracking"));
    // The data columns as etl types them: cleaned text, or the raw text when ingest checked every
    // row
    // under this configuration (Typing.typed then casts it once, each value read once).
    List<Column> staged = new ArrayList<>();
    List<Column> rawData = new ArrayList<>();
    for (DatasetConfig.Column c : ds.columns()) {
      if (present.contains(c.name())) {
        staged.add((checkedAtIngest ? col(c.name()) : Typing.cleaned(c.name(), ds)).as(c.name()));
        rawData.add(col(c.name()));
      } else {
        staged.add(lit(null).cast("string").as(c.name()));
      }
    }
    staged.add(col(Columns.SOURCE_FILE));
    staged.add(col(Columns.INGESTED_AT));
    staged.add(col(Columns.ROW_SEQ));
    staged.add(
        (rawData.isEmpty()
                ? lit(null).cast("string")
                : to_json(struct(rawData.toArray(new Column[0]))))
            .as(Quarantine.RAW_RECORD));
    staged.add(
        (rowTracking ? col("_metadata.row_commit_version") : lit(Long.MAX_VALUE))
            .as(BRONZE_COMMIT));
    Dataset<Row> selected = raw.select(staged.toArray(new Column[0]));
    Dataset<Row> cleaned =
        checkedAtIngest
            ? selected.withColumn(TYPING, lit(""))
            : Typing.withProblemsOfCleaned(selected, ds, ds.columnNames(), TYPING);

    List<Column> typed = new ArrayList<>();
    for (DatasetConfig.Column c : ds.columns()) {
      typed.add(
          (checkedAtIngest
                  ? Typing.typed(c.name(), c.type(), ds)
                  : Typing.typedFromCleaned(col(c.name()), c.type(), ds))
              .as(c.name()));
    }
    typed.add(col(Columns.SOURCE_FILE));
    typed.add(col(Columns.INGESTED_AT));
    typed.add(col(Columns.ROW_SEQ));
    typed.add(col(Quarantine.RAW_RECORD));
    typed.add(col(BRONZE_COMMIT));
    List<Column> keyMissing = new ArrayList<>();
    for (String k : ds.key()) {
      Column key = checkedAtIngest ? Typing.cleaned(k, ds) : col(k);
      keyMissing.add(when(key.isNull(), lit("primary key column " + k + " is missing")));
    }
    Column reason =
        concat_ws(
            "; ",
            when(col(TYPING).notEqual(""), concat(lit("unparsable value: "), col(TYPING))),
            keyMissing.isEmpty() ? lit(null) : concat_ws("; ", keyMissing.toArray(new Column[0])));
    typed.add(reason.as(Quarantine.REASON));
    // Not cached: bronze is columnar and typing is deterministic, so the count pass reads only the
    // typed and key columns and the write reads them again; caching every row, raw record included,
    // cost more than both reads (measured in docs/benchmarks/README.md).
    Dataset<Row> rows =
        cleaned
            .select(typed.toArray(new Column[0]))
            .withColumn(VALID, col(Quarantine.REASON).equalTo(""));
    return build(ctx, rows, bronzeVersion, processedUpTo, config);
  }

  /**
   * Row counts of one bronze version: valid, invalid, invalid and new since the last run, and
   * duplicates.
   */
  record Counts(long valid, long invalid, long newlyInvalid, long duplicates) {}

  /**
   * One pass over bronze. With a key, rows are grouped by it once (only the key and three flags are
   * shuffled), which also gives the number of valid rows that deduplication will drop, so the
   * window that picks the latest row per key runs only when a key really repeats.
   */
  static Counts count(Dataset<Row> rows, List<String> key, Column isNew) {
    Column valid = col(VALID);
    Column v = count_if(valid).as("v");
    Column i = count_if(not(valid)).as("i");
    Column n = count_if(not(valid).and(isNew)).as("n");
    Dataset<Row> groups =
        key.isEmpty()
            ? rows.agg(v, i, n)
            : rows.groupBy(
                    key.stream().map(org.apache.spark.sql.functions::col).toArray(Column[]::new))
                .agg(v, i, n);
    // bounded: one row of four totals
    Row t =
        groups
            .agg(
                coalesce(sum("v"), lit(0L)),
                coalesce(sum("i"), lit(0L)),
                coalesce(sum("n"), lit(0L)),
                key.isEmpty()
                    ? lit(0L)
                    : coalesce(sum(when(col("v").gt(1), col("v").minus(1))), lit(0L)))
            .first();
    return new Counts(t.getLong(0), t.getLong(1), t.getLong(2), t.getLong(3));
  }

  private JobResult build(
      JobContext ctx, Dataset<Row> rows, long bronzeVersion, long processedUpTo, String config) {
    DatasetConfig ds = ctx.dataset();
    LakeCatalog.Table bronze = ctx.catalog().bronze(ds.name());
    LakeCatalog.Table silver = ctx.catalog().silver(ds.name());
    var spark = ctx.spark();
    Column isNew = col(BRONZE_COMMIT).gt(processedUpTo);
    Counts counts = count(rows, ds.key(), isNew);
    long valid = counts.valid();
    long invalid = counts.invalid();
    long newlyInvalid = counts.newlyInvalid();
    // idempotent-write ids change with the configuration, so a rerun after a config change is not
    // skipped
    String appId = "lakeml-etl-" + ds.name() + "-" + config.substring(0, 16);
    if (newlyInvalid > 0) {
      ctx.step("quarantining " + newlyInvalid + " new row(s) that fail typing");
      Quarantine.append(
          ctx, name(), rows.where(col(VALID).equalTo(false).and(isNew)), appId, bronzeVersion);
    }
    List<Column> silverCols = new ArrayList<>();
    for (String c : ds.columnNames()) {
      silverCols.add(col(c));
    }
    silverCols.add(col(Columns.SOURCE_FILE));
    silverCols.add(col(Columns.INGESTED_AT));
    Dataset<Row> good = rows.where(col(VALID)).select(silverCols.toArray(new Column[0]));
    if (counts.duplicates() > 0) {
      Column[] key =
          ds.key().stream().map(org.apache.spark.sql.functions::col).toArray(Column[]::new);
      good =
          rows.where(col(VALID))
              .withColumn(
                  "_rank",
                  row_number()
                      .over(
                          Window.partitionBy(key)
                              .orderBy(
                                  col(Columns.INGESTED_AT).desc(),
                                  col(Columns.SOURCE_FILE).desc(),
                                  col(Columns.ROW_SEQ).desc())))
              .where(col("_rank").equalTo(1))
              .select(silverCols.toArray(new Column[0]));
    }
    String meta =
        Lineage.tag(name(), bronzeVersion, config, java.util.Map.of("runId", ctx.runId()));
    boolean rebuild =
        ds.key().isEmpty()
            || !DeltaTables.exists(spark, silver.path())
            || !sameDataSchema(
                spark.read().format("delta").load(silver.path()).schema(), good.schema(), ds);
    ctx.step((rebuild ? "rebuilding " : "merging into ") + silver.name());
    Dataset<Row> source = good;
    if (rebuild) {
      // table properties given to a writer apply when it creates the table; a rebuild keeps them
      source
          .write()
          .format("delta")
          .mode("overwrite")
          .option("overwriteSchema", "true")
          .option("txnAppId", appId + "-silver")
          .option("txnVersion", bronzeVersion)
          .option(DeltaTables.STATS_COLUMNS, Columns.SILVER_STATS)
          .option("userMetadata", meta)
          .save(silver.path());
    } else {
      Column on = null;
      for (String k : ds.key()) {
        Column eq = col("t." + k).equalTo(col("s." + k));
        on = on == null ? eq : on.and(eq);
      }
      // one null-safe comparison of two structs (nulls in the same field compare equal), not an OR
      // chain nested one level per column, which overflowed the stack on a thousand columns
      Column changed =
          org.apache
              .spark
              .sql
              .functions
              .struct(ds.columnNames().stream().map(c -> col("t." + c)).toArray(Column[]::new))
              .eqNullSafe(
                  org.apache.spark.sql.functions.struct(
                      ds.columnNames().stream().map(c -> col("s." + c)).toArray(Column[]::new)))
              .unary_$bang();
      Column onFinal = on;
      Column changedFinal = changed;
      DeltaTables.dmlOnce(
          spark,
          appId + "-silver",
          bronzeVersion,
          meta,
          () ->
              DeltaTable.forPath(spark, silver.path())
                  .as("t")
                  .merge(source.as("s"), onFinal)
                  .whenMatched(changedFinal)
                  .updateAll()
                  .whenNotMatched()
                  .insertAll()
                  .whenNotMatchedBySource()
                  .delete()
                  .execute());
    }
    // silver's version and the merge's counts: one history row
    DeltaTables.Commit last = DeltaTables.lastCommit(spark, silver.path());
    long silverVersion = last.version();
    Map<String, String> op = last.operationMetrics();
    long deduplicated = valid - counts.duplicates();
    JobResult result =
        JobResult.succeeded()
            .metrics(
                new EtlMetrics(
                    valid + invalid,
                    newlyInvalid,
                    invalid,
                    valid - deduplicated,
                    deduplicated,
                    rebuild ? "rebuild" : "merge",
                    rebuild ? null : mergeCount(op, "numTargetRowsInserted"),
                    rebuild ? null : mergeCount(op, "numTargetRowsUpdated"),
                    rebuild ? null : mergeCount(op, "numTargetRowsDeleted")));
    result.read(bronze.name(), bronzeVersion).wrote(silver.name(), silverVersion);
    if (newlyInvalid > 0) {
      DeltaTables.version(spark, ctx.catalog().quarantine().path())
          .ifPresent(v -> result.wrote(ctx.catalog().quarantine().name(), v));
    }
    return result;
  }

  /** One of a merge's operation metrics in Delta's history (0 when Delta did not record it). */
  private static Long mergeCount(Map<String, String> op, String name) {
    return Long.parseLong(op.getOrDefault(name, "0"));
  }

  /** Whether silver's declared columns still have the declared types (else it is rebuilt). */
  private static boolean sameDataSchema(StructType existing, StructType wanted, DatasetConfig ds) {
    for (String c : ds.columnNames()) {
      StructField have = existing.getFieldIndex(c).isDefined() ? existing.apply(c) : null;
      if (have == null || !have.dataType().equals(wanted.apply(c).dataType())) {
        return false;
      }
    }
    return existing.fields().length == wanted.fields().length;
  }

  /**
   * The part of the dataset configuration silver depends on: the typing (columns, types, missing
   * values, decimal separator) and the key. Etl rebuilds silver when it changes, and not when only
   * validation rules, features, tuning, bias or deploy settings do (a validation rule's action
   * changed alone used to rebuild silver, and every stage after it).
   */
  static String configHash(DatasetConfig ds) {
    return ConfigLoader.sha256(
        "etl-v1\n" + Typing.signature(ds) + "\nkey:" + String.join(",", ds.key()));
  }
}
