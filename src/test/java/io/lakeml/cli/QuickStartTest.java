package io.lakeml.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakeml.core.SparkSessions;
import io.lakeml.testing.TestProject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The "done when", through the real CLI on the shipped datasets and their landing samples.
 */
class QuickStartTest {
  private static final Map<String, Integer> SHIPPED =
      Map.of("credit_data", 4454, "telco_churn", 7043, "contract_churn", 3168);

  @Test
  void ingestEtlAndSqlOnEveryShippedDatasetAreIdempotent() {
    TestProject p = TestProject.create("quickstart");
    for (Map.Entry<String, Integer> e : SHIPPED.entrySet()) {
      String ds = e.getKey();
      p.withShippedLanding(ds);
      TestProject.Result ingest = p.run("ingest", "--dataset", ds).expectExit(0);
      assertThat(ingest.metric("rowsBronze")).as(ds).isEqualTo(e.getValue().longValue());
      assertThat(ingest.metric("rowsQuarantined")).as(ds).isZero();
      p.run("etl", "--dataset", ds).expectExit(0);
      assertThat(p.sql("select count(*) as n from silver." + ds))
          .containsExactly(Map.of("n", e.getValue()));
      TestProject.Result prepare = p.run("prepare", "--dataset", ds).expectExit(0);
      assertThat(prepare.metric("rowsIn")).as(ds).isEqualTo(e.getValue().longValue());
      // the leakage guard scored every feature; no shipped feature gives the label away
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> association =
          (List<Map<String, Object>>) prepare.metrics().get("labelAssociation");
      assertThat(association)
          .as(ds)
          .hasSize(5)
          .allSatisfy(a -> assertThat(a).containsEntry("leak", false));
      assertThat(p.sql("select split, count(*) as n from gold." + ds + " group by split"))
          .as(ds)
          .allSatisfy(
              row ->
                  assertThat(((Number) row.get("n")).doubleValue() / e.getValue())
                      .isCloseTo(
                          row.get("split").equals("train") ? 0.6 : 0.2,
                          org.assertj.core.api.Assertions.within(0.03)));
      // all again: nothing changes
      assertThat(p.run("ingest", "--dataset", ds).expectExit(0).status()).isEqualTo("SKIPPED");
      assertThat(p.run("etl", "--dataset", ds).expectExit(0).status()).isEqualTo("SKIPPED");
      assertThat(p.run("prepare", "--dataset", ds).expectExit(0).status()).isEqualTo("SKIPPED");
      assertThat(p.sql("select count(*) as n from silver." + ds))
          .containsExactly(Map.of("n", e.getValue()));
    }
    // (titanic, the quick-start dataset, goes through the whole nightly in the next test)
    assertThat(p.sql("select count(*) as n from _system.runs where status = 'SUCCEEDED'").get(0))
        .containsEntry("n", 9);
  }

  @Test
  void nightlyPrintsEachStageAndANightlySummaryLast() {
    TestProject p = TestProject.create("nightly").withShippedLanding("titanic");
    TestProject.Result r =
        p.run("nightly", "--in-process", "--dataset", "titanic", "--run-date", "2026-11-20")
            .expectExit(0);
    // typed silver: titanic ages are doubles with 263 missing
    assertThat(
            p.sql(
                    "select count(*) as n, count(age) as aged, round(avg(age), 2) as mean from silver.titanic")
                .get(0))
        .isEqualTo(Map.of("n", 1309, "aged", 1046, "mean", 29.88));
    List<String> lines = r.lines();
    assertThat(lines).hasSize(11);
    assertThat(lines.get(0)).contains("\"job\":\"ingest\"");
    assertThat(lines.get(1)).contains("\"job\":\"etl\"");
    assertThat(lines.get(2)).contains("\"job\":\"prepare\"");
    assertThat(lines.get(3)).contains("\"job\":\"bias-pre\"");
    assertThat(lines.get(4)).contains("\"job\":\"tune\"").contains("\"version\":1");
    assertThat(lines.get(5)).contains("\"job\":\"bias-post\"");
    assertThat(lines.get(6)).contains("\"job\":\"promote\"").contains("\"promoted\":true");
    assertThat(lines.get(7)).contains("\"job\":\"score\"").contains("\"rowsScored\":1309");
    assertThat(lines.get(9)).contains("\"job\":\"report\"").contains("\"status\":\"SUCCEEDED\"");
    Map<String, Object> last = r.summary();
    assertThat(last)
        .containsEntry("job", "nightly")
        .containsEntry("status", "SUCCEEDED")
        .containsEntry("runDate", "2026-11-20");
    assertThat(p.sql("select run_date, job, tables_written from _system.runs order by started_at"))
        .extracting(m -> m.get("job"), m -> m.get("run_date"))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("ingest", "2026-11-20"),
            org.assertj.core.groups.Tuple.tuple("etl", "2026-11-20"),
            org.assertj.core.groups.Tuple.tuple("prepare", "2026-11-20"),
            org.assertj.core.groups.Tuple.tuple("bias-pre", "2026-11-20"),
            org.assertj.core.groups.Tuple.tuple("tune", "2026-11-20"),
            org.assertj.core.groups.Tuple.tuple("bias-post", "2026-11-20"),
            org.assertj.core.groups.Tuple.tuple("promote", "2026-11-20"),
            org.assertj.core.groups.Tuple.tuple("score", "2026-11-20"),
            org.assertj.core.groups.Tuple.tuple("monitor", "2026-11-20"),
            org.assertj.core.groups.Tuple.tuple("report", "2026-11-20"));
    // the report reads the _system tables without Spark: every one of them, as the nightly left it,
    // reads the same both ways
    Map<String, Integer> systemRows = new java.util.TreeMap<>();
    try (var tables = java.nio.file.Files.list(p.lake().resolve("_system"))) {
      for (java.nio.file.Path t : tables.toList()) {
        if (java.nio.file.Files.isDirectory(t.resolve("_delta_log"))) {
          systemRows.put(
              t.getFileName().toString(),
              io.lakeml.core.SmallTablesTest.sameAsSpark(
                  io.lakeml.testing.TestSpark.session(),
                  t.toString(),
                  java.util.OptionalLong.empty(),
                  "titanic"));
        }
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    assertThat(systemRows)
        .containsEntry("runs", 10)
        .containsEntry("models", 1)
        .containsEntry("quality", 5)
        .containsKeys("profile", "trials", "bias", "champions", "monitor");
    // the registry's rows read without Spark are the rows Spark reads (timestamps to the
    // millisecond)
    String registry = p.lake().resolve("_system/models").toString();
    var viaSpark =
        io.lakeml.tables.ModelsTable.ModelVersion.fromRow(
            io.lakeml.testing.TestSpark.session().read().format("delta").load(registry).first());
    var viaKernel =
        io.lakeml.tables.ModelsTable.ModelVersion.fromJson(
            io.lakeml.core.SmallTables.of(io.lakeml.testing.TestSpark.session())
                .rows(
                    registry,
                    java.util.OptionalLong.empty(),
                    "titanic",
                    io.lakeml.tables.ModelsTable.ModelVersion.COLUMNS)
                .get(0));
    assertThat(viaKernel)
        .usingRecursiveComparison()
        .ignoringFields("createdAt")
        .isEqualTo(viaSpark);
    assertThat(viaKernel.createdAt().getTime()).isEqualTo(viaSpark.createdAt().getTime());
    assertThat(p.sql("select count(*) as n from gold.titanic").get(0)).containsEntry("n", 1309);
    assertThat(p.sql("select count(*) as n from _system.profile where scope = 'all'").get(0))
        .containsEntry("n", 5);
    assertThat(p.sql("select count(*) as n from _system.quality").get(0)).containsEntry("n", 5);
    // the quick start's model: titanic survival is well predicted from sex, class and age
    Map<String, Object> model =
        p.sql(
                "select test_metrics['areaUnderROC'] as auc, test_rows from _system.models where version = 1")
            .get(0);
    assertThat(((Number) model.get("auc")).doubleValue()).isBetween(0.75, 0.95);
    assertThat(model).containsEntry("test_rows", 262);
    // pre-training DI of survival by sex (privileged: female) is exactly the ratio in the shipped
    // CSV
    // counted straight from the file (RFC 4180 fields; the sample has no embedded newlines or
    // quotes)
    long[] n = new long[4]; // male, male survived, female, female survived
    try {
      List<String> csv =
          java.nio.file.Files.readAllLines(
              TestProject.projectDir().resolve("data-lake/landing/titanic/titanic.csv"));
      for (String line : csv.subList(1, csv.size())) {
        String[] f = line.split(",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)");
        int g = f[2].equals("\"male\"") ? 0 : 2;
        n[g]++;
        n[g + 1] += f[1].equals("\"yes\"") ? 1 : 0;
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    assertThat(n[0] + n[2]).isEqualTo(1309);
    double expectedDi = ((double) n[1] / n[0]) / ((double) n[3] / n[2]);
    Map<String, Object> di =
        p.sql(
                "select value from _system.bias where stage = 'pre' and variant = 'data' and attribute = 'sex' "
                    + "and `group` = 'unprivileged vs privileged' and metric = 'di'")
            .get(0);
    assertThat(((Number) di.get("value")).doubleValue())
        .isCloseTo(expectedDi, org.assertj.core.api.Assertions.within(1e-12))
        .isCloseTo(0.263, org.assertj.core.api.Assertions.within(0.001));
    // the gate's decision is on the model version (titanic's policy warns), and judges the labels
    // too:
    // men survived at 0.263 times the women's rate, a finding of its own, in the report's header as
    // well
    Map<String, Object> gate =
        p.sql("select bias_gate, bias_reason from _system.models where version = 1").get(0);
    assertThat(gate.get("bias_gate")).isEqualTo("warned");
    assertThat((String) gate.get("bias_reason"))
        .contains("data (gold's labels, before training): sex DI 0.263 outside [0.8, 1.25]");
    assertThat(read(p.lake().resolve("reports/titanic/2026-11-20/index.html")))
        .contains("the data's labels are outside the policy too");
    TestProject.Result models = p.run("models", "--dataset", "titanic").expectExit(0);
    assertThat(models.stdout()).contains("v1").contains("champion").contains("areaUnderROC");
    checkReport(p, r, "2026-11-20");

    // the next night brings a new landing file (100 new passengers): only that file is ingested,
    // tune retrains because gold changed, and predictions keep both dates with their model versions
    try {
      List<String> csv =
          java.nio.file.Files.readAllLines(
              TestProject.projectDir().resolve("data-lake/landing/titanic/titanic.csv"));
      StringBuilder next = new StringBuilder(csv.get(0)).append('\n');
      for (String line : csv.subList(1, 101)) {
        next.append(line.replaceFirst("^\"", "\"Booked 2026-11-21: ")).append('\n');
      }
      p.land("titanic", "titanic-2026-11-21.csv", next.toString());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    TestProject.Result day2 =
        p.run("nightly", "--in-process", "--dataset", "titanic", "--run-date", "2026-11-21")
            .expectExit(0);
    Map<?, ?> ingested = (Map<?, ?>) day2.summaryOf("ingest").get("metrics");
    assertThat(ingested.get("files")).isEqualTo(1);
    assertThat(ingested.get("rowsBronze")).isEqualTo(100);
    Map<?, ?> tuned = (Map<?, ?>) day2.summaryOf("tune").get("metrics");
    assertThat(tuned.get("version")).isEqualTo(2);
    assertThat((String) tuned.get("trainedBecause")).startsWith("new inputs");
    int champion =
        ((Number) ((Map<?, ?>) day2.summaryOf("score").get("metrics")).get("version")).intValue();
    assertThat(
            p.sql(
                "select run_date, model_version, count(*) as n from predictions.titanic group by 1, 2 order by 1"))
        .containsExactly(
            Map.of("run_date", "2026-11-20", "model_version", 1, "n", 1309),
            Map.of("run_date", "2026-11-21", "model_version", champion, "n", 1409));
    assertThat(p.sql("select version from _system.models where status = 'champion'").get(0))
        .containsEntry("version", champion);
    checkReport(p, day2, "2026-11-21");

    // the report is rebuilt from the tables alone (no stage reruns), and skips when nothing changed
    assertThat(
            p.run("report", "--dataset", "titanic", "--run-date", "2026-11-21")
                .expectExit(0)
                .status())
        .isEqualTo("SKIPPED");
    Path page = p.lake().resolve("reports/titanic/2026-11-21/index.html");
    String before = read(page);
    deleteQuietly(page);
    TestProject.Result again =
        p.run("report", "--dataset", "titanic", "--run-date", "2026-11-21").expectExit(0);
    assertThat(again.status()).isEqualTo("SUCCEEDED");
    assertThat(again.lines()).hasSize(1);
    // the same page but for the time it was generated
    assertThat(read(page).replaceAll("Generated [^ ]+", ""))
        .isEqualTo(before.replaceAll("Generated [^ ]+", ""));
  }

  /**
   * The nightly's report: where the README says, every section there, the charts' numbers exactly
   * those of the tables; in headless Chromium (when installed) without script errors, with a
   * screenshot under target/report-screenshots/.
   */
  private static void checkReport(TestProject p, TestProject.Result night, String date) {
    Map<?, ?> metrics = (Map<?, ?>) night.summaryOf("report").get("metrics");
    Path page = p.lake().resolve("reports/titanic/" + date + "/index.html");
    assertThat(java.net.URI.create((String) metrics.get("report"))).isEqualTo(page.toUri());
    String html = read(page);
    for (String id :
        List.of(
            "overview",
            "quality",
            "profile",
            "splits",
            "bias",
            "tuning",
            "model",
            "champions",
            "monitoring")) {
      assertThat(html).contains("<section id=\"" + id + "\"><h2>");
    }
    // every stage of the night in the overview
    for (String job :
        List.of(
            "ingest",
            "etl",
            "prepare",
            "bias-pre",
            "tune",
            "bias-post",
            "promote",
            "score",
            "monitor")) {
      assertThat(html).contains("<td><strong>" + job + "</strong></td>");
    }
    // split sizes and label rates: the chart's numbers are gold's (shown in the numbers-behind
    // table and as bar values)
    for (Map<String, Object> split :
        p.sql("select split, count(*) as n from gold.titanic group by split")) {
      assertThat(html)
          .contains("<rect class=\"bar\" x=\"160.0\"")
          .contains("data-value=\"" + split.get("n") + "\"><title>" + split.get("split") + ": ");
    }
    if (date.equals("2026-11-20")) {
      assertThat(html)
          .contains("<td>train</td><td>785</td>")
          .contains("<td>validation</td><td>262</td>")
          .contains("<td>test</td><td>262</td>");
    }
    // the trials of the report's model version
    Map<String, Object> model =
        p.sql(
                "select version, run_id, trials, validation_rows from _system.models where run_date <= DATE'"
                    + date
                    + "' order by version desc limit 1")
            .get(0);
    long trials =
        ((Number)
                p.sql(
                        "select count(*) as n from _system.trials where run_id = '"
                            + model.get("run_id")
                            + "'")
                    .get(0)
                    .get("n"))
            .longValue();
    assertThat(trials).isEqualTo(((Number) model.get("trials")).longValue());
    assertThat(html)
        .contains(", " + trials + " trials, ")
        .contains(
            "<div class=\"card-title\">Model</div><div class=\"card-value\">v"
                + model.get("version")
                + "</div>");
    // the champion card shows the current champion, the history table every change
    Object champion =
        p.sql("select version from _system.models where status = 'champion'").get(0).get("version");
    long changes =
        ((Number) p.sql("select count(*) as n from _system.champions").get(0).get("n")).longValue();
    assertThat(html)
        .contains(
            "<div class=\"card-title\">Champion</div><div class=\"card-value\">v"
                + champion
                + "</div>")
        .contains(
            "Current champion: <strong>v" + champion + "</strong> (" + changes + " change(s))");
    // PSI per feature: the value in the page is the monitor table's, to the four digits shown
    for (Map<String, Object> psi :
        p.sql(
            "select name, value from _system.monitor where run_date = DATE'"
                + date
                + "' and kind = 'feature'")) {
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile(
                  "<td>feature</td><td>" + psi.get("name") + "</td><td>([-0-9.E]+)</td>")
              .matcher(html);
      assertThat(m.find()).as("PSI of %s in the report", psi.get("name")).isTrue();
      double expected = ((Number) psi.get("value")).doubleValue();
      assertThat(Double.parseDouble(m.group(1)))
          .isCloseTo(
              expected,
              org.assertj.core.api.Assertions.within(5e-4 * Math.max(1e-3, Math.abs(expected))));
    }
    // the model's curves and importances were recorded by tune and drawn
    Map<String, Object> stored =
        p.sql(
                "select importance_kind as kind, size(feature_importance) as features, size(roc_curve) as roc, size(pr_curve) as pr "
                    + "from _system.models where version = "
                    + model.get("version"))
            .get(0);
    assertThat(((Number) stored.get("roc")).intValue()).isBetween(3, 100);
    assertThat(((Number) stored.get("pr")).intValue()).isBetween(3, 100);
    assertThat(((Number) stored.get("features")).intValue()).isPositive();
    assertThat(html)
        .contains("ROC curve (test split), AUC")
        .contains("Precision-recall curve (test split)")
        .contains(
            stored.get("kind").equals("coefficient")
                ? "Coefficients (scaled features)"
                : "Feature importances")
        .doesNotContain("Not recorded for this model version")
        // in the dataset's own names: slots "sex = male", and summed per input column
        .contains(
            stored.get("kind").equals("coefficient")
                ? "Per input column: |coefficients| summed"
                : "Feature importance per input column")
        .contains("<td>sex = male</td>")
        .contains("<td>passengerClass</td>")
        .doesNotContain("__ohe_")
        .doesNotContain("__numeric_scaled");
    assertThat(
            p.sql(
                    "select transform(column_importance, c -> c.feature) as cols from _system.models where version = "
                        + model.get("version"))
                .get(0)
                .get("cols"))
        .asList()
        .containsExactlyInAnyOrder("sex", "passengerClass", "age");
    // permutation importance of whichever model won, on validation, by the dataset's columns; sex
    // decides survival on titanic more than anything else
    Map<String, Object> permuted =
        p.sql(
                "select permutation_metric as metric, permutation_rows as n, transform(permutation_importance, c -> c.feature) as cols, "
                    + "permutation_importance[0].value as top from _system.models where version = "
                    + model.get("version"))
            .get(0);
    assertThat(permuted.get("metric")).isEqualTo("areaUnderROC");
    assertThat(((Number) permuted.get("n")).longValue())
        .isEqualTo(((Number) model.get("validation_rows")).longValue());
    assertThat(permuted.get("cols"))
        .asList()
        .containsExactlyInAnyOrder("sex", "passengerClass", "age")
        .first()
        .isEqualTo("sex");
    assertThat(((Number) permuted.get("top")).doubleValue()).isGreaterThan(0.1);
    assertThat(html)
        .contains(
            "Permutation importance: drop in validation areaUnderROC when the column is shuffled");
    if (io.lakeml.testing.Chromium.binary().isPresent()) {
      String dom = io.lakeml.testing.Chromium.dumpDom(page);
      assertThat(dom).contains("data-report-ok=\"true\"").contains("page check: all 9 sections");
      Path shots = TestProject.projectDir().resolve("target/report-screenshots");
      try {
        java.nio.file.Files.createDirectories(shots);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      io.lakeml.testing.Chromium.screenshot(page, shots.resolve("titanic-" + date + ".png"), 7000);
    }
  }

  private static String read(Path file) {
    try {
      return java.nio.file.Files.readString(file);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      java.nio.file.Files.delete(file);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void summaryHasTheDocumentedShape() {
    TestProject p = TestProject.create("shape").withShippedLanding("titanic");
    Map<String, Object> s =
        p.run("ingest", "--dataset", "titanic", "--run-date", "2026-11-21").expectExit(0).summary();
    assertThat(s.keySet())
        .containsExactly(
            "job",
            "dataset",
            "runDate",
            "status",
            "runId",
            "applicationId",
            "durationMs",
            "metrics",
            "tables",
            "inputs",
            "timings");
    @SuppressWarnings("unchecked")
    Map<String, Number> timings = (Map<String, Number>) s.get("timings");
    assertThat(timings.keySet())
        .containsExactly(
            "jvmUptimeMs", "sessionMs", "ledgerMs", "sparkJobs", "smallInput", "wideInput");
    // in the test JVM the session already exists (sessionMs may be 0); the ledger write never is
    // free
    assertThat(timings.get("jvmUptimeMs").longValue()).isPositive();
    assertThat(timings.get("sessionMs").longValue()).isNotNegative();
    assertThat(timings.get("ledgerMs").longValue()).isPositive();
    // ingest's streaming batch and the ledger's append are Spark jobs; titanic's 1,309 rows are
    // under spark.small-input's default bound
    assertThat(timings.get("sparkJobs").longValue()).isGreaterThanOrEqualTo(2);
    assertThat(((Map<?, ?>) s.get("timings")).get("smallInput")).isEqualTo(true);
    assertThat(((Map<?, ?>) s.get("timings")).get("wideInput"))
        .as("titanic declares 12 columns")
        .isEqualTo(false);
    assertThat(s)
        .containsEntry("job", "ingest")
        .containsEntry("dataset", "titanic")
        .containsEntry("runDate", "2026-11-21");
    assertThat(s.get("tables")).isEqualTo(Map.of("bronze.titanic", Map.of("version", 0)));
    assertThat(
            p.sql("select run_id, config_hash, lakeml_version, tables_written from _system.runs")
                .get(0))
        .containsEntry("run_id", s.get("runId"))
        .containsEntry("lakeml_version", "0.1.0-SNAPSHOT")
        .containsEntry("tables_written", Map.of("bronze.titanic", 0));
  }

  @Test
  void configurationErrorsExitWith2BeforeAnySparkSessionIsRequested() {
    TestProject p =
        TestProject.create("badconf")
            .dataset(
                "bad",
                """
        dataset {
          schema = [ { name = id, type = string } ]
          validation.rules = [ { id = r1, check = not-null, column = idd, action = fail } ]
        }
        """);
    int before = SparkSessions.requests(p.dir());
    TestProject.Result r = p.run("ingest", "--dataset", "bad").expectExit(2);
    assertThat(SparkSessions.requests(p.dir())).isEqualTo(before);
    assertThat(r.stderr())
        .contains("'dataset.validation.rules[0].column'")
        .contains("bad.conf: 3")
        .contains("did you mean 'id'?");
    assertThat(r.summary()).containsEntry("status", "FAILED").containsEntry("exitCode", 2);
    // the nightly validates every stage first and says it once, not "Configuration error:
    // Configuration error: …"
    TestProject.Result n =
        p.run("nightly", "--dataset", "titanic", "--set", "spark.event-log=true").expectExit(2);
    assertThat(n.summary().get("message").toString())
        .startsWith("Configuration error: unknown key 'spark.event-log'")
        .doesNotContain("error: Configuration error");

    assertThat(
            p.run("ingest", "--dataset", "titanic", "--run-date", "25/11/2026")
                .expectExit(2)
                .stderr())
        .contains("--run-date '25/11/2026' is not a date");
    assertThat(p.run("ingest").expectExit(2).stderr())
        .contains("Missing required option: '--dataset=<dataset>'");
    assertThat(p.run("frobnicate").expectExit(2).stderr()).contains("Unmatched argument");
    assertThat(SparkSessions.requests(p.dir())).isEqualTo(before);
  }

  @Test
  void helpListsEveryCommand() {
    TestProject.Result r = TestProject.create("help").run("--help").expectExit(0);
    assertThat(r.stderr())
        .contains("ingest")
        .contains("etl")
        .contains("prepare")
        .contains("nightly")
        .contains("sql");
  }

  @Test
  void sqlReportsABadQueryWithExit1() {
    TestProject p = TestProject.create("badsql");
    TestProject.Result r = p.run("sql", "select * from silver.nothing_here").expectExit(1);
    assertThat(r.stderr()).contains("Query failed").contains("nothing_here");
  }
}
