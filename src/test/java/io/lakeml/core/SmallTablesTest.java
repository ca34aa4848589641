package io.lakeml.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakeml.testing.TestProject;
import io.lakeml.testing.TestSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * {@link SmallTables} reads, without Spark, exactly the rows Spark reads: the same JSON-shaped maps
 * for every column type, at each version, in one dataset's partition or filtered from an
 * unpartitioned table, through a checkpoint and with rows deleted by a deletion vector.
 */
public class SmallTablesTest {
  private static final String ROW =
      "SELECT '%s' AS dataset, %d AS i, 10000000000L * %d AS l, 0.1D * %d AS d, %d %% 2 = 0 AS b,"
          + " DATE'2026-12-07' + %d AS run_date,"
          + " TIMESTAMP'2026-12-07 13:16:04.123456' + make_interval(0, 0, 0, 0, %d) AS at,"
          + " array(1.5D, NULL, double('NaN'), double('-Infinity')) AS arr,"
          + " map('x', 1.0D, 'y', CAST(NULL AS DOUBLE)) AS m,"
          + " named_struct('p', %d, 'q', CAST(NULL AS STRING), 'r', array(named_struct('s', 'v'))) AS st,"
          + " CAST(NULL AS STRING) AS nothing, 'quote \" tab \\t, unicode é €' AS text,"
          + " CAST(1.25 AS DECIMAL(10, 3)) AS dec, CAST(%d AS SHORT) AS sh, 2.5F AS f";

  private static Dataset<Row> rows(SparkSession spark, String dataset, int... ns) {
    List<String> parts = new ArrayList<>();
    for (int n : ns) {
      parts.add(String.format(ROW, dataset, n, n, n, n, n, n, n, n));
    }
    return spark.sql(String.join(" UNION ALL ", parts));
  }

  @Test
  void rowsEqualSparksJsonRowsForEveryTypeVersionAndPartition() throws Exception {
    // a session of its own: the DELETE's setting below is not other classes'
    SparkSession spark = TestSpark.session().newSession();
    Path dir =
        Files.createTempDirectory(
            Files.createDirectories(TestProject.projectDir().resolve("target/tmp")), "small");
    String partitioned = dir.resolve("_system/p").toString();
    String plain = dir.resolve("plain").toString();
    rows(spark, "a", 1, 2, 3)
        .unionAll(rows(spark, "b", 4))
        .write()
        .format("delta")
        .partitionBy(DeltaTables.DATASET)
        .save(partitioned);
    rows(spark, "a", 5).write().format("delta").mode("append").save(partitioned);
    rows(spark, "a", 6).unionAll(rows(spark, "b", 7)).write().format("delta").save(plain);

    SmallTables tables = SmallTables.of(spark);
    assertThat(tables.latestVersion(partitioned)).isEqualTo(OptionalLong.of(1));
    assertThat(tables.latestVersion(dir.resolve("none").toString())).isEmpty();
    assertThat(tables.rows(dir.resolve("none").toString(), OptionalLong.empty(), "a")).isEmpty();

    assertSameAsSpark(spark, partitioned, OptionalLong.of(0), "a", 3);
    assertSameAsSpark(spark, partitioned, OptionalLong.empty(), "a", 4);
    assertSameAsSpark(spark, partitioned, OptionalLong.empty(), "b", 1);
    assertSameAsSpark(spark, plain, OptionalLong.empty(), "b", 1);
    assertSameAsSpark(spark, plain, OptionalLong.empty(), "c", 0);

    // a log with a checkpoint (Delta writes one every ten commits) and rows deleted through a
    // deletion vector (the file stays, Kernel's selection vector hides the rows)
    String logged = dir.resolve("logged").toString();
    rows(spark, "a", 0)
        .write()
        .format("delta")
        .option("delta.enableDeletionVectors", "true")
        .save(logged);
    for (int n = 1; n <= 11; n++) {
      // one file of two rows: deleting one of them needs a deletion vector
      rows(spark, "a", n, n + 100).coalesce(1).write().format("delta").mode("append").save(logged);
    }
    // whatever the application's defaults for DML (lakeml's rewrite files), this DELETE is to write
    // a deletion vector
    String persistent = "spark.databricks.delta.delete.deletionVectors.persistent";
    String was = spark.conf().get(persistent, null);
    spark.conf().set(persistent, "true");
    try {
      spark.sql("DELETE FROM delta.`" + logged + "` WHERE i > 100 AND i % 2 = 0");
    } finally {
      if (was == null) {
        spark.conf().unset(persistent);
      } else {
        spark.conf().set(persistent, was);
      }
    }
    assertThat(dir.resolve("logged/_delta_log/00000000000000000010.checkpoint.parquet")).exists();
    assertThat(Files.readString(dir.resolve("logged/_delta_log/00000000000000000012.json")))
        .as("the DELETE marks rows in a deletion vector instead of rewriting the files")
        .contains("\"deletionVector\":{");
    assertSameAsSpark(spark, logged, OptionalLong.empty(), "a", 23 - 5);
    assertSameAsSpark(spark, logged, OptionalLong.of(11), "a", 23);

    // the values themselves, as a reader of the maps sees them
    Map<String, Object> one =
        tables.rows(partitioned, OptionalLong.of(0), "a").stream()
            .filter(r -> r.get("i").equals(1))
            .findFirst()
            .orElseThrow();
    assertThat(one)
        .containsEntry("l", 10000000000L)
        .containsEntry("d", 0.1)
        .containsEntry("b", false)
        .containsEntry("run_date", "2026-12-08")
        .containsEntry("at", "2026-12-07T14:16:04.123Z")
        .containsEntry("arr", java.util.Arrays.asList(1.5, null, "NaN", "-Infinity"))
        .doesNotContainKey("nothing");
    @SuppressWarnings("unchecked")
    Map<String, Object> st = (Map<String, Object>) one.get("st");
    assertThat(st).doesNotContainKey("q").containsEntry("p", 1);
  }

  /**
   * SmallTables' rows of {@code dataset} at {@code version} equal Spark's ({@code toJSON}, the same
   * Jackson mapper), in any order.
   */
  static void assertSameAsSpark(
      SparkSession spark, String path, OptionalLong version, String dataset, int expectedRows) {
    assertThat(sameAsSpark(spark, path, version, dataset)).isEqualTo(expectedRows);
  }

  /** Asserts that both readers give the same rows, and returns how many. */
  public static int sameAsSpark(
      SparkSession spark, String path, OptionalLong version, String dataset) {
    var reader = spark.read().format("delta");
    if (version.isPresent()) {
      reader = reader.option("versionAsOf", version.getAsLong());
    }
    List<Map<String, Object>> viaSpark = new ArrayList<>();
    for (String json :
        reader
            .load(path)
            .where(org.apache.spark.sql.functions.col(DeltaTables.DATASET).equalTo(dataset))
            .toJSON()
            .collectAsList()) {
      viaSpark.add(parse(json));
    }
    List<Map<String, Object>> viaKernel = SmallTables.of(spark).rows(path, version, dataset);
    assertThat(sorted(viaKernel)).as(path + " @" + version).isEqualTo(sorted(viaSpark));
    return viaKernel.size();
  }

  private static Map<String, Object> parse(String json) {
    try {
      return io.lakeml.config.Json.MAPPER.readValue(
          json,
          new com.fasterxml.jackson.core.type.TypeReference<LinkedHashMap<String, Object>>() {});
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static List<Map<String, Object>> sorted(List<Map<String, Object>> rows) {
    List<Map<String, Object>> out = new ArrayList<>(rows);
    out.sort(Comparator.comparing(Object::toString));
    return out;
  }
}
