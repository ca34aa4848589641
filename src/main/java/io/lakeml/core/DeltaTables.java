package io.lakeml.core;

import io.delta.tables.DeltaTable;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.Snapshot;
import org.apache.spark.sql.delta.actions.Action;
import org.apache.spark.sql.delta.actions.CommitInfo;
import scala.Option;
import scala.Tuple2;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Small Delta helpers: versions, commit metadata and idempotent writes (see FIELD-NOTES: txnAppId).
 */
public final class DeltaTables {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DeltaTables.class);

  private DeltaTables() {}

  /**
   * Table property (set when a table is created) naming the columns Delta keeps min/max statistics
   * for; by default it is the first 32 columns. A column named there cannot be dropped later.
   */
  public static final String STATS_COLUMNS = "delta.dataSkippingStatsColumns";

  public static boolean exists(SparkSession spark, String path) {
    return DeltaTable.isDeltaTable(spark, path);
  }

  /** Latest committed version, or empty when the table does not exist yet. */
  public static OptionalLong version(SparkSession spark, String path) {
    // the log's newest snapshot: a listing of _delta_log and no Spark job, where history(1) runs
    // one
    // (20 calls cost 2.3 s of a 100 s titanic nightly); version -1 means no table
    long v = latest(spark, path).version();
    return v >= 0 ? OptionalLong.of(v) : OptionalLong.empty();
  }

  /**
   * The table's newest snapshot, from a listing of {@code _delta_log}; version -1 when there is no
   * table.
   */
  private static Snapshot latest(SparkSession spark, String path) {
    return DeltaLog.forTable(spark, path).update(false, Option.empty(), Option.empty());
  }

  /**
   * The highest {@code txnVersion} that {@code appId} has committed to the table (Delta's
   * idempotent writes record it in the log), or -1 when the table does not exist or the writer
   * never committed.
   */
  public static long committedTxnVersion(SparkSession spark, String path, String appId) {
    Snapshot snapshot = latest(spark, path);
    if (snapshot.version() < 0) {
      return -1;
    }
    return snapshot
        .transactions()
        .get(appId)
        .map(v -> ((Number) v).longValue())
        .getOrElse(() -> -1L);
  }

  /**
   * One commit: its version, Delta's operation metrics (row counts of a write or MERGE) and the
   * {@code userMetadata} the writer stored with it (null when none).
   */
  public record Commit(long version, Map<String, String> operationMetrics, String userMetadata) {}

  /**
   * The newest commit of an existing table, read by Delta from the commit's own file in {@code
   * _delta_log}: {@code history(1)} plans and runs a Spark query for the same row.
   */
  public static Commit lastCommit(SparkSession spark, String path) {
    long v =
        version(spark, path)
            .orElseThrow(() -> new IllegalStateException("no Delta table at " + path));
    return commit(spark, path, v).orElse(new Commit(v, Map.of(), null));
  }

  /**
   * One commit of a table read from its own log file, without a Spark query; empty when the table
   * or that version does not exist (or its file was cleaned up).
   */
  public static java.util.Optional<Commit> commitAt(SparkSession spark, String path, long version) {
    return version < 0 || version(spark, path).isEmpty()
        ? java.util.Optional.empty()
        : commit(spark, path, version);
  }

  /** {@link #commitAt} of a table known to exist (no second listing of its log). */
  private static java.util.Optional<Commit> commit(SparkSession spark, String path, long version) {
    List<Tuple2<Long, CommitInfo>> commit = commitInfos(spark, path, version, version);
    if (commit.isEmpty()) {
      return java.util.Optional.empty();
    }
    CommitInfo info = commit.get(0)._2();
    Map<String, String> metrics =
        info.operationMetrics().isEmpty()
            ? Map.of()
            : CollectionConverters.asJava(info.operationMetrics().get());
    return java.util.Optional.of(
        new Commit(version, metrics, info.userMetadata().getOrElse(() -> null)));
  }

  /**
   * A table property of the newest snapshot (e.g. {@code delta.enableRowTracking}), or null; no
   * Spark job.
   */
  public static String property(SparkSession spark, String path, String key) {
    Snapshot snapshot = latest(spark, path);
    return snapshot.version() < 0
        ? null
        : snapshot.metadata().configuration().get(key).getOrElse(() -> null);
  }

  /** How many commits back {@link #lastUserMetadata} looks. */
  public static final int METADATA_LOOKBACK = 50;

  /**
   * The {@code userMetadata} starting with {@code prefix} of the most recent of the last 50 commits
   * that carries one, or null.
   */
  public static String lastUserMetadata(SparkSession spark, String path, String prefix) {
    return lastUserMetadata(spark, path, prefix, METADATA_LOOKBACK);
  }

  /**
   * {@link #lastUserMetadata} over the last {@code lookback} commits ({@code Integer.MAX_VALUE}:
   * the whole log).
   */
  public static String lastUserMetadata(
      SparkSession spark, String path, String prefix, int lookback) {
    return lastUserMetadata(spark, path, meta -> meta.startsWith(prefix), lookback);
  }

  /**
   * The {@code userMetadata} that {@code which} accepts of the most recent of the last {@code
   * lookback} commits, or null.
   */
  public static String lastUserMetadata(
      SparkSession spark, String path, java.util.function.Predicate<String> which, int lookback) {
    OptionalLong latest = version(spark, path);
    if (latest.isEmpty()) {
      return null;
    }
    String found = null;
    for (Tuple2<Long, CommitInfo> c :
        commitInfos(
            spark,
            path,
            Math.max(0, latest.getAsLong() - (long) lookback + 1),
            latest.getAsLong())) {
      if (c._2().userMetadata().isDefined() && which.test(c._2().userMetadata().get())) {
        found = c._2().userMetadata().get();
      }
    }
    return found;
  }

  /** The {@code userMetadata} of one commit, or null (no such version, or no metadata). */
  public static String userMetadataAt(SparkSession spark, String path, long version) {
    return commitAt(spark, path, version).map(Commit::userMetadata).orElse(null);
  }

  /**
   * The commit information of versions {@code from..to}, oldest first, read by Delta from the
   * commits' own files in {@code _delta_log} without a Spark query: {@code history()} plans and
   * runs one over the whole log each time (a few per nightly). Versions whose file is gone (log
   * clean-up) are absent, as in history.
   */
  private static List<Tuple2<Long, CommitInfo>> commitInfos(
      SparkSession spark, String path, long from, long to) {
    List<Tuple2<Long, CommitInfo>> out = new java.util.ArrayList<>();
    scala.collection.Iterator<Tuple2<Object, Seq<Action>>> changes =
        DeltaLog.forTable(spark, path).getChanges(from, to, Option.empty(), false);
    while (changes.hasNext()) {
      Tuple2<Object, Seq<Action>> commit = changes.next();
      long v = ((Number) commit._1()).longValue();
      if (v < from || v > to) {
        continue;
      }
      for (Action a : CollectionConverters.asJava(commit._2())) {
        if (a instanceof CommitInfo info) {
          out.add(new Tuple2<>(v, info));
        }
      }
    }
    return out;
  }

  /**
   * Replaces the rows matching {@code condition} with {@code rows} in one commit (Delta {@code
   * replaceWhere}), or creates the table: how per-date and per-version outputs stay idempotent.
   */
  public static void replace(Dataset<Row> rows, String path, String condition) {
    retryOnConflict(
        "replacing " + condition + " in " + path,
        () -> {
          var writer = rows.write().format("delta");
          if (exists(rows.sparkSession(), path)) {
            writer.mode("overwrite").option("replaceWhere", condition).save(path);
          } else {
            forNewTable(writer, rows, path).mode("append").save(path);
          }
        });
  }

  /** The column that partitions the shared {@code _system} tables: one directory per dataset. */
  public static final String DATASET = "dataset";

  /**
   * For a table being created: partitioned by {@value #DATASET} when its rows have that column (the
   * shared {@code _system} tables). Delta's conflict check compares a transaction's read predicate
   * with concurrent commits by partition only, so a chain's replaceWhere or UPDATE of its own
   * dataset's rows then never conflicts with another dataset's chain writing the same table at
   * once. Tables created unpartitioned by older versions keep working through {@link
   * #retryOnConflict}.
   */
  private static <T> org.apache.spark.sql.DataFrameWriter<T> partitionedByDataset(
      org.apache.spark.sql.DataFrameWriter<T> writer, Dataset<Row> rows, String path) {
    // only _system tables: a user's own column named "dataset" (carried into predictions) is data
    return isSystemTable(path)
            && java.util.Arrays.asList(rows.schema().fieldNames()).contains(DATASET)
        ? writer.partitionBy(DATASET)
        : writer;
  }

  /** The writer of a table being created: its partitioning and table properties. */
  private static <T> org.apache.spark.sql.DataFrameWriter<T> forNewTable(
      org.apache.spark.sql.DataFrameWriter<T> writer, Dataset<Row> rows, String path) {
    return systemTableProperties(partitionedByDataset(writer, rows, path), path);
  }

  /**
   * Whether {@code path} is one of the lake's shared {@code _system} tables ({@link LakeCatalog}).
   */
  static boolean isSystemTable(String path) {
    return LakeCatalog.Layer.SYSTEM
        .folder()
        .equals(new org.apache.hadoop.fs.Path(path).getParent().getName());
  }

  /**
   * For a table being created: a {@code _system} table keeps no per-column statistics in its
   * commits (Delta's {@code delta.dataSkippingNumIndexedCols = 0}; the row count stays). Its files
   * hold a run's few rows and are read whole, so min/max values skip nothing, while building their
   * expressions took about a fifth of every run-ledger append (a JFR profile of DeployTest,
   * 2026-12-03).
   */
  public static <T> org.apache.spark.sql.DataFrameWriter<T> systemTableProperties(
      org.apache.spark.sql.DataFrameWriter<T> writer, String path) {
    return isSystemTable(path) ? writer.option("delta.dataSkippingNumIndexedCols", "0") : writer;
  }

  /** Attempts of {@link #retryOnConflict}, and the first wait (doubled each time). */
  static final int ATTEMPTS = 8;

  static final long FIRST_WAIT_MS = 200;

  /**
   * Runs an idempotent Delta write again when a concurrent writer won the commit (Delta's
   * optimistic concurrency: another dataset's nightly writing the same {@code _system} table at the
   * same moment, or two writers creating a table at once). Every write routed here is idempotent —
   * replaceWhere of its own rows, appends with a transaction id, DML with one — so a retry cannot
   * duplicate anything. Gives up after {@link #ATTEMPTS} attempts with the last conflict.
   */
  public static void retryOnConflict(String what, Runnable write) {
    retryOnConflict(what, write, ATTEMPTS, FIRST_WAIT_MS);
  }

  static void retryOnConflict(String what, Runnable write, int attempts, long firstWaitMs) {
    for (int attempt = 1; ; attempt++) {
      try {
        write.run();
        return;
      } catch (RuntimeException e) {
        Throwable conflict = e;
        while (conflict != null
            && !(conflict instanceof io.delta.exceptions.DeltaConcurrentModificationException)) {
          conflict = conflict.getCause();
        }
        if (conflict == null || attempt >= attempts) {
          throw e;
        }
        long wait = firstWaitMs << (attempt - 1);
        LOG.warn(
            "{}: concurrent Delta commit ({}); attempt {} of {} in {} ms",
            what,
            conflict.getClass().getSimpleName(),
            attempt + 1,
            attempts,
            wait);
        try {
          Thread.sleep(
              wait + java.util.concurrent.ThreadLocalRandom.current().nextLong(wait / 2 + 1));
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  /**
   * Appends rows exactly once: Delta skips the write when {@code appId} already committed {@code
   * txnVersion} to this table, so a retried batch after a crash adds nothing twice.
   */
  public static void appendOnce(
      Dataset<Row> rows, String path, String appId, long txnVersion, boolean mergeSchema) {
    retryOnConflict(
        "appending to " + path,
        () -> {
          var writer = rows.write().format("delta");
          if (!exists(rows.sparkSession(), path)) {
            writer = forNewTable(writer, rows, path);
          }
          writer
              .mode("append")
              .option("txnAppId", appId)
              .option("txnVersion", txnVersion)
              .option("mergeSchema", mergeSchema)
              .save(path);
        });
  }

  /**
   * Runs a MERGE (or other DML) as an idempotent transaction: the session settings make Delta skip
   * it when {@code appId} already committed {@code txnVersion}; {@code userMetadata} is stored with
   * the commit.
   */
  public static void dmlOnce(
      SparkSession spark, String appId, long txnVersion, String userMetadata, Runnable dml) {
    var conf = spark.conf();
    conf.set("spark.databricks.delta.write.txnAppId", appId);
    conf.set("spark.databricks.delta.write.txnVersion", String.valueOf(txnVersion));
    try {
      withCommitMetadata(
          spark, userMetadata, () -> retryOnConflict("a MERGE or update (" + appId + ")", dml));
    } finally {
      conf.unset("spark.databricks.delta.write.txnAppId");
      conf.unset("spark.databricks.delta.write.txnVersion");
    }
  }

  /**
   * Runs SQL or DML whose Delta commits carry {@code userMetadata} (a session setting, as DML has
   * no writer option).
   */
  public static void withCommitMetadata(SparkSession spark, String userMetadata, Runnable work) {
    spark.conf().set("spark.databricks.delta.commitInfo.userMetadata", userMetadata);
    try {
      work.run();
    } finally {
      spark.conf().unset("spark.databricks.delta.commitInfo.userMetadata");
    }
  }
}
