package io.lakeml.tune;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import io.lakeml.model.Algorithms;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Balanced class weights ({@code dataset.tune.class-weight = balanced}): rows of class c weigh n /
 * (k · n_c) on the training split, so each of the k classes weighs n / k in total. They multiply
 * gold's weight (1, or reweighing's), are recorded with the version, and reproduce applies them
 * again.
 */
final class ClassWeights {
  private ClassWeights() {}

  /**
   * Weight per label index (gold's label value, e.g. "1.0"), from the training rows' class counts.
   */
  static Map<String, Double> balanced(Dataset<Row> train) {
    // bounded: one row per class
    List<Row> counts = train.groupBy(col(Algorithms.LABEL)).count().collectAsList();
    long n = counts.stream().mapToLong(r -> r.getLong(1)).sum();
    Map<String, Double> out = new TreeMap<>();
    for (Row r : counts) {
      out.put(String.valueOf(r.getDouble(0)), (double) n / (counts.size() * r.getLong(1)));
    }
    return out;
  }

  /**
   * The rows with their weight multiplied by their class's weight; unchanged when {@code weights}
   * is null or empty.
   */
  static Dataset<Row> apply(Dataset<Row> rows, Map<String, Double> weights) {
    if (weights == null || weights.isEmpty()) {
      return rows;
    }
    Column factor = lit(1.0);
    for (Map.Entry<String, Double> e : weights.entrySet()) {
      factor =
          when(col(Algorithms.LABEL).equalTo(Double.parseDouble(e.getKey())), e.getValue())
              .otherwise(factor);
    }
    return rows.withColumn(Algorithms.WEIGHT, col(Algorithms.WEIGHT).multiply(factor));
  }
}
