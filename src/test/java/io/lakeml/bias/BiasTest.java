package io.lakeml.bias;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.lakeml.testing.TestProject;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The bias stage through the real CLI: the gate blocks a biased model, passes a fair one;
 * reweighing.
 */
class BiasTest {
  private static final String CONF =
      """
      dataset {
        source { format = csv, mode = snapshot }
        schema = [ { name = id, type = int }, { name = grp, type = string }, { name = x, type = double }, { name = y, type = string } ]
        key = [id]
        label { column = y, positive = "yes" }
        sensitive = [ { column = grp, privileged = ["a"] } ]
        features { numeric = [x], categorical = [%s] }
        prepare.split.stratify-by = [y, grp]
        bias { bootstrap = 50, policy { action = block } }
        tune { folds = 2, algorithms = [ { type = logistic-regression, grid { regParam = [0.0], maxIter = [30] } } ] }
      }
      """;

  /** Group a gets "yes" 80% of the time, group b 20%; x is noise. */
  private static String biased() {
    Random r = new Random(11);
    StringBuilder sb = new StringBuilder("id,grp,x,y\n");
    for (int i = 0; i < 600; i++) {
      boolean a = i % 2 == 0;
      boolean yes = r.nextDouble() < (a ? 0.8 : 0.2);
      sb.append(i)
          .append(',')
          .append(a ? "a" : "b")
          .append(',')
          .append(Math.round(r.nextDouble() * 1000) / 1000.0)
          .append(',')
          .append(yes ? "yes" : "no")
          .append('\n');
    }
    return sb.toString();
  }

  /**
   * y = x > 0.5 for both groups alike, but for every tenth x (flipped in both groups): every x
   * appears once in each group. (Without the flips x alone would decide y, which the leakage guard
   * refuses.)
   */
  private static String fair() {
    StringBuilder sb = new StringBuilder("id,grp,x,y\n");
    for (int i = 0; i < 1000; i++) {
      double x = (i / 2) / 500.0;
      boolean yes = (x > 0.5) != ((i / 2) % 10 == 0);
      sb.append(i)
          .append(',')
          .append(i % 2 == 0 ? "a" : "b")
          .append(',')
          .append(x)
          .append(',')
          .append(yes ? "yes" : "no")
          .append('\n');
    }
    return sb.toString();
  }

  @Test
  void gateBlocksTheBiasedModelAndReweighingEqualisesTheTrainingData() {
    TestProject p = TestProject.create("bias").dataset("loans", CONF.formatted("grp"));
    p.land("loans", "loans.csv", biased());
    TestProject.Result night =
        p.run("nightly", "--in-process", "--dataset", "loans", "--until", "bias-post")
            .expectExit(0);
    assertThat(night.stdout()).contains("\"job\":\"bias-pre\"").contains("\"job\":\"bias-post\"");
    Map<String, Object> post = night.summaryOf("bias-post");
    @SuppressWarnings("unchecked")
    Map<String, Object> metrics = (Map<String, Object>) post.get("metrics");
    assertThat(metrics).containsEntry("gate", "blocked");
    assertThat((String) metrics.get("gateReason"))
        .contains("grp DI")
        .contains("outside [0.8, 1.25]")
        // the labels themselves are outside the policy: a finding of its own, with the remedy named
        .contains("data (gold's labels, before training): grp DI")
        .contains("dataset.bias.reweigh = true");
    Map<?, ?> pre = (Map<?, ?>) night.summaryOf("bias-pre").get("metrics");
    assertThat(pre.get("dataGate")).isEqualTo("blocked");
    assertThat((String) pre.get("dataGateReason"))
        .startsWith("grp DI 0.")
        .contains("outside [0.8, 1.25]");

    Map<String, Object> model =
        p.sql("SELECT status, bias_gate, bias_reason FROM _system.models WHERE version = 1").get(0);
    assertThat(model).containsEntry("status", "blocked").containsEntry("bias_gate", "blocked");
    // pre-training DI of the data from the table equals the ratio counted here
    String csv = biased();
    long aYes = csv.lines().filter(l -> l.contains(",a,") && l.endsWith(",yes")).count();
    long bYes = csv.lines().filter(l -> l.contains(",b,") && l.endsWith(",yes")).count();
    double expected = (bYes / 300.0) / (aYes / 300.0);
    Map<String, Object> di =
        p.sql(
                "SELECT value FROM _system.bias WHERE stage = 'pre' AND variant = 'data' AND attribute = 'grp' "
                    + "AND `group` = 'unprivileged vs privileged' AND metric = 'di'")
            .get(0);
    assertThat(((Number) di.get("value")).doubleValue()).isCloseTo(expected, within(1e-12));
    // bootstrap interval around the post-training DI
    Map<String, Object> postDi =
        p.sql(
                "SELECT value, ci_low, ci_high FROM _system.bias WHERE stage = 'post' AND attribute = 'grp' "
                    + "AND `group` = 'unprivileged vs privileged' AND metric = 'di'")
            .get(0);
    double v = ((Number) postDi.get("value")).doubleValue();
    assertThat(((Number) postDi.get("ci_low")).doubleValue()).isLessThanOrEqualTo(v);
    assertThat(((Number) postDi.get("ci_high")).doubleValue()).isGreaterThanOrEqualTo(v);

    // rerun: nothing new to measure
    assertThat(p.run("bias", "--dataset", "loans").expectExit(0).lines())
        .allMatch(l -> l.contains("SKIPPED"));

    // reweighing: a new gold version whose weighted training split has DI exactly 1, and plain vs
    // reweighed side by side
    TestProject.Result rw =
        p.run(
                "nightly",
                "--in-process",
                "--dataset",
                "loans",
                "--until",
                "bias-post",
                "--set",
                "dataset.bias.reweigh=true")
            .expectExit(0);
    assertThat(rw.stdout()).contains("\"reweighing\"");
    Map<String, Object> weighted =
        p.sql(
                "SELECT value FROM _system.bias WHERE stage = 'pre' AND variant = 'reweighed' AND attribute = 'grp' "
                    + "AND `group` = 'unprivileged vs privileged' AND metric = 'di'")
            .get(0);
    assertThat(((Number) weighted.get("value")).doubleValue()).isCloseTo(1.0, within(1e-6));
    List<Map<String, Object>> sideBySide =
        p.sql(
            "SELECT variant, value FROM _system.bias WHERE stage = 'post' AND model_version = 2 "
                + "AND attribute = 'grp' AND `group` = 'unprivileged vs privileged' AND metric = 'di' ORDER BY variant");
    assertThat(sideBySide).extracting(m -> m.get("variant")).containsExactly("model", "plain");
    double reweighedDi = ((Number) sideBySide.get(0).get("value")).doubleValue();
    double plainDi = ((Number) sideBySide.get(1).get("value")).doubleValue();
    assertThat(Math.abs(1 - reweighedDi)).isLessThan(Math.abs(1 - plainDi));
    assertThat(
            p.sql(
                    "SELECT count(*) AS n FROM _system.bias WHERE model_version = 2 AND attribute = '(all rows)' AND metric = 'areaUnderROC'")
                .get(0))
        .containsEntry("n", 2);
  }

  @Test
  void gateLetsAFairModelThrough() {
    // also exercises the two algorithms no other test trains: linear SVC and naive Bayes
    TestProject p =
        TestProject.create("bias-fair")
            .dataset(
                "fair",
                CONF.formatted("")
                    .replace(
                        "algorithms = [ { type = logistic-regression, grid { regParam = [0.0], maxIter = [30] } } ]",
                        "algorithms = [ { type = linear-svc, grid { regParam = [0.01], maxIter = [30] } }, { type = naive-bayes, grid { smoothing = [1.0] } } ]"));
    p.land("fair", "fair.csv", fair());
    TestProject.Result night =
        p.run("nightly", "--in-process", "--dataset", "fair", "--until", "bias-post").expectExit(0);
    assertThat(night.stdout()).contains("\"gate\":\"passed\"");
    assertThat(p.sql("SELECT DISTINCT algorithm FROM _system.trials ORDER BY algorithm"))
        .extracting(m -> m.get("algorithm"))
        .containsExactly("linear-svc", "naive-bayes");
    assertThat(p.sql("SELECT status, bias_gate FROM _system.models WHERE version = 1").get(0))
        .containsEntry("status", "candidate")
        .containsEntry("bias_gate", "passed");
  }
}
