package io.lakeml.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakeml.testing.TestHooks;
import io.lakeml.testing.TestProject;
import io.lakeml.testing.TestSpark;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * nightly as the scheduler runs it: every stage its own Spark application, several datasets at
 * once.
 */
class NightlyTest {
  private static final String CONF =
      """
      dataset {
        source { format = csv, schema-drift = fail }
        schema = [ { name = id, type = int }, { name = city, type = string } ]
        key = [id]
      }
      """;

  @Test
  void theStagesConfigurationMayNameAreTheNightlysInItsOrder() {
    // spark.wide-input.stages is checked in config, which may not import cli: the two lists must
    // agree
    assertThat(io.lakeml.config.Settings.WideInput.STAGES).isEqualTo(Nightly.PIPELINE.names());
  }

  @Test
  @SuppressWarnings("unchecked")
  void twoDatasetsRunConcurrentlyAsSeparateApplicationsAndOneFailingDoesNotStopTheOther() {
    TestProject p = TestProject.create("nightly-apps").dataset("alpha", CONF).dataset("beta", CONF);
    p.land("alpha", "day-1.csv", "id,city\n1,Oslo\n2,Rome\n2,Rome\n3,Lima\n");
    // beta's file breaks its declared schema and its policy is fail: beta stops at ingest
    p.land("beta", "day-1.csv", "id,town\n1,Pune\n");

    // one stage each, at once: two child JVMs side by side (the chain's order is NightlyTest's
    // other tests' and DeployTest's)
    TestProject.Result r =
        p.run(
                "nightly",
                "--dataset",
                "alpha,beta",
                "--parallel",
                "2",
                "--separate",
                "--until",
                "ingest",
                "--run-date",
                "2026-11-20")
            .expectExit(1);
    Map<String, Object> all = r.summary();
    assertThat(all)
        .containsEntry("job", "nightly")
        .containsEntry("status", "FAILED")
        .containsEntry("parallel", 2)
        .containsEntry("failed", List.of("beta"))
        .containsEntry("exitCode", 1);
    assertThat((List<Map<String, Object>>) all.get("datasets"))
        .containsExactly(
            Map.of("dataset", "alpha", "status", "SUCCEEDED", "exitCode", 0),
            Map.of("dataset", "beta", "status", "FAILED", "exitCode", 1, "failedStage", "ingest"));

    Map<String, Object> alpha =
        r.lines().stream()
            .filter(l -> l.contains("\"job\":\"nightly\"") && l.contains("\"dataset\":\"alpha\""))
            .map(TestProject::parse)
            .findFirst()
            .orElseThrow();
    assertThat(alpha).containsEntry("launch", "separate").containsEntry("status", "SUCCEEDED");
    assertThat((List<Map<String, Object>>) alpha.get("stages"))
        .extracting(s -> s.get("job") + " " + s.get("status"))
        .containsExactly("ingest SUCCEEDED");
    // the stage's process took its own duration plus the JVM start, the session and the ledger
    for (Map<String, Object> st : (List<Map<String, Object>>) alpha.get("stages")) {
      Map<String, Object> t = (Map<String, Object>) st.get("timings");
      long process = ((Number) st.get("processMs")).longValue();
      long own = ((Number) st.get("durationMs")).longValue();
      long ledger = ((Number) t.get("ledgerMs")).longValue();
      assertThat(process)
          .as(st.get("job") + " process vs stage + ledger")
          .isGreaterThan(own + ledger);
      assertThat(((Number) t.get("jvmUptimeMs")).longValue())
          .isPositive()
          .isLessThan(process - own);
      assertThat(((Number) t.get("sessionMs")).longValue())
          .isPositive()
          .isLessThan(own); // a fresh JVM builds its session
      assertThat(ledger).isPositive();
    }
    // each stage ran in a child JVM's Spark application, none of them this test JVM's. (Local
    // application
    // ids are "local-" + the start's millisecond: two children started together may share one, as
    // happened in CI, so the runs are told apart by run id.)
    List<Map<String, Object>> staged =
        r.lines().stream()
            .filter(l -> l.contains("\"applicationId\""))
            .map(TestProject::parse)
            .toList();
    assertThat(staged).hasSize(2).extracting(s -> s.get("runId")).doesNotHaveDuplicates();
    assertThat(staged)
        .extracting(s -> s.get("applicationId"))
        .doesNotContain(TestSpark.session().sparkContext().applicationId());
    assertThat(p.count("bronze.alpha")).isEqualTo(4);
    assertThat(r.stderr()).contains("[beta] ").contains("unexpected [town]");
  }

  @Test
  @SuppressWarnings("unchecked")
  void aFailedStageStopsTheChainAndTheRerunResumesThereWithoutRedoingFinishedStages() {
    TestProject p = TestProject.create("nightly-resume").dataset("alpha", CONF);
    p.land("alpha", "day-1.csv", "id,city\n1,Oslo\n2,Rome\n");
    TestProject.Result failed;
    try (var hooks = TestHooks.install(p, "alpha", TestHooks.failAtStart("etl"))) {
      failed =
          p.run(
                  "nightly",
                  "--in-process",
                  "--dataset",
                  "alpha",
                  "--until",
                  "etl",
                  "--run-date",
                  "2026-11-20")
              .expectExit(1);
    }
    assertThat(failed.summary())
        .containsEntry("status", "FAILED")
        .containsEntry("failedStage", "etl");
    assertThat((String) failed.summary().get("message"))
        .contains("etl fails on purpose")
        .contains("Rerun the same command to resume");
    TestProject.Result resumed =
        p.run(
                "nightly",
                "--in-process",
                "--dataset",
                "alpha",
                "--until",
                "etl",
                "--run-date",
                "2026-11-20")
            .expectExit(0);
    assertThat((List<Map<String, Object>>) resumed.summary().get("stages"))
        .extracting(s -> s.get("job") + " " + s.get("status"))
        .containsExactly("ingest SKIPPED", "etl SUCCEEDED");
    assertThat(p.count("bronze.alpha")).isEqualTo(2);
    assertThat(p.count("silver.alpha")).isEqualTo(2);
  }

  @Test
  @SuppressWarnings("unchecked")
  void afterAFailedStageTheReportStillRunsAndShowsTheFailure() throws Exception {
    // the whole chain is validated before it starts: tune needs an algorithm even though it will
    // not run
    TestProject p =
        TestProject.create("nightly-report")
            .dataset(
                "alpha",
                CONF.replace(
                    "key = [id]",
                    "key = [id]\n  tune.algorithms = [ { type = logistic-regression, grid { regParam = [0.1] } } ]"));
    p.land("alpha", "day-1.csv", "id,city\n1,Oslo\n2,Rome\n");
    TestProject.Result failed;
    try (var hooks = TestHooks.install(p, "alpha", TestHooks.failAtStart("etl"))) {
      failed =
          p.run("nightly", "--in-process", "--dataset", "alpha", "--run-date", "2026-11-20")
              .expectExit(1);
    }
    assertThat(failed.summary()).containsEntry("failedStage", "etl");
    assertThat((List<Map<String, Object>>) failed.summary().get("stages"))
        .extracting(s -> s.get("job") + " " + s.get("status"))
        .containsExactly("ingest SUCCEEDED", "etl FAILED", "report SUCCEEDED");
    String html =
        java.nio.file.Files.readString(p.lake().resolve("reports/alpha/2026-11-20/index.html"));
    assertThat(html)
        .contains("<td><strong>etl</strong></td><td><span class=\"badge failed\">FAILED</span>")
        .contains("etl fails on purpose")
        // later stages never ran: their sections are there and say so
        .contains(
            "<section id=\"monitoring\"><h2>Monitoring</h2><p class=\"empty\">No monitoring rows for alpha on 2026-11-20 (_system.monitor). monitor did not run on 2026-11-20.");
  }

  @Test
  @SuppressWarnings("unchecked")
  void aRerunOfAFinishedDateSkipsEveryStageWithoutSparkUntilTheLakeChanges() {
    TestProject p = TestProject.create("nightly-unchanged").dataset("alpha", CONF);
    p.land("alpha", "day-1.csv", "id,city\n1,Oslo\n2,Rome\n");
    // local mode's default: one application for the chain
    TestProject.Result first =
        p.run("nightly", "--dataset", "alpha", "--until", "etl", "--run-date", "2026-11-20")
            .expectExit(0);
    assertThat(first.summary()).containsEntry("launch", "in-process");
    assertThat(p.lake().resolve("_system/finished/alpha/2026-11-20.json")).exists();

    int sessions = io.lakeml.core.SparkSessions.requests(p.dir());
    TestProject.Result again =
        p.run("nightly", "--dataset", "alpha", "--until", "etl", "--run-date", "2026-11-20")
            .expectExit(0);
    assertThat((List<Map<String, Object>>) again.summary().get("stages"))
        .extracting(s -> s.get("job") + " " + s.get("status"))
        .containsExactly("ingest SKIPPED", "etl SKIPPED");
    assertThat(again.summaryOf("etl"))
        .containsEntry("metrics", Map.of("decidedWithoutSpark", true));
    assertThat((String) again.summaryOf("etl").get("message"))
        .startsWith("nothing changed since the nightly of 2026-11-20 finished at ");
    assertThat(io.lakeml.core.SparkSessions.requests(p.dir()))
        .as("Spark sessions asked for by the rerun")
        .isEqualTo(sessions);
    // another run date is decided with Spark as before
    TestProject.Result nextDay =
        p.run("etl", "--dataset", "alpha", "--run-date", "2026-11-21").expectExit(0);
    assertThat(nextDay.status()).isEqualTo("SKIPPED");
    assertThat(nextDay.summary().get("metrics")).isNotEqualTo(Map.of("decidedWithoutSpark", true));

    // a new file in the landing folder: the lake changed, so ingest and etl do their work
    p.land("alpha", "day-2.csv", "id,city\n3,Lima\n");
    TestProject.Result changed =
        p.run("nightly", "--dataset", "alpha", "--until", "etl", "--run-date", "2026-11-20")
            .expectExit(0);
    assertThat((List<Map<String, Object>>) changed.summary().get("stages"))
        .extracting(s -> s.get("job") + " " + s.get("status"))
        .containsExactly("ingest SUCCEEDED", "etl SUCCEEDED");
    assertThat(p.count("silver.alpha")).isEqualTo(3);

    // switched off, every stage looks for itself with Spark
    TestProject.Result checked =
        p.run(
                "nightly",
                "--dataset",
                "alpha",
                "--until",
                "etl",
                "--run-date",
                "2026-11-20",
                "--set",
                "lake.skip-unchanged=false")
            .expectExit(0);
    assertThat(checked.summaryOf("etl")).containsEntry("status", "SKIPPED");
    assertThat(checked.summaryOf("etl").get("metrics"))
        .isNotEqualTo(Map.of("decidedWithoutSpark", true));
  }

  private static final String WHOLE =
      """
      dataset {
        source { format = csv, mode = snapshot }
        schema = [ { name = id, type = int }, { name = x, type = double }, { name = grp, type = string }, { name = y, type = string } ]
        key = [id]
        label { column = y, positive = "yes" }
        features { numeric = [x], categorical = [grp] }
        sensitive = [ { column = grp, privileged = ["a"] } ]
        tune { folds = 2, algorithms = [ { type = logistic-regression, grid { regParam = [0.0, 0.1], maxIter = [20] } } ] }
      }
      """;

  /**
   * Rows of a small binary dataset; each dataset its own size and seed, so rows that went astray
   * would show.
   */
  private static String rows(int n, long seed) {
    java.util.Random r = new java.util.Random(seed);
    StringBuilder sb = new StringBuilder("id,x,grp,y\n");
    for (int i = 0; i < n; i++) {
      double x = Math.round(r.nextDouble() * 1000) / 1000.0;
      String grp = r.nextDouble() < 0.4 ? "b" : "a";
      boolean yes = r.nextDouble() < (x > 0.5 ? 0.8 : 0.2) * (grp.equals("b") ? 0.9 : 1.0);
      sb.append(i)
          .append(',')
          .append(x)
          .append(',')
          .append(grp)
          .append(',')
          .append(yes ? "yes" : "no")
          .append('\n');
    }
    return sb.toString();
  }

  private static TestProject threeDatasets(String name) {
    TestProject p = TestProject.create(name);
    String[] names = {"ds_a", "ds_b", "ds_c"};
    for (int i = 0; i < names.length; i++) {
      p.dataset(names[i], WHOLE);
      p.land(names[i], "rows.csv", rows(240 + 60 * i, 11 + i));
    }
    return p;
  }

  /** Equal, numbers to 1e-9, reporting the path of the first difference. */
  private static void assertClose(Object actual, Object expected, String path) {
    if (actual instanceof Number a && expected instanceof Number e) {
      assertThat(a.doubleValue())
          .as(path)
          .isCloseTo(e.doubleValue(), org.assertj.core.api.Assertions.within(1e-9));
    } else if (actual instanceof Map<?, ?> a && expected instanceof Map<?, ?> e) {
      assertThat(a.keySet()).as(path).isEqualTo(e.keySet());
      a.forEach((k, v) -> assertClose(v, e.get(k), path + "/" + k));
    } else {
      assertThat(actual).as(path).isEqualTo(expected);
    }
  }

  /** Per _system table, rows per dataset; and every registered metric per dataset. */
  private static Map<String, Object> systemState(TestProject p) {
    Map<String, Object> state = new java.util.TreeMap<>();
    for (String t :
        List.of("runs", "models", "champions", "bias", "monitor", "trials", "profile", "quality")) {
      for (Map<String, Object> row :
          p.sql("SELECT dataset, count(*) AS n FROM _system." + t + " GROUP BY dataset")) {
        state.put(t + "/" + row.get("dataset"), row.get("n"));
      }
    }
    for (Map<String, Object> row :
        p.sql(
            "SELECT dataset, version, status, cv_metric, train_metrics, validation_metrics, test_metrics, threshold, "
                + "train_rows, validation_rows, test_rows, params FROM _system.models")) {
      state.put("model/" + row.get("dataset") + "/v" + row.get("version"), row);
    }
    for (Map<String, Object> row :
        p.sql(
            "SELECT dataset, stage, variant, attribute, `group`, metric, value FROM _system.bias")) {
      state.put(
          "bias/"
              + row.get("dataset")
              + "/"
              + row.get("stage")
              + "/"
              + row.get("variant")
              + "/"
              + row.get("attribute")
              + "/"
              + row.get("group")
              + "/"
              + row.get("metric"),
          row.get("value"));
    }
    return state;
  }

  @Test
  @SuppressWarnings("unchecked")
  void threeDatasetsAtOnceInOneApplicationWriteTheSameSystemRowsAndMetricsAsThreeSequentialRuns() {
    TestProject together = threeDatasets("nightly-three");
    TestProject.Result r =
        together
            .run(
                "nightly",
                "--dataset",
                "ds_a,ds_b,ds_c",
                "--parallel",
                "3",
                "--run-date",
                "2026-11-20")
            .expectExit(0);
    Map<String, Object> all = r.summary();
    assertThat(all).containsEntry("status", "SUCCEEDED").containsEntry("parallel", 3);
    List<Map<String, Object>> chains =
        r.lines().stream()
            .filter(l -> l.contains("\"job\":\"nightly\"") && l.contains("\"stages\""))
            .map(TestProject::parse)
            .toList();
    assertThat(chains)
        .hasSize(3)
        .allSatisfy(
            c -> {
              assertThat(c)
                  .containsEntry("launch", "in-process")
                  .containsEntry("status", "SUCCEEDED");
              assertThat((List<Map<String, Object>>) c.get("stages"))
                  .hasSize(10)
                  .allSatisfy(
                      st ->
                          assertThat(st.get("status"))
                              .as(c.get("dataset") + " " + st.get("job"))
                              .isIn("SUCCEEDED", "SKIPPED"));
            });
    // the three chains shared one application
    List<Object> apps =
        r.lines().stream()
            .filter(l -> l.contains("\"applicationId\":\""))
            .map(l -> TestProject.parse(l).get("applicationId"))
            .distinct()
            .toList();
    assertThat(apps).hasSize(1);

    // the same metrics as a run alone (to 1e-9: sums over tasks may end in another order), the same
    // rows in every _system table; ds_b stands for the three (a sequential run costs a chain each)
    TestProject alone = threeDatasets("nightly-three-alone");
    alone.run("nightly", "--dataset", "ds_b", "--run-date", "2026-11-20").expectExit(0);
    Map<String, Object> parallelState = systemState(together);
    // each chain wrote its own rows: one ledger row per stage, one model, its champion, its bias
    // and monitor rows
    for (String ds : List.of("ds_a", "ds_b", "ds_c")) {
      assertThat(parallelState)
          .containsEntry("runs/" + ds, 10)
          .containsEntry("models/" + ds, 1)
          .containsEntry("champions/" + ds, 1)
          .containsKeys("bias/" + ds, "monitor/" + ds, "trials/" + ds, "profile/" + ds);
      assertThat(together.count("predictions." + ds)).isEqualTo(240 + 60 * (ds.charAt(3) - 'a'));
    }
    assertThat(parallelState.get("bias/ds_a")).isEqualTo(parallelState.get("bias/ds_c"));
    Map<String, Object> b = new java.util.TreeMap<>(parallelState);
    b.keySet().removeIf(k -> !k.contains("ds_b"));
    assertClose(b, systemState(alone), "");
    // one directory per dataset: the chains' replaceWhere and UPDATE never touch each other's files
    assertThat(together.lake().resolve("_system/models/dataset=ds_c")).isDirectory();
    assertThat(together.lake().resolve("_system/bias/dataset=ds_a")).isDirectory();
  }
}
