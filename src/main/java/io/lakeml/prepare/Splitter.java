package io.lakeml.prepare;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.percent_rank;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import io.lakeml.config.DatasetConfig;
import io.lakeml.tables.GoldTable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.functions;

/**
 * Deterministic train/validation/test assignment. Rows are ordered by a seeded hash of the key (or
 * of the whole row when there is no key), ties broken by the row's own values, and cut at the
 * configured fractions within each stratum. The order depends only on row content, never on
 * partitioning or scan order, so the same input gives the same split on any cluster. With a time
 * column, rows are ordered by time instead (train on the past).
 *
 * <p>Ranking sorts each stratum in one task: at 10M rows that was 65 s of prepare's 177 s on 2
 * cores. Above {@code split.exact-max-rows} rows (and without a time column) each row's split is
 * therefore decided by its own hash alone, a uniform number in [0, 1) against the cumulative
 * fractions: no shuffle, the same on any partitioning, and a row keeps its split as other rows come
 * and go. Fractions and label rates per split then hold to sampling error instead of exactly.
 */
final class Splitter {
  static final String SPLIT = GoldTable.SPLIT;
  static final String TRAIN = GoldTable.TRAIN;
  static final String VALIDATION = GoldTable.VALIDATION;
  static final String TEST = GoldTable.TEST;

  /** Fewer rows than this per partition cost more in tasks than they gain in parallel work. */
  static final long ROWS_PER_PARTITION = 10_000;

  /** 2^53: every value below it is exact as a double, so the uniform number has 53 random bits. */
  private static final long UNIFORM_RANGE = 1L << 53;

  private Splitter() {}

  /** Assigns {@code rows}, of which there are {@code rowCount}, to the splits. */
  static Dataset<Row> assign(
      Dataset<Row> rows, DatasetConfig dataset, List<String> dataColumns, long rowCount) {
    DatasetConfig.Split s = dataset.prepare().split();
    List<Column> hashInput = new ArrayList<>();
    hashInput.add(lit(s.seed()));
    for (String c : dataset.key().isEmpty() ? dataColumns : dataset.key()) {
      hashInput.add(col(c));
    }
    Column hash = xxhash64(hashInput.toArray(new Column[0]));
    String last = s.test() > 0 ? TEST : s.validation() > 0 ? VALIDATION : TRAIN;
    if (!ranked(dataset, rowCount)) {
      // salted, so it is not the hash tune's folds are taken from (same seed, same key)
      hashInput.add(0, lit("lakeml-split"));
      Column uniform =
          pmod(xxhash64(hashInput.toArray(new Column[0])), lit(UNIFORM_RANGE))
              .cast("double")
              .divide((double) UNIFORM_RANGE);
      return rows.withColumn(SPLIT, cut(uniform, s, last));
    }
    List<Column> order = new ArrayList<>();
    if (s.timeColumn().isPresent()) {
      order.add(col(s.timeColumn().get()).asc_nulls_first());
    }
    order.add(hash);
    // The window breaks ties of the hash by the whole row as one struct, compared field by field
    // (ascending, nulls first, as each column's own key): ordered by one key per column, the
    // window's expression nests as deep as the column list, and a 1,000-column split overflowed the
    // stack when its task was serialised. The sort within partitions keeps one key per column: a
    // struct there becomes the cached split's output ordering, and Spark's projection of an
    // ordering through aliases expands a 1,000-field struct into 1,000 nested lazy lists, which
    // overflowed the stack when gold was written.
    List<Column> windowOrder = new ArrayList<>(order);
    windowOrder.add(
        struct(dataColumns.stream().map(functions::col).toArray(Column[]::new)).asc_nulls_first());
    for (String c : dataColumns) {
      order.add(col(c).asc_nulls_first());
    }
    Column[] partition =
        s.timeColumn().isPresent()
            ? new Column[0]
            : s.stratifyBy().stream()
                .map(org.apache.spark.sql.functions::col)
                .toArray(Column[]::new);
    WindowSpec w = Window.partitionBy(partition).orderBy(windowOrder.toArray(new Column[0]));
    // percent_rank is in [0, 1], like the uniform number above. The window leaves one partition per
    // stratum (one in all with a time column, so every later read of gold ran on one core; 62/38
    // for fertility's label, which measured no slower at 1M: docs/benchmarks). Spread the
    // rows by their hash over about one partition per core (one per ROWS_PER_PARTITION rows at
    // least, so small data stays in one file) and sort each by the ranking's order: layout and row
    // order then depend on content and the parallelism only, never on which task finished first.
    int partitions =
        (int)
            Math.max(
                1,
                Math.min(
                    rows.sparkSession().sparkContext().defaultParallelism(),
                    (rowCount + ROWS_PER_PARTITION - 1) / ROWS_PER_PARTITION));
    return rows.withColumn(SPLIT, cut(percent_rank().over(w), s, last))
        .repartition(partitions, hash)
        .sortWithinPartitions(order.toArray(new Column[0]));
  }

  /**
   * Whether {@link #assign} ranks the rows (a window, a shuffle and a sort), or decides each row's
   * split by its own hash, a projection of the rows.
   */
  static boolean ranked(DatasetConfig dataset, long rowCount) {
    DatasetConfig.Split s = dataset.prepare().split();
    return s.timeColumn().isPresent() || rowCount <= s.exactMaxRows();
  }

  /**
   * A position in [0, 1] below the train fraction trains, below train + validation validates, and
   * so on.
   */
  private static Column cut(Column position, DatasetConfig.Split s, String last) {
    return when(position.lt(s.train()), lit(TRAIN))
        .when(position.lt(s.train() + s.validation()), lit(VALIDATION))
        .otherwise(lit(last));
  }
}
