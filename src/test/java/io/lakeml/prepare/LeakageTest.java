package io.lakeml.prepare;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakeml.testing.TestProject;
import io.lakeml.testing.TestSpark;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * The leakage guard: exact single-feature AUCs, and a planted copy of the label stopping prepare by
 * name.
 */
class LeakageTest {
  private static final StructType SCHEMA =
      new StructType()
          .add("x", DataTypes.DoubleType)
          .add("id", DataTypes.StringType)
          .add("copy", DataTypes.StringType)
          .add("label", DataTypes.DoubleType);

  private static Association find(List<Leakage.Association> all, String feature) {
    Leakage.Association a =
        all.stream().filter(x -> x.feature().equals(feature)).findFirst().orElseThrow();
    return new Association(a.auc(), a.rows());
  }

  private record Association(double auc, long rows) {}

  @Test
  void aucCountsTiesAsHalfAndCategoriesAreScoredOnHeldOutRows() {
    // x: positives at 2 and 3, negatives at 1 and 2 → pairs 1 + ½ + 1 + 1 of 4 = 0.875
    List<Row> train =
        List.of(
            RowFactory.create(1.0, "a", "no", 0.0),
            RowFactory.create(2.0, "b", "no", 0.0),
            RowFactory.create(2.0, "c", "yes", 1.0),
            RowFactory.create(3.0, "d", "yes", 1.0),
            RowFactory.create(null, "e", "yes", 1.0));
    List<Row> held =
        List.of(
            RowFactory.create(5.0, "f", "no", 0.0),
            RowFactory.create(5.0, "g", "yes", 1.0),
            RowFactory.create(5.0, "h", "yes", 1.0),
            RowFactory.create(5.0, null, "no", 0.0));
    Dataset<Row> t = TestSpark.session().createDataFrame(train, SCHEMA);
    Dataset<Row> h = TestSpark.session().createDataFrame(held, SCHEMA);
    List<Leakage.Association> all =
        Leakage.measure(t, h, "label", List.of("x"), List.of("id", "copy"));
    assertThat(find(all, "x")).isEqualTo(new Association(0.875, 4)); // the null x is left out
    // the label under another name: its value's training rate ranks every held-out row right
    assertThat(find(all, "copy")).isEqualTo(new Association(1.0, 4));
    // unique per row: no held-out value was seen in training, all get the base rate, AUC ½
    assertThat(find(all, "id")).isEqualTo(new Association(0.5, 4));
    assertThat(all.get(0).feature()).isEqualTo("copy");
    // a reversed feature separates just as well: strength is max(AUC, 1 − AUC)
    List<Row> reversed =
        List.of(RowFactory.create(3.0, "a", "no", 0.0), RowFactory.create(1.0, "b", "yes", 1.0));
    Leakage.Association r =
        Leakage.measure(
                TestSpark.session().createDataFrame(reversed, SCHEMA),
                TestSpark.session().createDataFrame(reversed, SCHEMA),
                "label",
                List.of("x"),
                List.of())
            .get(0);
    assertThat(r.auc()).isEqualTo(0.0);
    assertThat(r.strength()).isEqualTo(1.0);
    // an unseen value's base rate is over every training value, not only those held out: a (rate
    // 1), b (½) and c (0) give 3/8, which ranks the unseen positive z below the negative b (AUC
    // 0); a base over b alone (½) would tie them (AUC ½)
    List<Row> rated =
        List.of(
            RowFactory.create(0.0, "a", "-", 1.0),
            RowFactory.create(0.0, "a", "-", 1.0),
            RowFactory.create(0.0, "b", "-", 1.0),
            RowFactory.create(0.0, "b", "-", 0.0),
            RowFactory.create(0.0, "c", "-", 0.0),
            RowFactory.create(0.0, "c", "-", 0.0),
            RowFactory.create(0.0, "c", "-", 0.0),
            RowFactory.create(0.0, "c", "-", 0.0));
    List<Row> unseen =
        List.of(RowFactory.create(0.0, "b", "-", 0.0), RowFactory.create(0.0, "z", "-", 1.0));
    assertThat(
            find(
                Leakage.measure(
                    TestSpark.session().createDataFrame(rated, SCHEMA),
                    TestSpark.session().createDataFrame(unseen, SCHEMA),
                    "label",
                    List.of(),
                    List.of("id")),
                "id"))
        .isEqualTo(new Association(0.0, 2));
  }

  private static final String CONF =
      """
      dataset {
        schema = [ { name = id, type = int }, { name = x, type = double }, { name = decision, type = string }, { name = y, type = string } ]
        key = [id]
        label { column = y, positive = "yes" }
        features { numeric = [x], categorical = [decision] }
        tune { folds = 2, algorithms = [ { type = logistic-regression, grid { regParam = [0.0], maxIter = [20] } } ] }
      }
      """;

  /** y follows x loosely; 'decision' is y recorded after the fact under another name. */
  private static String csv() {
    Random r = new Random(11);
    StringBuilder sb = new StringBuilder("id,x,decision,y\n");
    for (int i = 0; i < 400; i++) {
      double x = Math.round(r.nextDouble() * 1000) / 1000.0;
      boolean yes = r.nextDouble() < (x > 0.5 ? 0.7 : 0.3);
      sb.append(i)
          .append(',')
          .append(x)
          .append(',')
          .append(yes ? "approved" : "denied")
          .append(',')
          .append(yes ? "yes" : "no")
          .append('\n');
    }
    return sb.toString();
  }

  @Test
  void aPlantedCopyOfTheLabelFailsPrepareByNameAndWarnedThroughItsModelIsSuspectNotPromoted() {
    TestProject p = TestProject.create("leak").dataset("leaky", CONF);
    p.land("leaky", "leaky.csv", csv());
    p.run("ingest", "--dataset", "leaky").expectExit(0);
    p.run("etl", "--dataset", "leaky").expectExit(0);
    TestProject.Result failed = p.run("prepare", "--dataset", "leaky").expectExit(1);
    String message = failed.summary().get("message").toString();
    assertThat(message)
        .contains("leakage guard")
        .contains("decision (categorical, AUC 1.0000 on 79 validation rows)")
        .contains("dataset.prepare.leakage.action = warn")
        .doesNotContain("x (numeric");
    assertThat(java.nio.file.Files.exists(p.lake().resolve("gold/leaky")))
        .as("no gold version written")
        .isFalse();

    String[] warn = {"--set", "dataset.prepare.leakage.action=warn"};
    TestProject.Result prepared =
        p.run("prepare", "--dataset", "leaky", warn[0], warn[1]).expectExit(0);
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> association =
        (List<Map<String, Object>>) prepared.metrics().get("labelAssociation");
    assertThat(association.get(0))
        .containsEntry("feature", "decision")
        .containsEntry("auc", 1.0)
        .containsEntry("leak", true);
    assertThat(association.get(1)).containsEntry("feature", "x").containsEntry("leak", false);
    double auc = ((Number) association.get(1).get("auc")).doubleValue();
    assertThat(auc).isBetween(0.6, 0.8);
    // the strength reads the same for an inverse association
    assertThat(((Number) association.get(1).get("strength")).doubleValue())
        .isEqualTo(Math.max(auc, 1 - auc), org.assertj.core.data.Offset.offset(1e-6));

    // the model learns the copy: validation AUC 1.0 → registered suspect, and the nightly's promote
    // leaves it
    TestProject.Result tuned = p.run("tune", "--dataset", "leaky", warn[0], warn[1]).expectExit(0);
    assertThat(tuned.status()).isEqualTo("SUCCEEDED");
    assertThat(
            p.sql(
                    "SELECT validation_metrics['areaUnderROC'] AS auc, status, status_reason FROM _system.models")
                .get(0))
        .containsEntry("auc", 1.0)
        .containsEntry("status", "suspect")
        .hasEntrySatisfying(
            "status_reason",
            reason -> assertThat(reason.toString()).contains("validation areaUnderROC is 1.0"));
    TestProject.Result promote =
        p.run("promote", "--dataset", "leaky", warn[0], warn[1]).expectExit(0);
    assertThat(promote.status()).isEqualTo("SKIPPED");
    assertThat(promote.summary().get("message").toString()).contains("is suspect");
  }
}
