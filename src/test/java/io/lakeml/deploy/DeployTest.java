package io.lakeml.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakeml.testing.TestProject;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Promotion, manual override, rollback and batch scoring through the real CLI. */
class DeployTest {
  private static final String CONF =
      """
      dataset {
        source { format = csv, mode = snapshot }
        schema = [ { name = id, type = int }, { name = x, type = double }, { name = z, type = double }, { name = y, type = string } ]
        key = [id]
        label { column = y, positive = "yes" }
        features { numeric = [x, z] }
        prepare.missing { z = drop }
        tune { folds = 2, algorithms = [ { type = logistic-regression, grid { regParam = [0.0], maxIter = [30] } } ] }
      }
      """;

  /**
   * y mostly follows x; every 50th row has no z (unusable for training, quarantined when scoring).
   */
  private static String data() {
    Random r = new Random(3);
    StringBuilder sb = new StringBuilder("id,x,z,y\n");
    for (int i = 0; i < 500; i++) {
      double x = Math.round(r.nextDouble() * 1000) / 1000.0;
      boolean yes = r.nextDouble() < (x > 0.5 ? 0.85 : 0.15);
      sb.append(i)
          .append(',')
          .append(x)
          .append(',')
          .append(i % 50 == 0 ? "NA" : String.valueOf(Math.round(r.nextDouble() * 100) / 100.0))
          .append(',')
          .append(yes ? "yes" : "no")
          .append('\n');
    }
    return sb.toString();
  }

  @Test
  void promoteScoreRerunOverrideAndRollback() {
    TestProject p = TestProject.create("deploy").dataset("cust", CONF);
    p.land("cust", "cust.csv", data());
    TestProject.Result night =
        p.run("nightly", "--in-process", "--dataset", "cust", "--run-date", "2026-11-20")
            .expectExit(0);
    Map<String, Object> promote = night.summaryOf("promote");
    assertThat(promote).containsEntry("status", "SUCCEEDED");
    assertThat(((Map<?, ?>) promote.get("metrics")).get("promoted")).isEqualTo(true);
    // bias was skipped (no sensitive attribute), so the gate does not apply
    assertThat(night.summaryOf("bias-post")).containsEntry("status", "SKIPPED");
    Map<?, ?> score = (Map<?, ?>) night.summaryOf("score").get("metrics");
    assertThat(score.get("rowsScored")).isEqualTo(490);
    assertThat(score.get("rowsQuarantined")).isEqualTo(10);
    assertThat(
            p.sql(
                    "SELECT count(*) AS n, count(DISTINCT prediction) AS classes, min(probability) >= 0 AND max(probability) <= 1 AS ok, "
                        + "max(model_version) AS v FROM predictions.cust WHERE run_date = DATE'2026-11-20'")
                .get(0))
        .containsEntry("n", 490)
        .containsEntry("classes", 2)
        .containsEntry("ok", true)
        .containsEntry("v", 1);
    assertThat(
            p.sql(
                    "SELECT count(*) AS n FROM _system.quarantine WHERE stage = 'score' AND reason LIKE 'feature z is null%'")
                .get(0))
        .containsEntry("n", 10);

    // scored rows come from the very data the champion was trained on (less the 10 unscorable
    // rows): no drift, no signal. The reference is the champion's training split (60 % of them),
    // so the PSI is sampling noise (0.011), not 0, and far below the 0.2 threshold
    Map<?, ?> monitor = (Map<?, ?>) night.summaryOf("monitor").get("metrics");
    assertThat(monitor.get("retrain")).isEqualTo(false);
    assertThat(((Number) ((Map<?, ?>) monitor.get("psi")).get("x")).doubleValue())
        .isGreaterThan(0.0)
        .isLessThan(0.05);

    // rerunning a finished date does nothing: each stage finds so itself with Spark, which is what
    // lets
    // the default rerun decide it without Spark from the state the nightly recorded
    TestProject.Result checked =
        p.run(
                "nightly",
                "--in-process",
                "--dataset",
                "cust",
                "--run-date",
                "2026-11-20",
                "--set",
                "lake.skip-unchanged=false")
            .expectExit(0);
    assertThat(checked.lines().subList(0, checked.lines().size() - 1))
        .hasSize(10)
        .allMatch(l -> l.contains("\"status\":\"SKIPPED\"") && !l.contains("decidedWithoutSpark"));
    TestProject.Result again =
        p.run("nightly", "--in-process", "--dataset", "cust", "--run-date", "2026-11-20")
            .expectExit(0);
    assertThat(again.lines().subList(0, again.lines().size() - 1))
        .hasSize(10)
        .allMatch(
            l ->
                l.contains("\"status\":\"SKIPPED\"") && l.contains("\"decidedWithoutSpark\":true"));
    assertThat(p.count("predictions.cust")).isEqualTo(490);

    // a stricter requirement alone changes neither gold nor the model (prepare and tune SKIPPED)
    TestProject.Result stricterOnly =
        p.run(
                "nightly",
                "--in-process",
                "--dataset",
                "cust",
                "--run-date",
                "2026-11-21",
                "--until",
                "tune",
                "--set",
                "dataset.deploy.requirements.areaUnderROC=0.999",
                "--set",
                "dataset.deploy.min-validation-auc=0.999")
            .expectExit(0);
    assertThat(stricterOnly.summaryOf("prepare").get("status")).isEqualTo("SKIPPED");
    assertThat(stricterOnly.summaryOf("tune").get("status")).isEqualTo("SKIPPED");
    // a new split seed rewrites gold and trains a new version, which misses the requirement: it is
    // not promoted, and says why
    TestProject.Result strict =
        p.run(
                "nightly",
                "--in-process",
                "--dataset",
                "cust",
                "--run-date",
                "2026-11-21",
                "--set",
                "dataset.deploy.requirements.areaUnderROC=0.999",
                "--set",
                "dataset.deploy.min-validation-auc=0.999",
                "--set",
                "dataset.prepare.split.seed=7")
            .expectExit(0);
    assertThat(strict.summaryOf("tune").get("status")).isEqualTo("SUCCEEDED");
    Map<?, ?> refused = (Map<?, ?>) strict.summaryOf("promote").get("metrics");
    assertThat(refused.get("promoted")).isEqualTo(false);
    assertThat((String) refused.get("reason"))
        .contains("test areaUnderROC")
        .contains("< required 0.999")
        .contains("is below dataset.deploy.min-validation-auc 0.999: about chance")
        .contains("'promote --version 2'");
    assertThat(p.sql("SELECT version, status FROM _system.models ORDER BY version"))
        .containsExactly(
            Map.of("version", 1, "status", "champion"),
            Map.of("version", 2, "status", "candidate"));
    // the champion keeps scoring
    assertThat(((Map<?, ?>) strict.summaryOf("score").get("metrics")).get("version")).isEqualTo(1);

    // a person promotes version 2 anyway, then rolls back; the history says who and why
    p.run("promote", "--dataset", "cust", "--version", "2").expectExit(0);
    assertThat(p.sql("SELECT version, status FROM _system.models ORDER BY version"))
        .containsExactly(
            Map.of("version", 1, "status", "archived"), Map.of("version", 2, "status", "champion"));
    p.run("rollback", "--dataset", "cust").expectExit(0);
    assertThat(p.sql("SELECT version, status FROM _system.models ORDER BY version"))
        .containsExactly(
            Map.of("version", 1, "status", "champion"), Map.of("version", 2, "status", "archived"));
    List<Map<String, Object>> history =
        p.sql("SELECT version, previous_version, action FROM _system.champions ORDER BY at");
    assertThat(history)
        .extracting(m -> m.get("action"))
        .containsExactly("promote", "manual-promote", "rollback");
    assertThat(history.get(2)).containsEntry("version", 1).containsEntry("previous_version", 2);
    assertThat(
            p.run("rollback", "--dataset", "cust")
                .expectExit(1)
                .summary()
                .get("message")
                .toString())
        .contains("no previous champion");

    // new rows whose x has moved: scoring them raises the retraining signal, and tune then trains
    // again although gold and the configuration are unchanged
    StringBuilder drift = new StringBuilder("id,x,z,y\n");
    for (int i = 500; i < 800; i++) {
      drift
          .append(i)
          .append(',')
          .append(2 + (i % 100) / 100.0)
          .append(',')
          .append((i * 37 % 100) / 100.0)
          .append(',')
          .append(i % 3 == 0 ? "no" : "yes")
          .append('\n');
    }
    p.land("cust", "drift.csv", drift.toString());
    p.run("ingest", "--dataset", "cust", "--run-date", "2026-11-22").expectExit(0);
    p.run("etl", "--dataset", "cust", "--run-date", "2026-11-22").expectExit(0);
    p.run("score", "--dataset", "cust", "--run-date", "2026-11-22").expectExit(0);
    Map<?, ?> drifted =
        (Map<?, ?>)
            p.run("monitor", "--dataset", "cust", "--run-date", "2026-11-22")
                .expectExit(0)
                .summary()
                .get("metrics");
    assertThat(drifted.get("retrain")).isEqualTo(true);
    assertThat((String) drifted.get("retrainReason")).contains("x PSI");
    assertThat(((Number) ((Map<?, ?>) drifted.get("psi")).get("z")).doubleValue())
        .isLessThan(((Number) ((Map<?, ?>) drifted.get("psi")).get("x")).doubleValue());
    assertThat(
            p.sql(
                    "SELECT count(*) AS n FROM _system.monitor WHERE run_date = DATE'2026-11-22' AND kind = 'signal' AND breached")
                .get(0))
        .containsEntry("n", 1);
    TestProject.Result retrain =
        p.run("tune", "--dataset", "cust", "--run-date", "2026-11-23").expectExit(0);
    assertThat(retrain.status()).isEqualTo("SUCCEEDED");
    assertThat(retrain.metric("version")).isEqualTo(3);

    // labels arriving after scoring, from another dataset: the champion's predictions of the last
    // 30 days are matched with them by key. The outcomes are the opposite of what v1 predicted for
    // the first 500 rows, so its AUC on them is exactly 0 and the signal fires on performance
    p.dataset(
        "cust_outcomes",
        """
        dataset {
          schema = [ { name = id, type = int }, { name = outcome, type = string } ]
          key = [id]
        }
        """);
    StringBuilder outcomes = new StringBuilder("id,outcome\n");
    for (Map<String, Object> row :
        p.sql(
            "SELECT id, prediction FROM predictions.cust WHERE run_date = DATE'2026-11-22' AND id < 500 ORDER BY id")) {
      outcomes
          .append(row.get("id"))
          .append(',')
          .append("yes".equals(row.get("prediction")) ? "no" : "yes")
          .append('\n');
    }
    p.land("cust_outcomes", "outcomes-2026-11-23.csv", outcomes.toString());
    p.run("ingest", "--dataset", "cust_outcomes", "--run-date", "2026-11-23").expectExit(0);
    p.run("etl", "--dataset", "cust_outcomes", "--run-date", "2026-11-23").expectExit(0);
    String[] fromOutcomes = {
      "--set",
      "dataset.deploy.monitor.labels.from=cust_outcomes",
      "--set",
      "dataset.deploy.monitor.labels.column=outcome"
    };
    TestProject.Result late =
        p.run(
                concat(
                    new String[] {"monitor", "--dataset", "cust", "--run-date", "2026-11-22"},
                    fromOutcomes))
            .expectExit(0);
    assertThat(late.status())
        .as("the labels are new: the date is monitored again")
        .isEqualTo("SUCCEEDED");
    Map<?, ?> performance = (Map<?, ?>) late.metrics().get("performance");
    assertThat(performance.get("labels")).isEqualTo("silver.cust_outcomes@0");
    // of the 490 labelled predictions, those of v1's training and validation rows are left out:
    // what is measured is the champion on rows it never saw
    int rows = ((Number) performance.get("rows")).intValue();
    int seen = ((Number) performance.get("rowsSeenInTraining")).intValue();
    assertThat(rows + seen).isEqualTo(490);
    assertThat(rows)
        .isEqualTo(
            ((Number)
                    p.sql(
                            "SELECT count(*) AS n FROM gold.cust VERSION AS OF 0 WHERE split = 'test' AND id < 500")
                        .get(0)
                        .get("n"))
                .intValue());
    assertThat(((Number) performance.get("value")).doubleValue()).isEqualTo(0.0);
    assertThat((String) late.metrics().get("retrainReason")).contains("areaUnderROC fell by");
    assertThat(
            p.run(
                    concat(
                        new String[] {"monitor", "--dataset", "cust", "--run-date", "2026-11-22"},
                        fromOutcomes))
                .expectExit(0)
                .status())
        .isEqualTo("SKIPPED");

    // retention: VACUUM with no grace period still keeps the gold version the champion (v1) was
    // trained from; v2 is archived and protects nothing
    long g1 =
        ((Number)
                p.sql("SELECT gold_version FROM _system.models WHERE version = 1")
                    .get(0)
                    .get("gold_version"))
            .longValue();
    long g3 =
        ((Number)
                p.sql("SELECT gold_version FROM _system.models WHERE version = 3")
                    .get(0)
                    .get("gold_version"))
            .longValue();
    assertThat(g1).as("the 11-21 nightly (a new split seed) rewrote gold").isLessThan(g3);
    long goldRowsAtG1 = goldRowsAt(p, g1);
    TestProject.Result vacuum =
        p.run("vacuum", "--dataset", "cust", "--retain-hours", "0").expectExit(0);
    Map<?, ?> gold = vacuumed(vacuum, "gold.cust");
    assertThat(gold.get("protectedVersion")).isEqualTo((int) g1);
    assertThat(gold.get("protectedFor")).isEqualTo("model v1");
    assertThat(gold.get("filesDeleted")).isEqualTo(0);
    assertThat(goldRowsAt(p, g1)).isEqualTo(goldRowsAtG1);
    // once every version is archived nothing is protected: the same command deletes what gold
    // version g1 was made of, and time travel to it fails
    io.delta.tables.DeltaTable.forPath(
            io.lakeml.testing.TestSpark.session(), p.lake().resolve("_system/models").toString())
        .update(
            org.apache.spark.sql.functions.expr("dataset = 'cust'"),
            Map.of("status", org.apache.spark.sql.functions.lit("archived")));
    Map<?, ?> unprotected =
        vacuumed(
            p.run("vacuum", "--dataset", "cust", "--retain-hours", "0").expectExit(0), "gold.cust");
    assertThat(unprotected.get("protectedVersion")).isNull();
    assertThat(((Number) unprotected.get("filesDeleted")).longValue()).isPositive();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> goldRowsAt(p, g1))
        .hasStackTraceContaining("does not exist");
    assertThat(goldRowsAt(p, g3)).isPositive();
  }

  private static String[] concat(String[] a, String[] b) {
    return java.util.stream.Stream.concat(java.util.Arrays.stream(a), java.util.Arrays.stream(b))
        .toArray(String[]::new);
  }

  /**
   * Rows of a gold version, read from its files: a bare count() is answered from the Delta log's
   * statistics (and Spark folds "hash(*) IS NOT NULL" away), so the rows are hashed and summed too.
   */
  private static long goldRowsAt(TestProject p, long version) {
    return io.lakeml.testing.TestSpark.session()
        .read()
        .format("delta")
        .option("versionAsOf", version)
        .load(p.lake().resolve("gold/cust").toString())
        .selectExpr("count(*) AS n", "sum(hash(*)) AS h")
        .first()
        .getLong(0);
  }

  @SuppressWarnings("unchecked")
  private static Map<?, ?> vacuumed(TestProject.Result r, String table) {
    return ((List<Map<?, ?>>) r.metrics().get("tables"))
        .stream()
            .filter(t -> table.equals(t.get("table")))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no " + table + " in " + r.stdout()));
  }

  @Test
  void aSecondNightlyOfTheSameDatasetStopsWhileTheFirstHoldsTheLockAndAStaleLockIsTakenOver()
      throws Exception {
    TestProject p = TestProject.create("lock").dataset("cust", CONF);
    java.nio.file.Path lock = p.lake().resolve("_system/locks/cust.lock");
    java.nio.file.Files.createDirectories(lock.getParent());
    String host = java.net.InetAddress.getLocalHost().getHostName();
    // held by this (live) test JVM: the nightly must not start
    java.nio.file.Files.writeString(
        lock, host + " " + ProcessHandle.current().pid() + " 2026-11-25T02:00:00Z nightly");
    TestProject.Result r = p.run("nightly", "--in-process", "--dataset", "cust").expectExit(1);
    assertThat(r.stderr())
        .contains("nightly is already running for dataset 'cust'")
        .contains("delete the lock file");
    assertThat(r.summary()).containsEntry("status", "FAILED");
    assertThat(java.nio.file.Files.exists(lock)).isTrue();
    // held by a process that is gone: taken over, and released when done
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    java.nio.file.Files.writeString(
        lock, host + " " + gone.pid() + " 2026-11-25T02:00:00Z nightly");
    try (io.lakeml.core.RunLock l =
        io.lakeml.core.RunLock.acquire(p.catalog(), "cust", "nightly")) {
      assertThat(java.nio.file.Files.readString(lock))
          .contains(String.valueOf(ProcessHandle.current().pid()));
    }
    assertThat(java.nio.file.Files.exists(lock)).isFalse();
  }
}
