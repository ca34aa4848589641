package io.lakeml.prepare;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakeml.config.ConfigLoader;
import io.lakeml.config.DatasetConfig;
import io.lakeml.testing.TestProject;
import io.lakeml.testing.TestSpark;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * The rules' evaluation caches the flagged rows only when a uniqueness rule's window would
 * otherwise be evaluated again by every reader; row-level rules are recomputed instead.
 */
class QualityRulesTest {
  private static DatasetConfig dataset(String rules) {
    TestProject p =
        TestProject.create("quality-rules")
            .dataset(
                "synth",
                """
        dataset {
          schema = [ { name = id, type = long }, { name = x, type = double }, { name = y, type = string } ]
          key = [id]
          label { column = y, positive = "yes" }
          features { numeric = [x] }
          validation.rules = [ %s ]
        }
        """
                    .formatted(rules));
    return ConfigLoader.load(p.confDir(), "local", "synth", List.of()).requireDataset();
  }

  private static Dataset<Row> rows(SparkSession spark) {
    // x: 0, 1, ..., 9, 0, 1, ... (each value 10 times); id 7 has no x
    return spark.sql(
        "SELECT id, IF(id = 7, NULL, CAST(id % 10 AS DOUBLE)) AS x, IF(id % 3 = 0, 'yes', 'no') AS y"
            + " FROM range(100)");
  }

  private static boolean cached(Dataset<Row> rows) {
    return !rows.storageLevel().equals(org.apache.spark.storage.StorageLevel.NONE());
  }

  @Test
  void rowLevelRulesAreCountedWithoutCachingTheRows() {
    SparkSession spark = TestSpark.session();
    QualityRules.Evaluation eval =
        QualityRules.evaluate(
            rows(spark),
            dataset(
                "{ id = x-range, check = range, column = x, max = 7, action = drop },"
                    + " { id = x-present, check = not-null, column = x, action = warn }"));
    assertThat(eval.rowCount()).isEqualTo(100);
    assertThat(eval.results())
        .extracting(QualityRules.Result::rowsFailed)
        .containsExactly(20L, 1L); // x of 8 and 9; id 7
    assertThat(cached(eval.flagged())).isFalse();
    assertThat(eval.rows().where(QualityRules.DROP_REASON + " != ''").count()).isEqualTo(20);
    eval.release();
  }

  @Test
  void aUniquenessRuleCachesTheFlaggedRowsUntilReleased() {
    SparkSession spark = TestSpark.session();
    QualityRules.Evaluation eval =
        QualityRules.evaluate(
            rows(spark), dataset("{ id = x-unique, check = unique, column = x, action = drop }"));
    // every value after its first occurrence: 9 of 10 per value, over the 99 rows with an x
    assertThat(eval.results().get(0).rowsFailed()).isEqualTo(99 - 10);
    assertThat(cached(eval.flagged())).isTrue();
    assertThat(eval.rows().where(QualityRules.DROP_REASON + " = ''").count()).isEqualTo(10 + 1);
    eval.release();
    assertThat(cached(eval.flagged())).isFalse();
  }
}
