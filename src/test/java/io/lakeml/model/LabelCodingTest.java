package io.lakeml.model;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import io.lakeml.config.DatasetConfig;
import io.lakeml.testing.TestSpark;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** The one label mapping that prepare, score and monitor share: values to indexes and back. */
class LabelCodingTest {
  private static List<Object> column(Dataset<Row> df) {
    // bounded: a handful of test rows
    return Arrays.asList((Object[]) df.collectAsList().stream().map(r -> r.get(0)).toArray());
  }

  @Test
  void binaryMulticlassAndUnknownValuesMapAndNamesComeBack() {
    Dataset<Row> values =
        TestSpark.session()
            .createDataset(Arrays.asList("yes", "no", "maybe", null), Encoders.STRING())
            .toDF("v");
    DatasetConfig.Label binary = new DatasetConfig.Label("v", Optional.of("yes"), Optional.empty());
    assertThat(
            column(values.select(LabelCoding.encode(col("v"), binary, List.of("not yes", "yes")))))
        .containsExactly(1.0, 0.0, 0.0, 0.0);

    DatasetConfig.Label multi = new DatasetConfig.Label("v", Optional.empty(), Optional.empty());
    List<String> classes = List.of("maybe", "no", "yes");
    assertThat(column(values.select(LabelCoding.encode(col("v"), multi, classes))))
        .containsExactly(2.0, 1.0, 0.0, null);
    assertThat(column(values.select(LabelCoding.indexOf(col("v"), List.of("no", "yes")))))
        .containsExactly(1.0, 0.0, -1.0, null);

    Dataset<Row> predictions =
        TestSpark.session()
            .createDataset(Arrays.asList(0.0, 2.0, 1.0), Encoders.DOUBLE())
            .toDF("p");
    assertThat(column(predictions.select(LabelCoding.decode(col("p"), classes))))
        .containsExactly("maybe", "yes", "no");
  }

  @Test
  void aBinaryAnswerIsOneWhateverItsCaseSpacesOrFinalFullStopAndSparkAgreesWithJava() {
    // UCI Adult: the training file writes " >50K", its test file " >50K."
    List<String> spellings =
        Arrays.asList(" >50K", ">50k.", " >50K. ", " <=50K", " <=50K.", ">50", ">5OK", "", null);
    Dataset<Row> values = TestSpark.session().createDataset(spellings, Encoders.STRING()).toDF("v");
    DatasetConfig.Label income =
        new DatasetConfig.Label("v", Optional.of(" >50K"), Optional.empty());
    assertThat(column(values.select(LabelCoding.encode(col("v"), income, List.of("a", "b")))))
        .containsExactly(1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    assertThat(spellings.stream().map(v -> v == null ? null : LabelCoding.normalized(v)).toList())
        .containsExactly(">50k", ">50k", ">50k", "<=50k", "<=50k", ">50", ">5ok", "", null);
  }
}
