package io.lakeml.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.monotonically_increasing_id;

import io.lakeml.config.DatasetConfig;
import io.lakeml.config.DatasetConfig.DriftPolicy;
import io.lakeml.core.Columns;
import io.lakeml.core.CommitTag;
import io.lakeml.core.Compressed;
import io.lakeml.core.DeltaTables;
import io.lakeml.core.Hooks;
import io.lakeml.core.IngestMetrics;
import io.lakeml.core.Job;
import io.lakeml.core.JobContext;
import io.lakeml.core.JobFailure;
import io.lakeml.core.JobResult;
import io.lakeml.core.LakeCatalog;
import io.lakeml.core.Quarantine;
import io.lakeml.core.Typing;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.QueryExecution;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.Trigger;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.QueryExecutionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * landing → bronze. Incremental mode: a file stream over the landing folder with a checkpoint and
 * {@code Trigger.AvailableNow} discovers each new file exactly once; every micro-batch is parsed
 * and written with Delta idempotent writes keyed by the batch id, so a crash at any point followed
 * by a rerun neither loses nor duplicates rows. Snapshot mode: the landing folder is one frozen
 * dataset, identified by a content checksum; the same checksum is a no-op, a new one replaces
 * bronze. JDBC sources: see {@link JdbcIngest}.
 *
 * <p>Bronze keeps values as text, exactly as landed, plus {@code _source_file}, {@code
 * _ingested_at}, {@code _run_id}. Records that cannot be read, or whose values do not parse as the
 * declared type, go to quarantine with the raw record and the reason. Text files are read once when
 * no row is rejected: bronze is written while Spark counts the rows by kind, and the quarantine
 * (which a snapshot always commits, to mark itself complete) is written after it.
 */
public final class IngestJob implements Job {
  private static final Logger LOG = LoggerFactory.getLogger(IngestJob.class);
  private static final String CACHE_COMPRESSED = "spark.sql.inMemoryColumnarStorage.compressed";
  private static final String CSV_COLUMN_PRUNING = "spark.sql.csv.parser.columnPruning.enabled";

  /**
   * Table properties bronze is created with, by file and JDBC ingest alike (a writer's properties
   * apply only when it creates the table): row tracking lets etl tell which bronze rows arrived
   * since it last ran ({@code _metadata.row_commit_version}); statistics only on the lineage
   * columns.
   */
  static final Map<String, String> BRONZE_PROPERTIES =
      Map.of("delta.enableRowTracking", "true", DeltaTables.STATS_COLUMNS, Columns.BRONZE_STATS);

  private static final StructType BINARY_FILE_SCHEMA =
      new StructType()
          .add("path", DataTypes.StringType)
          .add("modificationTime", DataTypes.TimestampType)
          .add("length", DataTypes.LongType)
          .add("content", DataTypes.BinaryType);

  @Override
  public String name() {
    return "ingest";
  }

  /** Landing files are in the lake; a database table is not, and may have new rows at any time. */
  @Override
  public boolean skipsWhenLakeUnchanged(io.lakeml.config.LakemlConfig config) {
    return config.requireDataset().source().format() != DatasetConfig.Format.JDBC;
  }

  @Override
  public JobResult run(JobContext ctx) throws Exception {
    DatasetConfig ds = ctx.dataset();
    if (ds.source().format() == DatasetConfig.Format.JDBC) {
      return new JdbcIngest(ctx).run();
    }
    String landing = ctx.catalog().landing(ds);
    Configuration hadoop = ctx.spark().sparkContext().hadoopConfiguration();
    if (!LandingFiles.exists(landing, hadoop)) {
      throw new JobFailure(
          "landing folder "
              + landing
              + " does not exist. Put the dataset's "
              + ds.source().format()
              + " files there (or set dataset.source.path) and rerun.");
    }
    Counters counters = new Counters();
    // a file of another format in the landing folder (a spreadsheet, notes) is never read: say so
    // on every run it is there, rather than leave it unmentioned
    List<String> others;
    try {
      others = LandingFiles.others(landing, ds.source().format().suffix(), hadoop);
    } catch (IOException | RuntimeException e) {
      // a notice only: a listing that fails here must not stop the ingest
      LOG.warn(
          "ingest {}: could not list {} for files of other formats: {}",
          ds.name(),
          landing,
          e.toString());
      others = List.of();
    }
    if (!others.isEmpty()) {
      List<String> listed = others.subList(0, Math.min(others.size(), NOT_INGESTED_LISTED));
      LOG.warn(
          "ingest {}: {} file(s) in {} are not {} files (nor {} compressed) and are not read: {}{}",
          ds.name(),
          others.size(),
          landing,
          ds.source().format().suffix(),
          ds.source().format().suffix(),
          listed,
          listed.size() < others.size() ? " …" : "");
      counters.notIngested.addAll(listed);
    }
    JobResult result =
        ds.source().mode() == DatasetConfig.Mode.SNAPSHOT
            ? snapshot(ctx, landing, hadoop, counters)
            : incremental(ctx, landing, hadoop, counters);
    return counters.report(result, ctx);
  }

  // ---------------------------------------------------------------- incremental

  private JobResult incremental(
      JobContext ctx, String landing, Configuration hadoop, Counters counters)
      throws IOException, TimeoutException, StreamingQueryException {
    DatasetConfig ds = ctx.dataset();
    String checkpoint = ctx.catalog().checkpoint(ds.name(), name());
    String appId = "lakeml-ingest-" + ds.name() + "-" + checkpointId(checkpoint, hadoop);
    IngestedFiles ingested = IngestedFiles.of(checkpoint, hadoop);
    ingested.requireUnchanged(
        LandingFiles.lengths(landing, ds.source().format().suffix(), hadoop), landing, ds.name());
    ctx.step("discovering new files in " + landing);
    Dataset<Row> files =
        ctx.spark()
            .readStream()
            .format("binaryFile")
            .schema(BINARY_FILE_SCHEMA)
            // data.csv, data.csv.gz, data.csv.bz2: Spark's readers decompress by the suffix
            .option("pathGlobFilter", Compressed.glob(ds.source().format().suffix()))
            .option("recursiveFileLookup", "true")
            .option("maxFilesPerTrigger", ds.source().maxFilesPerBatch())
            .load(landing)
            .select("path", "length");
    VoidFunction2<Dataset<Row>, Long> batch =
        (df, batchId) -> {
          // bounded: the landing file paths of one micro-batch (file names, not records)
          List<Row> listed = df.select("path", "length").collectAsList();
          if (listed.isEmpty()) {
            return;
          }
          List<String> paths = listed.stream().map(r -> r.getString(0)).sorted().toList();
          ctx.step("batch " + batchId + ": " + paths.size() + " new file(s)");
          writeBatch(ctx, paths, appId, batchId, false, null, counters);
          ctx.hook(Hooks.Point.BRONZE_COMMITTED, batchId);
          // before the stream records the batch: a replay records them again, as they are then
          Map<String, Long> lengths = new java.util.TreeMap<>();
          for (Row r : listed) {
            lengths.put(LandingFiles.relative(landing, r.getString(0), hadoop), r.getLong(1));
          }
          ingested.record(lengths);
        };
    StreamingQuery query =
        files
            .writeStream()
            .queryName("lakeml-ingest-" + ds.name())
            .option("checkpointLocation", checkpoint)
            .trigger(Trigger.AvailableNow())
            .foreachBatch(batch)
            .start();
    query.awaitTermination();
    if (counters.files == 0) {
      return JobResult.skipped("no new files in " + landing);
    }
    return JobResult.succeeded();
  }

  /**
   * A stable id for this checkpoint, kept inside it: idempotent-write ids must change when someone
   * deletes the checkpoint to start over, and must not change across restarts.
   */
  private static String checkpointId(String checkpoint, Configuration hadoop) throws IOException {
    Path idFile = new Path(checkpoint, "lakeml-app-id");
    FileSystem fs = idFile.getFileSystem(hadoop);
    if (fs.exists(idFile)) {
      try (var in = fs.open(idFile)) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
      }
    }
    String id = UUID.randomUUID().toString();
    try (FSDataOutputStream out = fs.create(idFile, false)) {
      out.write(id.getBytes(StandardCharsets.UTF_8));
    }
    return id;
  }

  // ---------------------------------------------------------------- snapshot

  private JobResult snapshot(
      JobContext ctx, String landing, Configuration hadoop, Counters counters) throws IOException {
    DatasetConfig ds = ctx.dataset();
    LakeCatalog.Table bronze = ctx.catalog().bronze(ds.name());
    ctx.step("checksumming snapshot in " + landing);
    List<String> files = LandingFiles.list(landing, ds.source().format().suffix(), hadoop);
    if (files.isEmpty()) {
      throw new JobFailure(
          "snapshot folder "
              + landing
              + " has no "
              + ds.source().format().suffix()
              + " files. Put the frozen dataset there and rerun.");
    }
    String checksum = LandingFiles.checksum(landing, files, hadoop);
    counters.snapshotSha256 = checksum;
    String appId = "lakeml-snapshot-" + ds.name();
    String tag = CommitTag.of(name(), Map.of(CommitTag.SNAPSHOT, checksum)).encode();
    Optional<CommitTag> last =
        CommitTag.last(ctx.spark(), bronze.path(), t -> t.attribute(CommitTag.SNAPSHOT) != null);
    if (last.isPresent() && checksum.equals(last.get().attribute(CommitTag.SNAPSHOT))) {
      // Bronze is written before the quarantine (one pass over the files), and the quarantine's
      // commit
      // for the same transaction, empty or not, says the snapshot is complete. Without it the run
      // that
      // wrote bronze died before quarantining: the files are read again for the rejected rows and
      // Delta skips the bronze write, whose transaction is already committed.
      long written = DeltaTables.committedTxnVersion(ctx.spark(), bronze.path(), appId);
      if (written < 0
          || DeltaTables.committedTxnVersion(ctx.spark(), ctx.catalog().quarantine().path(), appId)
              >= written) {
        JobResult r =
            JobResult.skipped(
                "snapshot unchanged (sha256 "
                    + checksum.substring(0, 12)
                    + "…): bronze already holds it");
        DeltaTables.version(ctx.spark(), bronze.path()).ifPresent(v -> r.read(bronze.name(), v));
        return r;
      }
      ctx.step(
          "bronze holds the snapshot but its quarantine was not written: reading the files again for rejected rows");
      writeBatch(ctx, files, appId, written, true, tag, counters);
      counters.quarantineCompleted = true;
      return JobResult.succeeded();
    }
    // Same id and version on a retry after a crash (bronze unchanged), a new one for every new
    // snapshot.
    long txnVersion = DeltaTables.version(ctx.spark(), bronze.path()).orElse(-1) + 1;
    // the step names the Spark jobs too: without it the write showed as "checksumming snapshot"
    ctx.step("reading, checking and writing " + files.size() + " file(s) to " + bronze.name());
    writeBatch(ctx, files, appId, txnVersion, true, tag, counters);
    return JobResult.succeeded();
  }

  // ---------------------------------------------------------------- shared

  private void writeBatch(
      JobContext ctx,
      List<String> files,
      String appId,
      long txnVersion,
      boolean overwrite,
      String userMetadata,
      Counters counters)
      throws IOException {
    DatasetConfig ds = ctx.dataset();
    LakeCatalog.Table bronze = ctx.catalog().bronze(ds.name());
    List<String> extras = new ArrayList<>();
    boolean bronzeExists = DeltaTables.exists(ctx.spark(), bronze.path());
    List<String> existing =
        bronzeExists
            ? Arrays.asList(ctx.spark().read().format("delta").load(bronze.path()).columns())
            : List.of();
    if (bronzeExists && !overwrite) {
      for (String c : existing) {
        if (!c.startsWith("_") && !ds.columnNames().contains(c)) {
          extras.add(c);
        }
      }
    }
    LandingReader.Parsed parsed = new LandingReader(ctx.spark(), ds, extras).read(files);
    Dataset<Row> rows = parsed.rows().withColumn(Columns.ROW_SEQ, monotonically_increasing_id());
    boolean text = ds.source().format() != DatasetConfig.Format.PARQUET;
    List<Column> bronzeCols = new ArrayList<>();
    for (String c : parsed.bronzeColumns()) {
      bronzeCols.add(col(c));
    }
    bronzeCols.add(col(Columns.SOURCE_FILE));
    bronzeCols.add(current_timestamp().as(Columns.INGESTED_AT));
    bronzeCols.add(col(Columns.ROW_SEQ));
    bronzeCols.add(lit(ctx.runId()).as(Columns.RUN_ID));
    bronzeCols.add(lit(Typing.signature(ds)).as(Columns.CHECKED_UNDER));
    boolean evolve = ds.source().schemaDrift() == DriftPolicy.EVOLVE;
    // a bronze table written before rows carried their check's signature gains that column; no data
    // column can come in this way, since the parsed rows hold the known (or evolved) columns only
    boolean addsSignature = bronzeExists && !existing.contains(Columns.CHECKED_UNDER);
    BronzeWrite bronzeWrite =
        good -> {
          var writer =
              good.write()
                  .format("delta")
                  .mode(overwrite ? "overwrite" : "append")
                  .option("txnAppId", appId)
                  .option("txnVersion", txnVersion)
                  .option("mergeSchema", evolve || addsSignature);
          if (overwrite) {
            writer = writer.option("overwriteSchema", evolve);
          }
          if (userMetadata != null) {
            writer = writer.option("userMetadata", userMetadata);
          }
          if (!bronzeExists) {
            writer = writer.options(BRONZE_PROPERTIES);
          }
          writer.save(bronze.path());
        };
    // Text files in one pass: the rows are parsed, checked and written to bronze while Spark counts
    // them by kind (an observation of the write's own job), and only when some were rejected are
    // the
    // files read again, for the quarantine. A batch whose bronze commit is already in the log (a
    // rerun
    // after a crash between the two writes) takes the two-pass path below: Delta skips its bronze
    // write.
    if (text
        && (!bronzeExists
            || DeltaTables.committedTxnVersion(ctx.spark(), bronze.path(), appId) < txnVersion)) {
      // The two reads must judge every CSV line alike, and with column pruning the parser's
      // malformed-record verdict depends on the columns a query reads: the write reads bronze's
      // columns, the quarantine every column of the file (a drifted file's extra ones too).
      String pruning = ctx.spark().conf().get(CSV_COLUMN_PRUNING, "true");
      ctx.spark().conf().set(CSV_COLUMN_PRUNING, "false");
      try {
        Map<String, Long> byKind = writeObservingKinds(ctx.spark(), rows, bronzeCols, bronzeWrite);
        if (byKind != null) {
          long rejected = rejected(byKind);
          // a snapshot's quarantine commit, even an empty one, marks it complete (see snapshot())
          if (rejected > 0 || overwrite) {
            Quarantine.append(ctx, name(), rejectedRows(rows, rejected), appId, txnVersion);
          }
          written(ctx, files, overwrite, txnVersion, byKind, parsed, counters);
          return;
        }
      } finally {
        ctx.spark().conf().set(CSV_COLUMN_PRUNING, pruning);
      }
      LOG.warn(
          "ingest {}: the bronze write's row counts were not observed; counting in a second pass",
          ds.name());
    }
    // Two passes, counts first: Parquet always, text files when bronze already holds the batch.
    // Text
    // is parsed once and cached: with column pruning the CSV parser's malformed-record verdict can
    // depend on the columns a query reads, so counts and writes must share one parse.
    // Parquet has no malformed records and its classification is deterministic, so the count pass
    // reads only what the classification needs and the write reads the files again, cheaper than
    // caching every row with its raw-record JSON (measured in docs/benchmarks/README.md).
    boolean cache = text;
    String compressed = cache ? ctx.spark().conf().get(CACHE_COMPRESSED, "true") : null;
    if (cache) {
      // Uncompressed: the cache lives for one batch and is read three times, while building its
      // dictionaries took a third of a 785-column CSV's ingest CPU (docs/benchmarks/README.md).
      ctx.spark().conf().set(CACHE_COMPRESSED, "false");
      rows = rows.persist();
    }
    try {
      Map<String, Long> byKind = new TreeMap<>();
      // bounded: one count per record kind
      for (Row r : rows.groupBy(LandingReader.KIND).count().collectAsList()) {
        byKind.put(r.getString(0), r.getLong(1));
      }
      long rejected = rejected(byKind);
      if (rejected > 0 || overwrite) {
        Quarantine.append(ctx, name(), rejectedRows(rows, rejected), appId, txnVersion);
      }
      bronzeWrite.save(
          rows.where(col(LandingReader.KIND).equalTo(LandingReader.OK))
              .select(bronzeCols.toArray(new Column[0])));
      written(ctx, files, overwrite, txnVersion, byKind, parsed, counters);
    } finally {
      if (cache) {
        rows.unpersist();
        ctx.spark().conf().set(CACHE_COMPRESSED, compressed);
      }
    }
  }

  /** Writes accepted rows to bronze (the writer's options are fixed per batch). */
  @FunctionalInterface
  private interface BronzeWrite {
    void save(Dataset<Row> accepted);
  }

  /**
   * Writes the accepted rows and returns the count of every row by kind, observed in the write's
   * own job (Spark keeps the metrics of successful tasks only), or null when Spark reported none.
   *
   * <p>A named {@code observe} read by a listener of this write's query, not Spark's {@code
   * Observation}: that one leaves a manager on the session which cannot be serialised, and MLlib's
   * closures (a logistic regression's training summary holds the session) then fail to ship.
   */
  private static Map<String, Long> writeObservingKinds(
      SparkSession spark, Dataset<Row> rows, List<Column> bronzeCols, BronzeWrite write) {
    List<String> kinds = LandingReader.KINDS;
    String name = "lakeml-ingest-kinds-" + UUID.randomUUID();
    Column first = count_if(col(LandingReader.KIND).equalTo(kinds.get(0))).as(kinds.get(0));
    Column[] rest =
        kinds.stream()
            .skip(1)
            .map(k -> count_if(col(LandingReader.KIND).equalTo(k)).as(k))
            .toArray(Column[]::new);
    // bronze's columns and the kind only: Spark cannot prune columns through the observation, and
    // the
    // reason and raw record it would otherwise compute for every row are the quarantine's business
    List<Column> narrow = new ArrayList<>(bronzeCols);
    narrow.add(col(LandingReader.KIND));
    Dataset<Row> observed = rows.select(narrow.toArray(new Column[0])).observe(name, first, rest);
    CompletableFuture<Row> metrics = new CompletableFuture<>();
    QueryExecutionListener listener =
        new QueryExecutionListener() {
          @Override
          public void onSuccess(String funcName, QueryExecution qe, long durationNs) {
            qe.observedMetrics().get(name).foreach(r -> metrics.complete(r));
          }

          @Override
          public void onFailure(String funcName, QueryExecution qe, Exception exception) {
            // the write throws on its own
          }
        };
    spark.listenerManager().register(listener);
    Row row;
    try {
      write.save(
          observed
              .where(col(LandingReader.KIND).equalTo(LandingReader.OK))
              .drop(LandingReader.KIND));
      // listeners hear of the query on Spark's listener bus, shortly after the write returns
      row = metrics.get(30, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      return null;
    } catch (ExecutionException e) {
      throw new IllegalStateException("reading the bronze write's row counts", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the bronze write's row counts", e);
    } finally {
      spark.listenerManager().unregister(listener);
    }
    Map<String, Long> byKind = new TreeMap<>();
    for (String k : kinds) {
      long n = row.getLong(row.fieldIndex(k));
      if (n > 0) {
        byKind.put(k, n);
      }
    }
    return byKind;
  }

  private static long rejected(Map<String, Long> byKind) {
    return byKind.entrySet().stream()
        .filter(
            e -> !e.getKey().equals(LandingReader.OK) && !e.getKey().equals(LandingReader.BLANK))
        .mapToLong(Map.Entry::getValue)
        .sum();
  }

  /**
   * The rows to quarantine; none without reading the files again when there are none (a snapshot's
   * marker commit).
   */
  private static Dataset<Row> rejectedRows(Dataset<Row> rows, long rejected) {
    Dataset<Row> bad =
        rows.where(
            col(LandingReader.KIND)
                .notEqual(LandingReader.OK)
                .and(col(LandingReader.KIND).notEqual(LandingReader.BLANK)));
    return rejected > 0 ? bad : bad.limit(0);
  }

  private void written(
      JobContext ctx,
      List<String> files,
      boolean overwrite,
      long txnVersion,
      Map<String, Long> byKind,
      LandingReader.Parsed parsed,
      Counters counters) {
    long accepted = byKind.getOrDefault(LandingReader.OK, 0L);
    long blank = byKind.getOrDefault(LandingReader.BLANK, 0L);
    long rejected = rejected(byKind);
    counters.add(
        files.size(),
        accepted + rejected,
        accepted,
        rejected,
        blank,
        byKind,
        parsed.addedColumns());
    LOG.info(
        "ingest {}: {} file(s), {} row(s) to bronze, {} quarantined {}",
        ctx.dataset().name(),
        files.size(),
        accepted,
        rejected,
        byKind);
    ctx.progress(
        (overwrite ? "snapshot" : "batch " + txnVersion)
            + " written: "
            + files.size()
            + " file(s)"
            + (files.size() <= 3
                ? " " + files.stream().map(f -> f.substring(f.lastIndexOf('/') + 1)).toList()
                : ""),
        "rows",
        accepted + rejected,
        "quarantined",
        rejected,
        "filesSoFar",
        counters.files(),
        "rowsSoFar",
        counters.rowsRead());
  }

  /** Names of files not ingested that the summary lists, at most. */
  private static final int NOT_INGESTED_LISTED = 20;

  /** Totals over all micro-batches of a run (foreachBatch runs on the driver). */
  private static final class Counters {
    long files;
    long rowsRead;
    long rowsBronze;
    long rowsQuarantined;
    long blankLines;
    final Map<String, Long> quarantinedByKind = new TreeMap<>();
    final List<String> columnsAdded = new ArrayList<>();
    final List<String> notIngested = new ArrayList<>();
    String snapshotSha256;
    boolean quarantineCompleted;

    synchronized void add(
        long f,
        long read,
        long bronze,
        long quarantined,
        long blank,
        Map<String, Long> byKind,
        List<String> added) {
      files += f;
      rowsRead += read;
      rowsBronze += bronze;
      rowsQuarantined += quarantined;
      blankLines += blank;
      byKind.forEach(
          (k, v) -> {
            if (!k.equals(LandingReader.OK) && !k.equals(LandingReader.BLANK)) {
              quarantinedByKind.merge(k, v, Long::sum);
            }
          });
      columnsAdded.addAll(added);
    }

    synchronized long files() {
      return files;
    }

    synchronized long rowsRead() {
      return rowsRead;
    }

    JobResult report(JobResult r, JobContext ctx) {
      r.metrics(
          new IngestMetrics.Files(
              quarantineCompleted ? Boolean.TRUE : null,
              files,
              rowsRead,
              rowsBronze,
              rowsQuarantined,
              quarantinedByKind,
              blankLines > 0 ? blankLines : null,
              columnsAdded.isEmpty() ? null : columnsAdded,
              snapshotSha256,
              notIngested.isEmpty() ? null : notIngested));
      LakeCatalog.Table bronze = ctx.catalog().bronze(ctx.dataset().name());
      if (files > 0) {
        DeltaTables.version(ctx.spark(), bronze.path()).ifPresent(v -> r.wrote(bronze.name(), v));
        if (rowsQuarantined > 0) {
          DeltaTables.version(ctx.spark(), ctx.catalog().quarantine().path())
              .ifPresent(v -> r.wrote(ctx.catalog().quarantine().name(), v));
        }
      }
      return r;
    }
  }
}
