package io.lakeml.prepare;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.percent_rank;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import io.lakeml.config.DatasetConfig;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * Deterministic train/validation/test assignment. Rows are ordered by a seeded hash of the key (or
 * of the whole row when there is no key), ties broken by the row's own values, and cut at the
 * configured fractions within each stratum. The order depends only on row content, never on
 * partitioning or scan order, so the same input gives the same split on any cluster. With a time
 * column, rows are ordered by time instead (train on the past).
 */
final class Splitter {
  static final String SPLIT = "split";
  static final String TRAIN = "train";
  static final String VALIDATION = "validation";
  static final String TEST = "test";

  private Splitter() {}

  static Dataset<Row> assign(Dataset<Row> rows, DatasetConfig dataset, List<String> dataColumns) {
    DatasetConfig.Split s = dataset.prepare().split();
    List<Column> hashInput = new ArrayList<>();
    hashInput.add(lit(s.seed()));
    for (String c : dataset.key().isEmpty() ? dataColumns : dataset.key()) {
      hashInput.add(col(c));
    }
    Column hash = xxhash64(hashInput.toArray(new Column[0]));
    List<Column> order = new ArrayList<>();
    if (s.timeColumn().isPresent()) {
      order.add(col(s.timeColumn().get()).asc_nulls_first());
    }
    order.add(hash);
    for (String c : dataColumns) {
      order.add(col(c).asc_nulls_first());
    }
    Column[] partition = s.timeColumn().isPresent() ? new Column[0]
        : s.stratifyBy().stream().map(org.apache.spark.sql.functions::col).toArray(Column[]::new);
    WindowSpec w = Window.partitionBy(partition).orderBy(order.toArray(new Column[0]));
    Column rank = percent_rank().over(w);
    // percent_rank is in [0, 1]; ranks below the train fraction train, and so on
    String last = s.test() > 0 ? TEST : s.validation() > 0 ? VALIDATION : TRAIN;
    Column split = when(rank.lt(s.train()), lit(TRAIN))
        .when(rank.lt(s.train() + s.validation()), lit(VALIDATION))
        .otherwise(lit(last));
    return rows.withColumn(SPLIT, split);
  }
}
