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
import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
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

  /**
   * A thousand columns: the split's plan must not nest as deep as the column list. Spark serialises
   * a task in its own threads, whose stack is the JVM's default; a window ordered by one key per
   * column overflowed it at the split of a 1,000-column nightly (and overflows 256 KB here).
   */
  @Test
  void aThousandColumnSplitSerialisesInASmallStackAndSplitsEveryRow() throws Exception {
    TestProject p =
        TestProject.create("splitter-wide")
            .dataset(
                "wide",
                """
        dataset {
          schema = [ { name = id, type = int }, { name = "f{0000..0999}", type = int }, { name = y, type = string } ]
          key = [id]
          label { column = y, positive = "yes" }
          features { numeric = ["f*"] }
        }
        """);
    DatasetConfig ds = ConfigLoader.load(p.confDir(), "local", "wide", List.of()).requireDataset();
    StructType schema = new StructType();
    for (DatasetConfig.Column c : ds.columns()) {
      schema =
          schema.add(c.name(), c.name().equals("y") ? DataTypes.StringType : DataTypes.IntegerType);
    }
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      Object[] v = new Object[ds.columns().size()];
      v[0] = i;
      for (int j = 1; j <= 1000; j++) {
        v[j] = (i * j) % 7;
      }
      v[1001] = i % 2 == 0 ? "yes" : "no";
      rows.add(RowFactory.create(v));
    }
    Dataset<Row> df = TestSpark.session().createDataFrame(rows, schema);
    Dataset<Row> split = Splitter.assign(df, ds, ds.columnNames(), rows.size());

    Object plan = split.queryExecution().sparkPlan();
    Throwable[] failure = {null};
    Thread t =
        new Thread(
            null,
            () -> {
              try (ObjectOutputStream out = new ObjectOutputStream(new ByteArrayOutputStream())) {
                out.writeObject(plan);
              } catch (Throwable e) {
                failure[0] = e;
              }
            },
            "small-stack",
            256 * 1024);
    t.start();
    t.join();
    assertThat(failure[0]).as("serialising the split's plan").isNull();
    // written from the cache, as prepare writes gold: Spark projects the cached plan's ordering
    // through the write's aliases
    Dataset<Row> cached = split.persist();
    try {
      String table = p.lake().resolve("gold-like").toString();
      cached
          .select(col("id").as("key"), col(Splitter.SPLIT), col("f0999").as("last"))
          .write()
          .format("delta")
          .save(table);
      assertThat(TestSpark.session().read().format("delta").load(table).count()).isEqualTo(50);
    } finally {
      cached.unpersist();
    }
    // bounded: three splits
    Map<String, Long> counts = new java.util.TreeMap<>();
    for (Row r : split.groupBy(Splitter.SPLIT).count().collectAsList()) {
      counts.put(r.getString(0), r.getLong(1));
    }
    assertThat(counts)
        .containsEntry(Splitter.TRAIN, 30L)
        .containsEntry(Splitter.VALIDATION, 10L)
        .containsEntry(Splitter.TEST, 10L);
  }
}
