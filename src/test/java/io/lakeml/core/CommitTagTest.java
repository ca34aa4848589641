package io.lakeml.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakeml.testing.TestSpark;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** One encoding of commit metadata, and the encodings of lakes written before it still read. */
class CommitTagTest {
  @Test
  void encodesAsJsonAndReadsItBackWithoutNullsAndAlwaysTheSameText() {
    Map<String, String> a = new LinkedHashMap<>();
    a.put("runId", "r-1");
    a.put("absent", null);
    CommitTag t = new CommitTag("etl", 7L, "abc", a);
    assertThat(t.encode())
        .isEqualTo(
            "lakeml:{\"job\":\"etl\",\"input\":7,\"config\":\"abc\",\"attributes\":{\"runId\":\"r-1\"}}");
    assertThat(CommitTag.parse(t.encode())).contains(t);
    assertThat(new CommitTag("etl", 7L, "abc", Map.of("runId", "r-1")).encode())
        .isEqualTo(t.encode());
    CommitTag noInput = CommitTag.of("sql", Map.of("statement", "DELETE"));
    assertThat(noInput.encode())
        .isEqualTo("lakeml:{\"job\":\"sql\",\"attributes\":{\"statement\":\"DELETE\"}}");
    assertThat(CommitTag.parse(noInput.encode()))
        .hasValueSatisfying(
            p -> {
              assertThat(p.input()).isNull();
              assertThat(p.attribute("statement")).isEqualTo("DELETE");
              assertThat(p.attribute("runId")).isNull();
            });
  }

  @Test
  void theFourOlderEncodingsAreReadSoAnUpgradedLakeKeepsItsWatermarksAndSkips() {
    assertThat(CommitTag.parse("lakeml:etl;input=12;config=9f3e;runId=r-7"))
        .contains(new CommitTag("etl", 12L, "9f3e", Map.of("runId", "r-7")));
    assertThat(
            CommitTag.parse(
                "lakeml:prepare;input=3;config=h;pipeline=file:/lake/_system/pipelines/x"))
        .hasValueSatisfying(
            t -> assertThat(t.attribute("pipeline")).isEqualTo("file:/lake/_system/pipelines/x"));
    assertThat(CommitTag.parse("lakeml:sql;run=r-9;statement=DELETE"))
        .contains(CommitTag.of("sql", Map.of("run", "r-9", "statement", "DELETE")));
    assertThat(
            CommitTag.parse(
                "lakeml-jdbc:{\"column\":\"updated_at\",\"watermark\":\"2026-11-03 07:00:00\",\"source\":\"jdbc:postgresql://h/db orders\"}"))
        .contains(
            CommitTag.of(
                "ingest",
                Map.of(
                    CommitTag.JDBC_WATERMARK_COLUMN,
                    "updated_at",
                    CommitTag.JDBC_WATERMARK,
                    "2026-11-03 07:00:00",
                    CommitTag.JDBC_SOURCE,
                    "jdbc:postgresql://h/db orders")));
    assertThat(CommitTag.parse("lakeml-jdbc:{\"column\":null,\"watermark\":null,\"source\":\"s\"}"))
        .contains(CommitTag.of("ingest", Map.of(CommitTag.JDBC_SOURCE, "s")));
    assertThat(CommitTag.parse("lakeml-snapshot:ab12"))
        .contains(CommitTag.of("ingest", Map.of(CommitTag.SNAPSHOT, "ab12")));
    // not ours, or unreadable: no tag
    assertThat(CommitTag.parse(null)).isEmpty();
    assertThat(CommitTag.parse("nightly backfill by ops")).isEmpty();
    assertThat(CommitTag.parse("lakeml:{not json")).isEmpty();
    assertThat(CommitTag.parse("lakeml:etl;input=x")).isEmpty();
  }

  @Test
  void lineageFindsTheNewestTagOfItsJobWhateverItsEncoding() throws Exception {
    SparkSession spark = TestSpark.session();
    String table = Files.createTempDirectory("commit-tag").resolve("t").toUri().toString();
    spark
        .range(3)
        .write()
        .format("delta")
        .option("userMetadata", "lakeml:etl;input=4;config=old")
        .save(table);
    assertThat(Lineage.last(spark, table, "etl"))
        .hasValueSatisfying(b -> assertThat(b.inputVersion()).isEqualTo(4));
    spark
        .range(1)
        .write()
        .format("delta")
        .mode("append")
        .option("userMetadata", Lineage.tag("etl", 5, "new", Map.of("runId", "r")))
        .save(table);
    spark
        .range(1)
        .write()
        .format("delta")
        .mode("append")
        .option("userMetadata", CommitTag.of("sql", Map.of()).encode())
        .save(table);
    spark
        .range(1)
        .write()
        .format("delta")
        .mode("append")
        .option("userMetadata", "someone else")
        .save(table);
    assertThat(Lineage.last(spark, table, "etl"))
        .hasValueSatisfying(
            b -> {
              assertThat(b.inputVersion()).isEqualTo(5);
              assertThat(b.datasetHash()).isEqualTo("new");
              assertThat(b.extra()).containsEntry("runId", "r");
            });
    assertThat(Lineage.at(spark, table, 0))
        .hasValueSatisfying(b -> assertThat(b.datasetHash()).isEqualTo("old"));
    assertThat(Lineage.at(spark, table, 2)).as("a sql write has no input version").isEmpty();
    assertThat(Lineage.last(spark, table, "prepare")).isEmpty();
  }
}
