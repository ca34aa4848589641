package io.lakeml.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakeml.model.LabelCoding;
import io.lakeml.testing.TestSpark;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * Score names predictions with the model version's own decoder, and versions saved before they had
 * one (features and classifier only) with the registry's classes: both give the same names.
 */
class ScoreNamesTest {
  @Test
  void aVersionsDecoderAndTheRegistrysClassesNameEveryPredictionAlike() {
    SparkSession spark = TestSpark.session();
    List<String> classes = List.of("cat", "dog", "eel");
    Dataset<Row> predicted = spark.sql("SELECT CAST(id % 3 AS DOUBLE) AS prediction FROM range(6)");
    // a version saved before 2026-12-06: only the classifier's index
    List<String> old =
        predicted
            .select(ScoreJob.className(predicted, classes))
            .as(org.apache.spark.sql.Encoders.STRING())
            .collectAsList();
    // a version with its decoder, whose names score must take (a decoder naming otherwise wins)
    Dataset<Row> decoded = LabelCoding.decoder(List.of("C", "D", "E")).transform(predicted);
    List<String> own =
        decoded
            .select(ScoreJob.className(decoded, classes))
            .as(org.apache.spark.sql.Encoders.STRING())
            .collectAsList();
    assertThat(old).containsExactly("cat", "dog", "eel", "cat", "dog", "eel");
    assertThat(own).containsExactly("C", "D", "E", "C", "D", "E");
    Dataset<Row> same = LabelCoding.decoder(classes).transform(predicted);
    assertThat(
            same.select(ScoreJob.className(same, classes))
                .as(org.apache.spark.sql.Encoders.STRING())
                .collectAsList())
        .isEqualTo(old);
  }
}
