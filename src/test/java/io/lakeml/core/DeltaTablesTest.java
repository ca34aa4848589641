package io.lakeml.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakeml.testing.TestProject;
import io.lakeml.testing.TestSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** {@link DeltaTables#version} reads the log's newest snapshot: no table, a plain folder, and every new commit. */
class DeltaTablesTest {
  @Test
  void versionIsEmptyWithoutATableAndFollowsEveryCommit() throws Exception {
    SparkSession spark = TestSpark.session();
    Path dir = Files.createTempDirectory(Files.createDirectories(TestProject.projectDir().resolve("target/tmp")), "delta-version");
    String table = dir.resolve("t").toUri().toString();
    String parquet = dir.resolve("plain").toUri().toString();

    assertThat(DeltaTables.version(spark, table)).isEqualTo(OptionalLong.empty());
    spark.range(3).write().parquet(parquet);
    assertThat(DeltaTables.version(spark, parquet)).as("Parquet files without a _delta_log").isEqualTo(OptionalLong.empty());

    // created after the first call above: the cached log must not keep saying "no table"
    spark.range(3).write().format("delta").save(table);
    assertThat(DeltaTables.version(spark, table)).isEqualTo(OptionalLong.of(0));
    spark.range(2).write().format("delta").mode("append").save(table);
    spark.range(1).write().format("delta").mode("overwrite").save(table);
    assertThat(DeltaTables.version(spark, table)).isEqualTo(OptionalLong.of(2));
  }
}
