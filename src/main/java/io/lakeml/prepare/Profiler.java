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
 * label rate for categories. A one-column key is counted exactly (its values are unique) and has no
 * quantiles. Two aggregations in all: one for the statistics (rolled up over the split), one for
 * the top values of every categorical column at once, which also gives the text ones' min and max.
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
    // A one-column key's values are unique and never null (etl quarantines rows without one and
    // deduplicates by it), so its distinct count is its count, exactly; and its quantiles would
    // describe how the rows were numbered, not the data. Its two sketches were a third of the
    // sketches' pass at 10M rows.
    String key = ds.key().size() == 1 ? ds.key().get(0) : null;
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
      // Two aggregations: one of the plain statistics, one of the sketches (distinct counts,
      // quantiles) and the text minima and maxima. Spark compiles an aggregation to code only
      // when every aggregate keeps a fixed-width buffer; one sketch made the whole aggregation run
      // row by row through generic code, which was 40 % of the profile's time at 10M rows.
      Aggs plain = new Aggs();
      Aggs sketches = new Aggs();
      List<At> at = new ArrayList<>();
      for (DatasetConfig.Column c : chunk) {
        Column v = col(c.name());
        int cnt = plain.add(count(v));
        int nulls = plain.add(sum(when(v.isNull(), 1L).otherwise(0L)));
        boolean isKey = c.name().equals(key);
        int distinct =
            grouped.hasDistinct(c.name()) || isKey ? -1 : sketches.add(approx_count_distinct(v));
        Aggs rangeIn = null; // null: the range comes from the top values' pass
        int mn = -1;
        int mx = -1;
        if (!grouped.hasRange(c.name())) {
          rangeIn =
              org.apache.spark.sql.catalyst.expressions.UnsafeRow.isMutable(
                      rows.schema().apply(c.name()).dataType())
                  ? plain
                  : sketches;
          mn = rangeIn.add(min(v).cast("string"));
          mx = rangeIn.add(max(v).cast("string"));
        }
        int mean = -1;
        int sd = -1;
        int q = -1;
        if (c.type().isNumeric()) {
          mean = plain.add(avg(v));
          sd = plain.add(stddev(v));
        }
        if (c.type().isNumeric() && !isKey) {
          Column[] qs =
              java.util.Arrays.stream(QUANTILES).mapToObj(x -> lit(x)).toArray(Column[]::new);
          q = sketches.add(percentile_approx(v.cast("double"), array(qs), lit(1000)));
        }
        at.add(new At(cnt, nulls, distinct, rangeIn, mn, mx, mean, sd, q));
      }
      Map<String, Row> plainByScope = plain.byScope(rows);
      Map<String, Row> sketchesByScope = sketches.byScope(rows);
      for (Map.Entry<String, Row> e : plainByScope.entrySet()) {
        String scope = e.getKey();
        Row p = e.getValue();
        Row k = sketchesByScope.get(scope);
        List<Row> out = byScope.computeIfAbsent(scope, x -> new ArrayList<>());
        for (int j = 0; j < chunk.size(); j++) {
          DatasetConfig.Column c = chunk.get(j);
          At i = at.get(j);
          long cnt = p.getLong(i.count());
          long nulls = p.getLong(i.nulls());
          // exact for the grouped columns; else approximate (HyperLogLog, 5 % error), never more
          // than the values counted
          long distinct =
              c.name().equals(key)
                  ? cnt
                  : i.distinct() < 0
                      ? grouped.distinct(scope, c.name())
                      : Math.min(k.getLong(i.distinct()), cnt);
          String mn;
          String mx;
          if (i.rangeIn() == null) {
            String[] range = grouped.range(scope, c.name());
            mn = range[0];
            mx = range[1];
          } else {
            Row r = i.rangeIn() == plain ? p : k;
            mn = r.getString(i.min());
            mx = r.getString(i.max());
          }
          Double mean = null;
          Double sd = null;
          List<Double> quantiles = null;
          if (c.type().isNumeric()) {
            mean = p.isNullAt(i.mean()) ? null : p.getDouble(i.mean());
            sd = p.isNullAt(i.sd()) ? null : p.getDouble(i.sd());
            quantiles =
                i.quantiles() < 0 || k.isNullAt(i.quantiles()) ? null : k.getList(i.quantiles());
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
   * Where one column's statistics are in the two passes' rows: positions in the plain pass (count,
   * nulls, mean, sd), in the sketches' pass (distinct, quantiles; -1 when not computed there), and
   * the pass that holds its min and max ({@code null}: the top values' pass).
   */
  private record At(
      int count,
      int nulls,
      int distinct,
      Aggs rangeIn,
      int min,
      int max,
      int mean,
      int sd,
      int quantiles) {}

  /** The aggregates of one pass, each read back at the position {@link #add} returns. */
  private static final class Aggs {
    private final List<Column> aggs = new ArrayList<>();

    int add(Column agg) {
      aggs.add(agg);
      return aggs.size(); // position 0 of each result row is the split
    }

    /** One row per split and one for all rows ({@code "all"}), rolled up over the split. */
    Map<String, Row> byScope(Dataset<Row> rows) {
      Map<String, Row> out = new java.util.LinkedHashMap<>();
      if (aggs.isEmpty()) {
        return out; // nothing to sketch (every column counted by the top values' pass)
      }
      // bounded: one row per split and the total (rollup)
      for (Row r :
          rows.rollup(col(Splitter.SPLIT))
              .agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0]))
              .collectAsList()) {
        out.put(r.isNullAt(0) ? "all" : r.getString(0), r);
      }
      return out;
    }
  }

  /**
   * What the pass over the categorical and sensitive columns' values gives: each one's top values
   * (scope {@code all}), its exact number of distinct values per scope, and the smallest and
   * largest value per scope of those that are text.
   */
  record Grouped(
      Map<String, List<Row>> top,
      Map<String, Map<String, Long>> distinct,
      Map<String, Map<String, String[]>> ranges) {
    /** Whether {@code column}'s distinct values were counted here. */
    boolean hasDistinct(String column) {
      return distinct.containsKey(column);
    }

    /** The distinct non-null values of {@code column} in {@code scope}. */
    long distinct(String scope, String column) {
      return distinct.get(column).getOrDefault(scope, 0L);
    }

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
    Map<String, Map<String, Long>> distinct = new HashMap<>();
    if (cats.isEmpty()) {
      return new Grouped(out, distinct, ranges);
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
      // Each grouped column's distinct values (exact: they are the groups above; HyperLogLog
      // sketches of them in the statistics pass were a fifth of its time at 10M rows), and the
      // text ones' min and max.
      // bounded: one row per column and scope (each split, and the rollup's total)
      for (Row r :
          bySplit
              .rollup(col("column"), col(Splitter.SPLIT))
              .agg(
                  org.apache.spark.sql.functions.count_distinct(col("value")),
                  min(col("value")),
                  max(col("value")))
              .where(col("column").isNotNull())
              .collectAsList()) {
        String column = r.getString(0);
        String scope = r.isNullAt(1) ? "all" : r.getString(1);
        distinct.computeIfAbsent(column, k -> new HashMap<>()).put(scope, r.getLong(2));
        if (text.contains(column)) {
          ranges
              .computeIfAbsent(column, k -> new HashMap<>())
              .put(scope, new String[] {r.getString(3), r.getString(4)});
        }
      }
      cats.forEach(c -> distinct.computeIfAbsent(c, k -> new HashMap<>()));
      text.forEach(c -> ranges.computeIfAbsent(c, k -> new HashMap<>()));
    } finally {
      bySplit.unpersist();
    }
    return new Grouped(out, distinct, ranges);
  }
}
