package io.lakeml.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakeml.testing.TestProject;
import io.lakeml.testing.TestSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * {@link DeltaTables#version} reads the log's newest snapshot: no table, a plain folder, and every
 * new commit.
 */
class DeltaTablesTest {
  /** A fresh folder under target/tmp. */
  private static Path tempDir(String prefix) throws java.io.IOException {
    return Files.createTempDirectory(
        Files.createDirectories(TestProject.projectDir().resolve("target/tmp")), prefix);
  }

  @Test
  void versionIsEmptyWithoutATableAndFollowsEveryCommit() throws Exception {
    SparkSession spark = TestSpark.session();
    Path dir = tempDir("delta-version");
    String table = dir.resolve("t").toUri().toString();
    String parquet = dir.resolve("plain").toUri().toString();

    assertThat(DeltaTables.version(spark, table)).isEqualTo(OptionalLong.empty());
    spark.range(3).write().parquet(parquet);
    assertThat(DeltaTables.version(spark, parquet))
        .as("Parquet files without a _delta_log")
        .isEqualTo(OptionalLong.empty());

    // created after the first call above: the cached log must not keep saying "no table"
    spark.range(3).write().format("delta").save(table);
    assertThat(DeltaTables.version(spark, table)).isEqualTo(OptionalLong.of(0));
    spark.range(2).write().format("delta").mode("append").save(table);
    spark.range(1).write().format("delta").mode("overwrite").save(table);
    assertThat(DeltaTables.version(spark, table)).isEqualTo(OptionalLong.of(2));
  }

  @Test
  void onlySystemTablesArePartitionedByDatasetAndKeepNoColumnStatistics() throws Exception {
    SparkSession spark = TestSpark.session();
    Path dir = tempDir("delta-stats");
    String system = dir.resolve("_system/bias").toUri().toString();
    String data = dir.resolve("gold/bias").toUri().toString();
    for (String table : java.util.List.of(system, data)) {
      DeltaTables.replace(
          spark.range(3).selectExpr("'a' AS dataset", "id", "id * 2.5 AS x"),
          table,
          "dataset = 'a'");
      DeltaTables.appendOnce(
          spark.range(2).selectExpr("'b' AS dataset", "id", "id * 2.5 AS x"),
          table,
          "app",
          1,
          false);
    }
    org.apache.spark.sql.Row systemDetail =
        spark.sql("DESCRIBE DETAIL delta.`" + system + "`").first();
    org.apache.spark.sql.Row dataDetail = spark.sql("DESCRIBE DETAIL delta.`" + data + "`").first();
    assertThat(systemDetail.<String, String>getJavaMap(systemDetail.fieldIndex("properties")))
        .containsEntry("delta.dataSkippingNumIndexedCols", "0");
    assertThat(dataDetail.<String, String>getJavaMap(dataDetail.fieldIndex("properties")))
        .isEmpty();
    // partitioned by dataset: the _system table only; a data table's own column of that name is
    // data
    assertThat(systemDetail.<String>getList(systemDetail.fieldIndex("partitionColumns")))
        .containsExactly("dataset");
    assertThat(dataDetail.<String>getList(dataDetail.fieldIndex("partitionColumns"))).isEmpty();
    // every file's stats: the row count only in _system, min/max per column in a data table
    for (int v = 0; v <= 1; v++) {
      String systemLog =
          Files.readString(
              Path.of(java.net.URI.create(system))
                  .resolve(String.format("_delta_log/%020d.json", v)));
      String dataLog =
          Files.readString(
              Path.of(java.net.URI.create(data))
                  .resolve(String.format("_delta_log/%020d.json", v)));
      assertThat(systemLog).as("version %d", v).contains("numRecords").doesNotContain("minValues");
      assertThat(dataLog).as("version %d", v).contains("numRecords").contains("minValues");
    }
    assertThat(spark.read().format("delta").load(system).count()).isEqualTo(5);
  }

  @Test
  void commitMetadataIsReadFromTheLogAsHistoryShowsIt() throws Exception {
    SparkSession spark = TestSpark.session();
    Path dir = tempDir("delta-metadata");
    String table = dir.resolve("t").toUri().toString();
    assertThat(DeltaTables.userMetadataAt(spark, table, 0)).isNull();
    assertThat(DeltaTables.lastUserMetadata(spark, table, "lakeml:")).isNull();
    spark.range(3).write().format("delta").option("userMetadata", "lakeml:etl;a").save(table);
    spark.range(2).write().format("delta").mode("append").save(table); // no metadata
    spark
        .range(1)
        .write()
        .format("delta")
        .mode("append")
        .option("userMetadata", "lakeml:etl;b")
        .save(table);
    spark
        .range(1)
        .write()
        .format("delta")
        .mode("append")
        .option("userMetadata", "other")
        .save(table);
    assertThat(DeltaTables.userMetadataAt(spark, table, 0)).isEqualTo("lakeml:etl;a");
    assertThat(DeltaTables.userMetadataAt(spark, table, 1)).isNull();
    assertThat(DeltaTables.userMetadataAt(spark, table, 3)).isEqualTo("other");
    assertThat(DeltaTables.userMetadataAt(spark, table, 4))
        .as("a version not committed yet")
        .isNull();
    assertThat(DeltaTables.lastUserMetadata(spark, table, "lakeml:etl;")).isEqualTo("lakeml:etl;b");
    assertThat(DeltaTables.lastUserMetadata(spark, table, "none")).isNull();
    // what history() says of every commit
    for (org.apache.spark.sql.Row r :
        io.delta.tables.DeltaTable.forPath(spark, table)
            .history()
            .select("version", "userMetadata")
            .collectAsList()) {
      assertThat(DeltaTables.userMetadataAt(spark, table, r.getLong(0)))
          .as("version " + r.getLong(0))
          .isEqualTo(r.getString(1));
    }
    // only the last commits count (50 by default, as history(50) did): version 2 is the second
    // newest
    assertThat(DeltaTables.lastUserMetadata(spark, table, "lakeml:etl;", 2))
        .isEqualTo("lakeml:etl;b");
    assertThat(DeltaTables.lastUserMetadata(spark, table, "lakeml:etl;", 1)).isNull();
    // the whole log, as ingest's JDBC watermark search falls back to when the last 50 commits hold
    // none
    assertThat(DeltaTables.lastUserMetadata(spark, table, "lakeml:etl;a", Integer.MAX_VALUE))
        .isEqualTo("lakeml:etl;a");
    assertThat(DeltaTables.commitAt(spark, table, 2))
        .get()
        .extracting(DeltaTables.Commit::userMetadata)
        .isEqualTo("lakeml:etl;b");
    assertThat(DeltaTables.commitAt(spark, table, 1))
        .get()
        .extracting(DeltaTables.Commit::userMetadata)
        .isNull();
    assertThat(DeltaTables.commitAt(spark, table, 4)).as("a version not committed yet").isEmpty();
    // the newest commit's version and operation metrics, and a table property, as history(1) and
    // detail() give them
    spark.range(7).write().format("delta").mode("append").save(table);
    org.apache.spark.sql.Row last =
        io.delta.tables.DeltaTable.forPath(spark, table)
            .history(1)
            .select("version", "operationMetrics")
            .first();
    DeltaTables.Commit commit = DeltaTables.lastCommit(spark, table);
    assertThat(commit.version()).isEqualTo(last.getLong(0)).isEqualTo(4);
    assertThat(commit.operationMetrics())
        .isEqualTo(last.getJavaMap(1))
        .containsEntry("numOutputRows", "7");
    assertThat(DeltaTables.commitAt(spark, table, 4)).contains(commit);
    spark.sql("ALTER TABLE delta.`" + table + "` SET TBLPROPERTIES ('lakeml.test' = 'yes')");
    assertThat(DeltaTables.property(spark, table, "lakeml.test")).isEqualTo("yes");
    assertThat(DeltaTables.property(spark, table, "lakeml.absent")).isNull();
    assertThat(DeltaTables.property(spark, dir.resolve("none").toUri().toString(), "lakeml.test"))
        .isNull();
  }

  @Test
  void concurrentWritersOfOneSystemTableEachKeepTheirRowsThroughRetries() throws Exception {
    // what nightlies of several datasets at once do to _system tables: replace their own rows, at
    // the same moment
    SparkSession spark = TestSpark.session();
    Path dir = tempDir("delta-concurrent");
    String table = dir.resolve("bias").toUri().toString();
    int writers = 3;
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(writers);
    try {
      for (int round = 1; round <= 2; round++) {
        int r = round;
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        java.util.List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
        for (int w = 0; w < writers; w++) {
          String dataset = "d" + w;
          done.add(
              pool.submit(
                  () -> {
                    start.await();
                    DeltaTables.replace(
                        spark
                            .range(10 * r)
                            .selectExpr("'" + dataset + "' AS dataset", "id", r + " AS round"),
                        table,
                        "dataset = '" + dataset + "'");
                    return null;
                  }));
        }
        start.countDown();
        for (java.util.concurrent.Future<?> f : done) {
          f.get(); // a conflict that outlived the retries fails here
        }
      }
    } finally {
      pool.shutdownNow();
    }
    java.util.List<org.apache.spark.sql.Row> rows =
        spark
            .read()
            .format("delta")
            .load(table)
            .groupBy("dataset")
            .agg(
                org.apache.spark.sql.functions.count("*"),
                org.apache.spark.sql.functions.max("round"))
            .orderBy("dataset")
            .collectAsList();
    assertThat(rows)
        .hasSize(writers)
        .allSatisfy(
            row -> {
              assertThat(row.getLong(1)).isEqualTo(20);
              assertThat(row.getInt(2)).isEqualTo(2);
            });
  }

  @Test
  void aConflictIsRetriedAndOtherErrorsAreNot() {
    int[] calls = {0};
    DeltaTables.retryOnConflict(
        "test",
        () -> {
          if (++calls[0] < 3) {
            throw new RuntimeException(
                "wrapped", new io.delta.exceptions.ConcurrentAppendException("files were added"));
          }
        },
        4,
        1);
    assertThat(calls[0]).isEqualTo(3);
    calls[0] = 0;
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                DeltaTables.retryOnConflict(
                    "test",
                    () -> {
                      calls[0]++;
                      throw new IllegalStateException("not a conflict");
                    },
                    4,
                    1))
        .hasMessage("not a conflict");
    assertThat(calls[0]).isEqualTo(1);
    calls[0] = 0;
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                DeltaTables.retryOnConflict(
                    "test",
                    () -> {
                      calls[0]++;
                      throw new io.delta.exceptions.ConcurrentAppendException("always");
                    },
                    4,
                    1))
        .isInstanceOf(io.delta.exceptions.ConcurrentAppendException.class);
    assertThat(calls[0]).isEqualTo(4);
  }
}
