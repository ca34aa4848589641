package io.lakeml.prepare;

import static org.apache.spark.sql.functions.approx_count_distinct;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.desc;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.percentile_approx;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.stddev;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.lakeml.config.DatasetConfig;
import io.lakeml.tables.ProfileTable;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.StructType;

/**
 * Column profiles of the prepared data, per split and overall ({@code scope = all}): counts, nulls,
 * approximate distinct values, min/max/mean/stddev and quantiles for numbers, top values with their
 * label rate for categories. Two aggregations in all: one for the statistics (rolled up over the
 * split), one for the top values of every categorical column at once, which also gives the text
 * ones' min and max.
 */
final class Profiler {
  static final double[] QUANTILES = {0.05, 0.25, 0.5, 0.75, 0.95};
  static final int TOP_VALUES = 10;
  static final StructType TOP_VALUE = ProfileTable.TOP_VALUE;
  static final StructType SCHEMA = ProfileTable.SCHEMA;

  /** Columns profiled per aggregation (see {@link #profile}). */
  static final int COLUMNS_PER_PASS = 50;

  private Profiler() {}

  /**
   * @param rows the declared columns, {@code split} and {@code labelCol} (1.0 / 0.0, or null)
   */
  static Dataset<Row> profile(
      SparkSession spark,
      Dataset<Row> rows,
      DatasetConfig ds,
      String labelCol,
      String runId,
      LocalDate runDate) {
    List<DatasetConfig.Column> columns = ds.columns();
    Grouped grouped = topValues(rows, ds, labelCol);
    Map<String, List<Row>> top = grouped.top();
    Date date = Date.valueOf(runDate);
    // scope ("all", or a split) → its rows, columns in schema order
    Map<String, List<Row>> byScope = new java.util.LinkedHashMap<>();
    // a bounded number of columns per aggregation: one aggregation over a thousand columns (8
    // aggregates
    // each, rolled up) planned and compiled for minutes and filled the 2 GB heap; the rows are
    // cached
    for (int from = 0; from < columns.size(); from += COLUMNS_PER_PASS) {
      List<DatasetConfig.Column> chunk =
          columns.subList(from, Math.min(columns.size(), from + COLUMNS_PER_PASS));
      List<Column> aggs = new ArrayList<>();
      for (DatasetConfig.Column c : chunk) {
        Column v = col(c.name());
        aggs.add(count(v));
        aggs.add(sum(when(v.isNull(), 1L).otherwise(0L)));
        aggs.add(approx_count_distinct(v));
        if (!grouped.hasRange(c.name())) {
          aggs.add(min(v).cast("string"));
          aggs.add(max(v).cast("string"));
        }
        if (c.type().isNumeric()) {
          aggs.add(avg(v));
          aggs.add(stddev(v));
          Column[] qs =
              java.util.Arrays.stream(QUANTILES).mapToObj(q -> lit(q)).toArray(Column[]::new);
          aggs.add(percentile_approx(v.cast("double"), array(qs), lit(1000)));
        }
      }
      // bounded: one row per split and the total (rollup)
      List<Row> stats =
          rows.rollup(col(Splitter.SPLIT))
              .agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0]))
              .collectAsList();
      for (Row r : stats) {
        String scope = r.isNullAt(0) ? "all" : r.getString(0);
        List<Row> out = byScope.computeIfAbsent(scope, k -> new ArrayList<>());
        int i = 1;
        for (DatasetConfig.Column c : chunk) {
          long cnt = r.getLong(i);
          long nulls = r.getLong(i + 1);
          // approximate (HyperLogLog, 5 % error): never more than the values counted
          long distinct = Math.min(r.getLong(i + 2), cnt);
          String mn;
          String mx;
          if (grouped.hasRange(c.name())) {
            String[] range = grouped.range(scope, c.name());
            mn = range[0];
            mx = range[1];
            i += 3;
          } else {
            mn = r.getString(i + 3);
            mx = r.getString(i + 4);
            i += 5;
          }
          Double mean = null;
          Double sd = null;
          List<Double> quantiles = null;
          if (c.type().isNumeric()) {
            mean = r.isNullAt(i) ? null : r.getDouble(i);
            sd = r.isNullAt(i + 1) ? null : r.getDouble(i + 1);
            quantiles = r.isNullAt(i + 2) ? null : r.getList(i + 2);
            i += 3;
          }
          List<Row> tops = scope.equals("all") ? top.get(c.name()) : null;
          out.add(
              RowFactory.create(
                  ds.name(),
                  date,
                  runId,
                  scope,
                  c.name(),
                  c.type().toString(),
                  cnt,
                  nulls,
                  distinct,
                  mn,
                  mx,
                  mean,
                  sd,
                  quantiles == null
                      ? null
                      : scala.jdk.javaapi.CollectionConverters.asScala(quantiles).toSeq(),
                  tops == null
                      ? null
                      : scala.jdk.javaapi.CollectionConverters.asScala(tops).toSeq()));
        }
      }
    }
    List<Row> out = new ArrayList<>();
    byScope.values().forEach(out::addAll);
    return spark.createDataFrame(out, SCHEMA);
  }

  /**
   * What the pass over the categorical and sensitive columns' values gives: each one's top values
   * (scope {@code all}), and the smallest and largest value per scope of those that are text.
   */
  record Grouped(Map<String, List<Row>> top, Map<String, Map<String, String[]>> ranges) {
    /** Whether {@code column}'s min and max come from here instead of the statistics pass. */
    boolean hasRange(String column) {
      return ranges.containsKey(column);
    }

    /** {min, max} of {@code column} in {@code scope}; nulls when it has no value there. */
    String[] range(String scope, String column) {
      return ranges.get(column).getOrDefault(scope, new String[2]);
    }
  }

  /**
   * Top values (with count and label rate) of categorical features and sensitive columns, and the
   * text ones' min and max per split and overall, in one pass: counted by split and value, then
   * summed. A text column's min and max in the statistics pass copied its value into the
   * aggregation buffer on every row, twice with the rollup: at 10M rows that was a third of the
   * profile (the statistics query took 41-49 s with them, 33-36 s without, 2026-12-05).
   */
  private static Grouped topValues(Dataset<Row> rows, DatasetConfig ds, String labelCol) {
    Set<String> cats = new LinkedHashSet<>(ds.features().categorical());
    ds.sensitive().forEach(s -> cats.add(s.column()));
    Map<String, List<Row>> out = new HashMap<>();
    Map<String, Map<String, String[]>> ranges = new HashMap<>();
    if (cats.isEmpty()) {
      return new Grouped(out, ranges);
    }
    // a rate of a binary label only: the mean of a multiclass label's class indexes means nothing
    boolean binary = ds.label().map(DatasetConfig.Label::binary).orElse(true);
    Column[] pairs =
        cats.stream()
            .map(c -> struct(lit(c).as("column"), col(c).cast("string").as("value")))
            .toArray(Column[]::new);
    // per split: the label's sum and count (0/1 values, so the sums are exact whatever their order,
    // and their ratio is what avg over all rows gave)
    Dataset<Row> bySplit =
        rows.select(explode(array(pairs)).as("p"), col(labelCol).as("y"), col(Splitter.SPLIT))
            .groupBy(col(Splitter.SPLIT), col("p.column").as("column"), col("p.value").as("value"))
            .agg(count(lit(1)).as("n"), sum(col("y")).as("ys"), count(col("y")).as("yn"))
            .persist();
    try {
      Dataset<Row> counted =
          bySplit
              .groupBy(col("column"), col("value"))
              .agg(
                  sum(col("n")).as("count"),
                  (binary
                          ? when(sum(col("yn")).gt(0), sum(col("ys")).divide(sum(col("yn"))))
                          : lit(null).cast("double"))
                      .as("label_rate"))
              .withColumn(
                  "rank",
                  row_number()
                      .over(
                          Window.partitionBy("column")
                              .orderBy(desc("count"), col("value").asc_nulls_first())))
              .where(col("rank").leq(TOP_VALUES));
      // bounded: TOP_VALUES rows per column
      for (Row r : counted.orderBy("column", "rank").collectAsList()) {
        out.computeIfAbsent(r.getString(0), k -> new ArrayList<>())
            .add(
                RowFactory.create(
                    r.getString(1), r.getLong(2), r.isNullAt(3) ? null : r.getDouble(3)));
      }
      List<String> text =
          ds.columns().stream()
              .filter(
                  c -> c.type() == io.lakeml.config.ColumnType.STRING && cats.contains(c.name()))
              .map(DatasetConfig.Column::name)
              .toList();
      if (!text.isEmpty()) {
        // bounded: one row per text column and scope (each split, and the rollup's total)
        for (Row r :
            bySplit
                .where(col("column").isin(text.toArray()))
                .rollup(col("column"), col(Splitter.SPLIT))
                .agg(min(col("value")), max(col("value")))
                .where(col("column").isNotNull())
                .collectAsList()) {
          ranges
              .computeIfAbsent(r.getString(0), k -> new HashMap<>())
              .put(
                  r.isNullAt(1) ? "all" : r.getString(1),
                  new String[] {r.getString(2), r.getString(3)});
        }
        text.forEach(c -> ranges.computeIfAbsent(c, k -> new HashMap<>()));
      }
    } finally {
      bySplit.unpersist();
    }
    return new Grouped(out, ranges);
  }
}
