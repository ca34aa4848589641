package io.lakeml.etl;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import io.lakeml.testing.TestSpark;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * The one-pass counts etl takes before writing silver: they decide whether the dedup window runs.
 */
class EtlCountsTest {
  private static final StructType SCHEMA =
      new StructType()
          .add("id", DataTypes.IntegerType)
          .add("k2", DataTypes.StringType)
          .add(EtlJob.VALID, DataTypes.BooleanType)
          .add("commit", DataTypes.LongType);

  private static Dataset<Row> rows() {
    return TestSpark.session()
        .createDataFrame(
            List.of(
                RowFactory.create(1, "a", true, 0L),
                RowFactory.create(1, "a", true, 1L), // duplicate of the first
                RowFactory.create(1, "a", true, 1L), // and another: key (1, a) drops 2 rows
                RowFactory.create(
                    1, "b", true, 1L), // same id, other second key part: not a duplicate
                RowFactory.create(2, "a", true, 0L),
                RowFactory.create(2, "a", false, 1L), // invalid rows never count as duplicates
                RowFactory.create(null, "a", false, 0L),
                RowFactory.create(null, "a", false, 1L)),
            SCHEMA);
  }

  @Test
  void countsValidInvalidNewAndDuplicatesByCompositeKey() {
    EtlJob.Counts c = EtlJob.count(rows(), List.of("id", "k2"), col("commit").gt(0L));
    assertThat(c).isEqualTo(new EtlJob.Counts(5, 3, 2, 2));
  }

  @Test
  void withoutAKeyNothingIsADuplicate() {
    assertThat(EtlJob.count(rows(), List.of(), col("commit").gt(0L)))
        .isEqualTo(new EtlJob.Counts(5, 3, 2, 0));
  }

  @Test
  void uniqueKeysAndAnEmptyBronzeCountZeroDuplicates() {
    Dataset<Row> unique = rows().where(col(EtlJob.VALID)).dropDuplicates("id", "k2");
    assertThat(EtlJob.count(unique, List.of("id", "k2"), col("commit").gt(0L)))
        .isEqualTo(new EtlJob.Counts(3, 0, 0, 0));
    assertThat(EtlJob.count(rows().limit(0), List.of("id"), col("commit").gt(0L)))
        .isEqualTo(new EtlJob.Counts(0, 0, 0, 0));
  }
}
