package io.lakeml.tune;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import io.lakeml.testing.TestProject;
import io.lakeml.testing.TestSpark;
import java.util.Map;
import java.util.Random;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * A rare outcome: with the default 0.5 cut the model never predicts it; a threshold chosen on
 * validation does.
 */
class ThresholdTest {
  private static final String CONF =
      """
      dataset {
        source { format = csv, mode = snapshot }
        schema = [ { name = id, type = int }, { name = x, type = double }, { name = y, type = string } ]
        key = [id]
        label { column = y, positive = "yes" }
        features { numeric = [x] }
        tune { folds = 2, algorithms = [ { type = logistic-regression, grid { regParam = [0.0], maxIter = [50] } } ] }
      }
      """;

  /**
   * About 8 % "yes", more likely as x grows, but never above 27 %: no row's probability reaches
   * 0.5.
   */
  private static String data() {
    Random r = new Random(11);
    StringBuilder sb = new StringBuilder("id,x,y\n");
    for (int i = 0; i < 1500; i++) {
      double x = r.nextDouble();
      boolean yes = r.nextDouble() < 0.02 + 0.25 * x * x * x;
      sb.append(i).append(',').append(x).append(',').append(yes ? "yes" : "no").append('\n');
    }
    return sb.toString();
  }

  /**
   * Share of the test split the saved model (as score and bias-post load it) predicts positive, and
   * the true share.
   */
  private static double[] testRates(TestProject p, int version) {
    Map<String, Object> row =
        p.sql("SELECT path, gold_version FROM _system.models WHERE version = " + version).get(0);
    Transformer classifier =
        io.lakeml.model.LabelCoding.classifier(PipelineModel.load((String) row.get("path")));
    Dataset<Row> test =
        TestSpark.session()
            .read()
            .format("delta")
            .option("versionAsOf", ((Number) row.get("gold_version")).longValue())
            .load(p.catalog().gold("rare").path())
            .where(col("split").equalTo("test"));
    Row rates =
        classifier
            .transform(test)
            .agg(
                org.apache.spark.sql.functions.avg(col("prediction")),
                org.apache.spark.sql.functions.avg(col("label")))
            .head();
    return new double[] {rates.getDouble(0), rates.getDouble(1)};
  }

  @Test
  void aThresholdChosenOnValidationMakesTheRareClassPredictedNearItsBaseRate() {
    TestProject p = TestProject.create("threshold").dataset("rare", CONF);
    p.land("rare", "rare.csv", data());
    p.run("nightly", "--dataset", "rare", "--until", "tune", "--run-date", "2026-11-20")
        .expectExit(0);
    double[] half = testRates(p, 1);
    assertThat(p.sql("SELECT threshold FROM _system.models WHERE version = 1").get(0))
        .containsEntry("threshold", 0.5);
    assertThat(half[1]).as("base rate of the test split").isBetween(0.04, 0.15);
    assertThat(half[0]).as("positive predictions at 0.5").isLessThan(half[1] / 2);

    // another rule is another configuration: tune trains a new version from the same gold
    TestProject.Result f1 =
        p.run(
                "tune",
                "--dataset",
                "rare",
                "--run-date",
                "2026-11-21",
                "--set",
                "dataset.tune.threshold=f1")
            .expectExit(0);
    assertThat(f1.status()).isEqualTo("SUCCEEDED");
    double chosen = ((Number) f1.metrics().get("threshold")).doubleValue();
    assertThat(chosen).isStrictlyBetween(0.0, 0.5);
    assertThat(
            ((Number)
                    p.sql("SELECT threshold FROM _system.models WHERE version = 2")
                        .get(0)
                        .get("threshold"))
                .doubleValue())
        .isCloseTo(chosen, org.assertj.core.api.Assertions.within(1e-6));
    double[] tuned = testRates(p, 2);
    assertThat(tuned[0])
        .as("positive predictions at the chosen threshold vs the base rate " + tuned[1])
        .isBetween(tuned[1] / 2, tuned[1] * 2);

    // base-rate: flags as many validation rows as the training split has positives
    TestProject.Result base =
        p.run(
                "tune",
                "--dataset",
                "rare",
                "--run-date",
                "2026-11-22",
                "--set",
                "dataset.tune.threshold=base-rate")
            .expectExit(0);
    assertThat(base.status()).isEqualTo("SUCCEEDED");
    double[] byRate = testRates(p, 3);
    assertThat(byRate[0]).isBetween(byRate[1] / 2, byRate[1] * 2);

    // balanced class weights instead: each class weighs n/2 in the fit, so at 0.5 the rare class is
    // predicted
    TestProject.Result balanced =
        p.run(
                "tune",
                "--dataset",
                "rare",
                "--run-date",
                "2026-11-23",
                "--set",
                "dataset.tune.class-weight=balanced")
            .expectExit(0);
    Map<String, Object> v4 =
        p.sql("SELECT class_weights, train_rows FROM _system.models WHERE version = 4").get(0);
    long n = ((Number) v4.get("train_rows")).longValue();
    long positives =
        Math.round(
            n
                * ((Number)
                        p.sql("SELECT avg(label) AS r FROM gold.rare WHERE split = 'train'")
                            .get(0)
                            .get("r"))
                    .doubleValue());
    assertThat(((Map<?, ?>) v4.get("class_weights")).keySet())
        .isEqualTo(java.util.Set.of("0.0", "1.0"));
    assertThat(((Number) ((Map<?, ?>) v4.get("class_weights")).get("1.0")).doubleValue())
        .isCloseTo((double) n / (2 * positives), org.assertj.core.api.Assertions.within(1e-9));
    assertThat(((Number) ((Map<?, ?>) v4.get("class_weights")).get("0.0")).doubleValue())
        .isCloseTo(
            (double) n / (2 * (n - positives)), org.assertj.core.api.Assertions.within(1e-9));
    assertThat(balanced.metrics().get("classWeights")).isEqualTo(v4.get("class_weights"));
    double[] weighted = testRates(p, 4);
    assertThat(weighted[0])
        .as("positive predictions at 0.5 with balanced classes")
        .isGreaterThan(half[1] / 2);
    // reproduce refits with the recorded weights and gets the recorded metrics
    assertThat(p.run("reproduce", "--dataset", "rare", "--version", "4").expectExit(0).status())
        .isEqualTo("SUCCEEDED");
  }
}
