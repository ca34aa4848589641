package io.lakeml.prepare;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

import io.lakeml.config.DatasetConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Kamiran &amp; Calders reweighing: weight(g, y) = P(g)·P(y) / P(g, y), estimated on the training
 * split, where g is the joint group of all sensitive attributes. On the weighted training split the
 * label is independent of the group, so the pre-training disparate impact there is exactly 1. Rows
 * of a (group, label) never seen in training keep weight 1.
 */
final class Reweighing {
  private static final String GROUP = "_rw_group";

  private Reweighing() {}

  /** The weights per (group, label) and the rows with the weight column set. */
  record Result(Dataset<Row> rows, Map<String, Double> weights) {}

  static Result apply(
      Dataset<Row> rows, DatasetConfig ds, String labelCol, String weightCol, Column isTrain) {
    Column group = io.lakeml.model.Fairness.jointGroup(ds.sensitive());
    Dataset<Row> withGroup = rows.withColumn(GROUP, group);
    // bounded: one count per (group, label)
    List<Row> counts =
        withGroup
            .where(isTrain)
            .groupBy(col(GROUP), col(labelCol))
            .agg(count(lit(1)))
            .collectAsList();
    double total = 0;
    Map<String, Double> byGroup = new LinkedHashMap<>();
    Map<Double, Double> byLabel = new LinkedHashMap<>();
    for (Row r : counts) {
      double n = r.getLong(2);
      total += n;
      byGroup.merge(r.getString(0), n, Double::sum);
      byLabel.merge(r.getDouble(1), n, Double::sum);
    }
    List<Row> weights = new ArrayList<>();
    Map<String, Double> summary = new LinkedHashMap<>();
    for (Row r : counts) {
      double w = byGroup.get(r.getString(0)) * byLabel.get(r.getDouble(1)) / (total * r.getLong(2));
      weights.add(RowFactory.create(r.getString(0), r.getDouble(1), w));
      summary.put(r.getString(0) + " / label " + r.getDouble(1), Math.round(w * 1e6) / 1e6);
    }
    StructType schema =
        new StructType()
            .add(GROUP, DataTypes.StringType)
            .add(labelCol, DataTypes.DoubleType)
            .add("_rw", DataTypes.DoubleType);
    Dataset<Row> table = rows.sparkSession().createDataFrame(weights, schema);
    Dataset<Row> out =
        withGroup
            .join(
                broadcast(table),
                withGroup
                    .col(GROUP)
                    .equalTo(table.col(GROUP))
                    .and(withGroup.col(labelCol).equalTo(table.col(labelCol))),
                "left")
            .select(withGroup.col("*"), coalesce(table.col("_rw"), lit(1.0)).as(weightCol))
            .drop(GROUP);
    return new Result(out, new java.util.TreeMap<>(summary));
  }
}
