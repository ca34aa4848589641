package io.lakeml.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakeml.testing.TestProject;
import io.lakeml.testing.TestSpark;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** nightly as the scheduler runs it: every stage its own Spark application, several datasets at once. */
class NightlyTest {
  private static final String CONF = """
      dataset {
        source { format = csv, schema-drift = fail }
        schema = [ { name = id, type = int }, { name = city, type = string } ]
        key = [id]
      }
      """;

  @Test
  @SuppressWarnings("unchecked")
  void twoDatasetsRunConcurrentlyAsSeparateApplicationsAndOneFailingDoesNotStopTheOther() {
    TestProject p = TestProject.create("nightly-apps").dataset("alpha", CONF).dataset("beta", CONF);
    p.land("alpha", "day-1.csv", "id,city\n1,Oslo\n2,Rome\n2,Rome\n3,Lima\n");
    // beta's file breaks its declared schema and its policy is fail: beta stops at ingest
    p.land("beta", "day-1.csv", "id,town\n1,Pune\n");

    // one stage each, at once: two child JVMs side by side (the chain's order is NightlyTest's other tests' and DeployTest's)
    TestProject.Result r = p.run("nightly", "--dataset", "alpha,beta", "--parallel", "2", "--until", "ingest", "--run-date", "2026-11-20").expectExit(1);
    Map<String, Object> all = r.summary();
    assertThat(all).containsEntry("job", "nightly").containsEntry("status", "FAILED").containsEntry("parallel", 2)
        .containsEntry("failed", List.of("beta")).containsEntry("exitCode", 1);
    assertThat((List<Map<String, Object>>) all.get("datasets")).containsExactly(
        Map.of("dataset", "alpha", "status", "SUCCEEDED", "exitCode", 0),
        Map.of("dataset", "beta", "status", "FAILED", "exitCode", 1, "failedStage", "ingest"));

    Map<String, Object> alpha = r.lines().stream().filter(l -> l.contains("\"job\":\"nightly\"") && l.contains("\"dataset\":\"alpha\""))
        .map(TestProject::parse).findFirst().orElseThrow();
    assertThat(alpha).containsEntry("launch", "separate").containsEntry("status", "SUCCEEDED");
    assertThat((List<Map<String, Object>>) alpha.get("stages")).extracting(s -> s.get("job") + " " + s.get("status"))
        .containsExactly("ingest SUCCEEDED");
    // the stage's process took its own duration plus the JVM start, the session and the ledger
    for (Map<String, Object> st : (List<Map<String, Object>>) alpha.get("stages")) {
      Map<String, Object> t = (Map<String, Object>) st.get("timings");
      long process = ((Number) st.get("processMs")).longValue();
      long own = ((Number) st.get("durationMs")).longValue();
      long ledger = ((Number) t.get("ledgerMs")).longValue();
      assertThat(process).as(st.get("job") + " process vs stage + ledger").isGreaterThan(own + ledger);
      assertThat(((Number) t.get("jvmUptimeMs")).longValue()).isPositive().isLessThan(process - own);
      assertThat(((Number) t.get("sessionMs")).longValue()).isPositive().isLessThan(own); // a fresh JVM builds its session
      assertThat(ledger).isPositive();
    }
    // each stage ran in a child JVM's Spark application, none of them this test JVM's. (Local application
    // ids are "local-" + the start's millisecond: two children started together may share one, as
    // happened in CI, so the runs are told apart by run id.)
    List<Map<String, Object>> staged = r.lines().stream().filter(l -> l.contains("\"applicationId\"")).map(TestProject::parse).toList();
    assertThat(staged).hasSize(2).extracting(s -> s.get("runId")).doesNotHaveDuplicates();
    assertThat(staged).extracting(s -> s.get("applicationId")).doesNotContain(TestSpark.session().sparkContext().applicationId());
    assertThat(p.count("bronze.alpha")).isEqualTo(4);
    assertThat(r.stderr()).contains("[beta] ").contains("unexpected [town]");
  }

  @Test
  @SuppressWarnings("unchecked")
  void aFailedStageStopsTheChainAndTheRerunResumesThereWithoutRedoingFinishedStages() {
    TestProject p = TestProject.create("nightly-resume").dataset("alpha", CONF);
    p.land("alpha", "day-1.csv", "id,city\n1,Oslo\n2,Rome\n");
    System.setProperty("lakeml.test.failJob", "alpha:etl");
    TestProject.Result failed;
    try {
      failed = p.run("nightly", "--in-process", "--dataset", "alpha", "--until", "etl", "--run-date", "2026-11-20").expectExit(1);
    } finally {
      System.clearProperty("lakeml.test.failJob");
    }
    assertThat(failed.summary()).containsEntry("status", "FAILED").containsEntry("failedStage", "etl");
    assertThat((String) failed.summary().get("message")).contains("etl fails on purpose").contains("Rerun the same command to resume");
    TestProject.Result resumed = p.run("nightly", "--in-process", "--dataset", "alpha", "--until", "etl", "--run-date", "2026-11-20").expectExit(0);
    assertThat((List<Map<String, Object>>) resumed.summary().get("stages")).extracting(s -> s.get("job") + " " + s.get("status"))
        .containsExactly("ingest SKIPPED", "etl SUCCEEDED");
    assertThat(p.count("bronze.alpha")).isEqualTo(2);
    assertThat(p.count("silver.alpha")).isEqualTo(2);
  }

  @Test
  @SuppressWarnings("unchecked")
  void afterAFailedStageTheReportStillRunsAndShowsTheFailure() throws Exception {
    // the whole chain is validated before it starts: tune needs an algorithm even though it will not run
    TestProject p = TestProject.create("nightly-report").dataset("alpha", CONF.replace("key = [id]",
        "key = [id]\n  tune.algorithms = [ { type = logistic-regression, grid { regParam = [0.1] } } ]"));
    p.land("alpha", "day-1.csv", "id,city\n1,Oslo\n2,Rome\n");
    System.setProperty("lakeml.test.failJob", "alpha:etl");
    TestProject.Result failed;
    try {
      failed = p.run("nightly", "--in-process", "--dataset", "alpha", "--run-date", "2026-11-20").expectExit(1);
    } finally {
      System.clearProperty("lakeml.test.failJob");
    }
    assertThat(failed.summary()).containsEntry("failedStage", "etl");
    assertThat((List<Map<String, Object>>) failed.summary().get("stages")).extracting(s -> s.get("job") + " " + s.get("status"))
        .containsExactly("ingest SUCCEEDED", "etl FAILED", "report SUCCEEDED");
    String html = java.nio.file.Files.readString(p.lake().resolve("reports/alpha/2026-11-20/index.html"));
    assertThat(html).contains("<td><strong>etl</strong></td><td><span class=\"badge failed\">FAILED</span>")
        .contains("etl fails on purpose")
        // later stages never ran: their sections are there and say so
        .contains("<section id=\"monitoring\"><h2>Monitoring</h2><p class=\"empty\">No monitoring rows for alpha on 2026-11-20 (_system.monitor). monitor did not run on 2026-11-20.");
  }

  @Test
  @SuppressWarnings("unchecked")
  void aRerunOfAFinishedDateSkipsEveryStageWithoutSparkUntilTheLakeChanges() {
    TestProject p = TestProject.create("nightly-unchanged").dataset("alpha", CONF);
    p.land("alpha", "day-1.csv", "id,city\n1,Oslo\n2,Rome\n");
    // local mode's default: one application for the chain
    TestProject.Result first = p.run("nightly", "--dataset", "alpha", "--until", "etl", "--run-date", "2026-11-20").expectExit(0);
    assertThat(first.summary()).containsEntry("launch", "in-process");
    assertThat(p.lake().resolve("_system/finished/alpha/2026-11-20.json")).exists();

    int sessions = io.lakeml.core.SparkSessions.requests(p.dir());
    TestProject.Result again = p.run("nightly", "--dataset", "alpha", "--until", "etl", "--run-date", "2026-11-20").expectExit(0);
    assertThat((List<Map<String, Object>>) again.summary().get("stages")).extracting(s -> s.get("job") + " " + s.get("status"))
        .containsExactly("ingest SKIPPED", "etl SKIPPED");
    assertThat(again.summaryOf("etl")).containsEntry("metrics", Map.of("decidedWithoutSpark", true));
    assertThat((String) again.summaryOf("etl").get("message")).startsWith("nothing changed since the nightly of 2026-11-20 finished at ");
    assertThat(io.lakeml.core.SparkSessions.requests(p.dir())).as("Spark sessions asked for by the rerun").isEqualTo(sessions);
    // another run date is decided with Spark as before
    TestProject.Result nextDay = p.run("etl", "--dataset", "alpha", "--run-date", "2026-11-21").expectExit(0);
    assertThat(nextDay.status()).isEqualTo("SKIPPED");
    assertThat(nextDay.summary().get("metrics")).isNotEqualTo(Map.of("decidedWithoutSpark", true));

    // a new file in the landing folder: the lake changed, so ingest and etl do their work
    p.land("alpha", "day-2.csv", "id,city\n3,Lima\n");
    TestProject.Result changed = p.run("nightly", "--dataset", "alpha", "--until", "etl", "--run-date", "2026-11-20").expectExit(0);
    assertThat((List<Map<String, Object>>) changed.summary().get("stages")).extracting(s -> s.get("job") + " " + s.get("status"))
        .containsExactly("ingest SUCCEEDED", "etl SUCCEEDED");
    assertThat(p.count("silver.alpha")).isEqualTo(3);

    // switched off, every stage looks for itself with Spark
    TestProject.Result checked = p.run("nightly", "--dataset", "alpha", "--until", "etl", "--run-date", "2026-11-20",
        "--set", "lake.skip-unchanged=false").expectExit(0);
    assertThat(checked.summaryOf("etl")).containsEntry("status", "SKIPPED");
    assertThat(checked.summaryOf("etl").get("metrics")).isNotEqualTo(Map.of("decidedWithoutSpark", true));
  }

  @Test
  void inProcessCannotRunChainsInParallel() {
    TestProject p = TestProject.create("nightly-usage").dataset("alpha", CONF);
    TestProject.Result r = p.run("nightly", "--in-process", "--dataset", "alpha,alpha2", "--parallel", "2").expectExit(2);
    assertThat(r.stderr()).contains("--parallel 2 runs chains as separate Spark applications");
  }
}
