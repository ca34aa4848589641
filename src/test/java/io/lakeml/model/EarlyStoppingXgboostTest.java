package io.lakeml.model;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.lakeml.testing.TestSpark;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** The rows early stopping holds out: a tenth, and a tenth of every kind of row. */
class EarlyStoppingXgboostTest {
  @Test
  void aTenthOfTheRowsIsHeldOutAndATenthOfEachRepeatedFeatureVectorNotAllOrNone() {
    StructType schema =
        new StructType()
            .add(Algorithms.LABEL, DataTypes.DoubleType)
            .add(Algorithms.FEATURES, SQLDataTypes.VectorType())
            .add(Algorithms.ROW_UNIFORM, DataTypes.DoubleType);
    List<Row> rows = new ArrayList<>();
    // 20,000 rows, only four distinct (features, label) pairs: categorical data with many copies of
    // each row
    for (int i = 0; i < 20_000; i++) {
      int kind = i % 4;
      rows.add(
          RowFactory.create(
              (double) (kind % 2),
              Vectors.dense(kind, 1.0),
              (i * 7919L % 1_000_000L) / 1_000_000.0));
    }
    Dataset<Row> data = TestSpark.session().createDataFrame(rows, schema);
    Dataset<Row> flagged =
        data.withColumn(
            "held",
            EarlyStoppingXgboost.heldOut(data, 42, Algorithms.FEATURES, Algorithms.LABEL)
                .cast("double"));
    assertThat(flagged.agg(avg(col("held"))).first().getDouble(0)).isCloseTo(0.1, within(0.01));
    // bounded: four groups
    List<Row> perVector =
        flagged
            .groupBy(col(Algorithms.FEATURES))
            .agg(avg(col("held")), count(col("held")))
            .collectAsList();
    assertThat(perVector)
        .hasSize(4)
        .allSatisfy(r -> assertThat(r.getDouble(1)).isCloseTo(0.1, within(0.02)));
    // the same rows every time (a refit and reproduce stop on the same rows); another seed, other
    // rows
    assertThat(flagged.where("held = 1").count())
        .isEqualTo(
            data.where(
                    EarlyStoppingXgboost.heldOut(data, 42, Algorithms.FEATURES, Algorithms.LABEL))
                .count());
    assertThat(
            data.where(
                    EarlyStoppingXgboost.heldOut(data, 42, Algorithms.FEATURES, Algorithms.LABEL)
                        .and(
                            EarlyStoppingXgboost.heldOut(
                                data, 7, Algorithms.FEATURES, Algorithms.LABEL)))
                .count())
        .isLessThan(600);
    // without a row identity the features and label decide: every copy of a vector on one side
    Dataset<Row> anonymous = data.drop(Algorithms.ROW_UNIFORM);
    List<Row> byVector =
        anonymous
            .withColumn(
                "held",
                EarlyStoppingXgboost.heldOut(anonymous, 42, Algorithms.FEATURES, Algorithms.LABEL)
                    .cast("double"))
            .groupBy(col(Algorithms.FEATURES))
            .agg(avg(col("held")))
            .collectAsList();
    assertThat(byVector).allSatisfy(r -> assertThat(r.getDouble(1)).isIn(0.0, 1.0));
  }
}
