package io.lakeml.prepare;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.spark_partition_id;
import static org.apache.spark.sql.functions.when;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.lakeml.config.ConfigLoader;
import io.lakeml.config.DatasetConfig;
import io.lakeml.testing.TestProject;
import io.lakeml.testing.TestSpark;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * The exact (ranked) split's layout: spread evenly over the cores, in an order fixed by content.
 */
class SplitterTest {
  private static final int ROWS = 30_000;

  @Test
  void rankedSplitIsSpreadEvenlyOverTheCoresInAnOrderThatDependsOnContentOnly() {
    SparkSession spark = TestSpark.session();
    TestProject p =
        TestProject.create("splitter")
            .dataset(
                "synth",
                """
        dataset {
          schema = [ { name = id, type = long }, { name = x, type = double }, { name = y, type = string } ]
          key = [id]
          label { column = y, positive = "yes" }
          features { numeric = [x] }
        }
        """);
    DatasetConfig ds = ConfigLoader.load(p.confDir(), "local", "synth", List.of()).requireDataset();
    // 30% positives: ranking by stratum alone would leave two partitions of 70% and 30% of the rows
    Dataset<Row> rows =
        spark
            .range(ROWS)
            .select(
                col("id"),
                col("id").multiply(7919).mod(10_000).divide(100.0).as("x"),
                when(col("id").mod(10).lt(3), "yes").otherwise("no").as("y"));
    int cores = spark.sparkContext().defaultParallelism();
    assertThat(cores).as("the test session's parallelism").isEqualTo(2);

    Dataset<Row> split = Splitter.assign(rows.repartition(3), ds, ds.columnNames(), ROWS);
    assertThat(split.rdd().getNumPartitions())
        .isEqualTo(Math.min(cores, (int) (ROWS / Splitter.ROWS_PER_PARTITION)));
    List<Row> perPartition = split.groupBy(spark_partition_id().as("p")).count().collectAsList();
    assertThat(perPartition)
        .hasSize(2)
        .allSatisfy(
            r ->
                assertThat((double) r.getLong(1)).isCloseTo(ROWS / 2.0, within(ROWS / 2.0 * 0.05)));
    // every partition holds both labels at about the overall rate
    for (Row r :
        split
            .groupBy(spark_partition_id())
            .agg(
                org.apache.spark.sql.functions.avg(
                    when(col("y").equalTo("yes"), 1.0).otherwise(0.0)))
            .collectAsList()) {
      assertThat(r.getDouble(1)).isCloseTo(0.3, within(0.02));
    }
    assertThat(split.where(col(Splitter.SPLIT).equalTo(Splitter.TRAIN)).count())
        .isEqualTo(ROWS * 6 / 10);

    // the same rows read in another partitioning and order: the same rows in the same partitions,
    // in the same order
    Dataset<Row> other =
        Splitter.assign(
            rows.repartition(7).sortWithinPartitions(col("x").desc()), ds, ds.columnNames(), ROWS);
    assertThat(layout(other)).isEqualTo(layout(split));
    // small data stays in one partition
    assertThat(
            Splitter.assign(rows.limit(5_000).repartition(3), ds, ds.columnNames(), 5_000)
                .rdd()
                .getNumPartitions())
        .isEqualTo(1);

    // a time split ranks all rows in one window partition: it too ends spread evenly, the earliest
    // 60% training
    DatasetConfig timed =
        ConfigLoader.load(
                p.confDir(), "local", "synth", List.of("dataset.prepare.split.time-column=id"))
            .requireDataset();
    Dataset<Row> byTime = Splitter.assign(rows.repartition(3), timed, timed.columnNames(), ROWS);
    assertThat(byTime.groupBy(spark_partition_id()).count().collectAsList())
        .hasSize(2)
        .allSatisfy(
            r ->
                assertThat((double) r.getLong(1)).isCloseTo(ROWS / 2.0, within(ROWS / 2.0 * 0.05)));
    assertThat(
            byTime
                .where(col(Splitter.SPLIT).equalTo(Splitter.TRAIN))
                .agg(org.apache.spark.sql.functions.max("id"))
                .first()
                .getLong(0))
        .isEqualTo(ROWS * 6 / 10 - 1);
  }

  /**
   * Per partition, its ids and splits in row order (30,000 rows: small enough to bring back in a
   * test).
   */
  private static Map<Integer, List<String>> layout(Dataset<Row> split) {
    Map<Integer, List<String>> m = new java.util.TreeMap<>();
    List<List<Row>> parts = split.select("id", Splitter.SPLIT).javaRDD().glom().collect();
    for (int i = 0; i < parts.size(); i++) {
      m.put(i, parts.get(i).stream().map(r -> r.get(0) + ":" + r.get(1)).toList());
    }
    return m;
  }
}
