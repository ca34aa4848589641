package io.lakeml.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lakeml.config.ConfigLoader;
import io.lakeml.config.LakemlConfig;
import io.lakeml.testing.TestProject;
import io.lakeml.testing.TestSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * Delta's checksum files without the table's file list (the defaults' {@code
 * spark.databricks.delta.allFilesInCrc.enabled = false}): creating a table then runs one Spark job
 * fewer, and the checksum still holds what readers take from it.
 */
class CommitChecksumTest {
  private static final String KEY = "spark.databricks.delta.allFilesInCrc.enabled";

  @Test
  void aNewTablesFirstCommitRunsNoJobToListTheFilesOfTheVersionBefore() throws Exception {
    TestProject p = TestProject.create("commit-checksum");
    LakemlConfig config = ConfigLoader.load(p.confDir(), "local", null, List.of());
    assertThat(config.spark().conf()).containsEntry(KEY, "false");
    // a session of its own, as a test command's: the settings it changes are not other classes'
    TestSpark.inChainOfItsOwn(config, "commit-checksum", spark -> check(p, spark));
  }

  private static void check(TestProject p, SparkSession spark) throws Exception {
    assertThat(spark.conf().get(KEY)).isEqualTo("false");

    long withoutList = jobsToCreate(spark, p.lake().resolve("without-list"));
    JsonNode crc = checksum(p.lake().resolve("without-list"));
    assertThat(crc.has("allFiles")).as("no file list in the checksum").isFalse();
    assertThat(crc.get("numFiles").asLong()).isEqualTo(1);
    assertThat(crc.has("protocol") && crc.has("metadata")).isTrue();

    spark.conf().set(KEY, "true"); // Delta's default
    try {
      long withList = jobsToCreate(spark, p.lake().resolve("with-list"));
      assertThat(checksum(p.lake().resolve("with-list")).has("allFiles")).isTrue();
      assertThat(withoutList).isEqualTo(withList - 1);
    } finally {
      spark.conf().set(KEY, "false");
    }
    // the table reads back whole
    assertThat(
            spark.read().format("delta").load(p.lake().resolve("without-list").toString()).count())
        .isEqualTo(3);
  }

  /** Spark jobs that writing a new three-row table takes. */
  private static long jobsToCreate(SparkSession spark, Path table) throws Exception {
    String group = "commit-checksum-" + System.nanoTime();
    SparkJobCounter counter = SparkJobCounter.of(spark.sparkContext());
    spark.sparkContext().setJobGroup(group, "test", false);
    try {
      spark.range(0, 3, 1, 1).write().format("delta").save(table.toString());
      spark.sparkContext().listenerBus().waitUntilEmpty();
      return counter.jobs(group);
    } finally {
      spark.sparkContext().clearJobGroup();
      counter.forget(group);
    }
  }

  private static JsonNode checksum(Path table) throws Exception {
    Path crc = table.resolve("_delta_log/00000000000000000000.crc");
    assertThat(crc).exists();
    return new ObjectMapper().readTree(Files.readString(crc));
  }
}
