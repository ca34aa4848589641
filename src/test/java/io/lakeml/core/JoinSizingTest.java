package io.lakeml.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakeml.config.ConfigLoader;
import io.lakeml.config.LakemlConfig;
import io.lakeml.testing.TestProject;
import io.lakeml.testing.TestSpark;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;

/**
 * A join side the planner sizes by its compressed files must not be broadcast when its rows are
 * many times larger in memory: at 10M rows monitor broadcast silver's key and label (9.9 MB by its
 * files, hundreds of MB in memory) and ran a 2 GB driver out of memory. The defaults' {@code
 * spark.sql.sources.fileCompressionFactor} reaches the session the jobs use and turns such a join
 * into a sort-merge join; the same table joined with the factor at Spark's 1 is broadcast. The
 * broadcast limit is scaled down to this test's table instead of scaling the table up to 10 MB.
 */
class JoinSizingTest {
  @Test
  void aTableOfCategoriesIsSizedAboveItsCompressedFiles() {
    TestProject p = TestProject.create("join-sizing");
    LakemlConfig config = ConfigLoader.load(p.confDir(), "local", null, List.of());
    assertThat(config.spark().conf())
        .containsEntry("spark.sql.sources.fileCompressionFactor", "10");
    // a session of its own, as a test command's: the settings it changes are not other classes'
    TestSpark.inChainOfItsOwn(config, "join-sizing", spark -> check(p, spark));
  }

  private static void check(TestProject p, SparkSession spark) throws Exception {
    assertThat(spark.conf().get("spark.sql.sources.fileCompressionFactor")).isEqualTo("10");

    String path = p.lake().resolve("categories").toString();
    // a key and one of three categories per row: Parquet's dictionary and run lengths shrink it
    spark
        .range(0, 50_000, 1, 1)
        .withColumn(
            "label",
            functions.expr(
                "case when id % 3 = 0 then 'yes' when id % 3 = 1 then 'no' else 'maybe' end"))
        .write()
        .format("delta")
        .save(path);
    String threshold = spark.conf().get("spark.sql.autoBroadcastJoinThreshold");
    String factor = spark.conf().get("spark.sql.sources.fileCompressionFactor");
    try {
      Dataset<Row> side = spark.read().format("delta").load(path).select("id", "label");
      long filesEstimate = estimate(spark, side, "1");
      // 50,000 keys alone are 400 KB in memory; the files say less
      assertThat(filesEstimate).isLessThan(400_000L);
      // broadcast limit just above what the files say, far below what the rows take
      spark.conf().set("spark.sql.autoBroadcastJoinThreshold", String.valueOf(2 * filesEstimate));
      assertThat(joinOf(spark, path, "1")).isEqualTo("BroadcastHashJoin");
      assertThat(joinOf(spark, path, factor)).isEqualTo("SortMergeJoin");
    } finally {
      spark.conf().set("spark.sql.autoBroadcastJoinThreshold", threshold);
      spark.conf().set("spark.sql.sources.fileCompressionFactor", factor);
    }
  }

  private static long estimate(SparkSession spark, Dataset<Row> side, String factor) {
    spark.conf().set("spark.sql.sources.fileCompressionFactor", factor);
    return side.queryExecution().optimizedPlan().stats().sizeInBytes().longValue();
  }

  /** The join of the table with itself on its key (both sides sized alike, by their files). */
  private static String joinOf(SparkSession spark, String path, String factor) {
    spark.conf().set("spark.sql.sources.fileCompressionFactor", factor);
    Dataset<Row> left = spark.read().format("delta").load(path).select("id");
    Dataset<Row> side = spark.read().format("delta").load(path).select("id", "label");
    String plan = left.join(side, "id").queryExecution().sparkPlan().toString();
    return plan.contains("BroadcastHashJoin")
        ? "BroadcastHashJoin"
        : plan.contains("SortMergeJoin") ? "SortMergeJoin" : plan;
  }
}
