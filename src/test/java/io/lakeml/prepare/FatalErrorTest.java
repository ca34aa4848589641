package io.lakeml.prepare;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakeml.core.Hooks;
import io.lakeml.testing.TestHooks;
import io.lakeml.testing.TestProject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Fatal errors keep the contract: out of memory after gold's commit exits 1 naming the setting, the
 * ledger has the run, and the rerun redoes prepare instead of skipping on what the failed run
 * committed; a run whose JVM died without a word is recorded by the next run and redone.
 */
class FatalErrorTest {
  private static final String CONF =
      """
      dataset {
        source { format = csv, mode = snapshot }
        schema = [ { name = id, type = int }, { name = x, type = double }, { name = y, type = string } ]
        key = [id]
        label { column = y, positive = "yes" }
        features { numeric = [x] }
        tune.algorithms = [ { type = logistic-regression, grid { regParam = [0.1] } } ]
      }
      """;

  private static TestProject project(String name) {
    StringBuilder csv = new StringBuilder("id,x,y\n");
    for (int i = 0; i < 120; i++) {
      csv.append(i)
          .append(',')
          .append(i % 10 / 10.0)
          .append(',')
          .append(i % 3 == 0 ? "yes" : "no")
          .append('\n');
    }
    TestProject p = TestProject.create(name).dataset("fatal", CONF);
    p.land("fatal", "rows.csv", csv.toString());
    return p;
  }

  private static List<Map<String, Object>> prepareRuns(TestProject p) {
    return p.sql(
        "SELECT run_id, status, message FROM _system.runs WHERE job = 'prepare' ORDER BY started_at");
  }

  @Test
  void outOfMemoryAfterGoldsCommitExits1IsRecordedAndTheRerunRedoesPrepare() throws Exception {
    TestProject p = project("fatal-oom");
    TestProject.Result oom;
    try (var hooks =
        TestHooks.install(
            p,
            "fatal",
            TestHooks.throwAt(
                Hooks.Point.GOLD_COMMITTED,
                () -> new OutOfMemoryError("Java heap space (test hook after gold's commit)")))) {
      oom =
          p.run(
                  "nightly",
                  "--in-process",
                  "--dataset",
                  "fatal",
                  "--until",
                  "prepare",
                  "--run-date",
                  "2026-11-20")
              .expectExit(1);
    }
    assertThat(oom.summary()).containsEntry("failedStage", "prepare");
    assertThat((String) oom.summaryOf("prepare").get("message"))
        .startsWith("out of memory in prepare (Java heap space")
        .contains("LAKEML_DRIVER_MEMORY=4g")
        .contains("the rerun redoes prepare");
    // gold was committed before the error; the ledger has the failed run; the marker says "redo"
    Path goldLog = p.lake().resolve("gold/fatal/_delta_log");
    assertThat(goldLog.resolve("00000000000000000000.json")).exists();
    assertThat(goldLog.resolve("00000000000000000001.json")).doesNotExist();
    assertThat(prepareRuns(p))
        .singleElement()
        .satisfies(r -> assertThat(r).containsEntry("status", "FAILED"));
    Path marker = p.lake().resolve("_system/running/fatal/prepare.json");
    assertThat(Files.readString(marker)).contains("\"recorded\":true");

    TestProject.Result rerun =
        p.run(
                "nightly",
                "--in-process",
                "--dataset",
                "fatal",
                "--until",
                "prepare",
                "--run-date",
                "2026-11-20")
            .expectExit(0);
    assertThat(rerun.summaryOf("prepare")).containsEntry("status", "SUCCEEDED");
    assertThat(goldLog.resolve("00000000000000000001.json")).as("gold rewritten").exists();
    assertThat(prepareRuns(p))
        .extracting(r -> r.get("status"))
        .containsExactly("FAILED", "SUCCEEDED");
    assertThat(marker).doesNotExist();
    // finished now: the next rerun skips as always
    assertThat(
            p.run("prepare", "--dataset", "fatal", "--run-date", "2026-11-20")
                .expectExit(0)
                .status())
        .isEqualTo("SKIPPED");
  }

  @Test
  void aRunWhoseJvmDiedIsRecordedByTheNextRunAndRedone() throws Exception {
    TestProject p = project("fatal-dead");
    p.run(
            "nightly",
            "--in-process",
            "--dataset",
            "fatal",
            "--until",
            "prepare",
            "--run-date",
            "2026-11-20")
        .expectExit(0);
    // what a prepare JVM killed mid-run (SIGKILL, or Spark's exit 52 on OutOfMemoryError) leaves:
    // its marker, no ledger row
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    Path marker = p.lake().resolve("_system/running/fatal/prepare.json");
    Files.createDirectories(marker.getParent());
    Files.writeString(
        marker,
        "{\"runId\":\"dead-run\",\"job\":\"prepare\",\"dataset\":\"fatal\",\"runDate\":\"2026-11-21\",\"pid\":"
            + gone.pid()
            + ",\"host\":\""
            + java.net.InetAddress.getLocalHost().getHostName()
            + "\",\"startedAt\":\"2026-11-21T01:00:00Z\",\"configHash\":\"h\",\"recorded\":false}");

    // the next run of any job of the dataset records it ...
    assertThat(
            p.run("etl", "--dataset", "fatal", "--run-date", "2026-11-21").expectExit(0).status())
        .isEqualTo("SKIPPED");
    List<Map<String, Object>> dead =
        p.sql(
            "SELECT job, status, message, CAST(run_date AS STRING) AS d FROM _system.runs WHERE run_id = 'dead-run'");
    assertThat(dead)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r)
                  .containsEntry("job", "prepare")
                  .containsEntry("status", "FAILED")
                  .containsEntry("d", "2026-11-21");
              assertThat((String) r.get("message"))
                  .contains("did not finish")
                  .contains("pid " + gone.pid())
                  .contains("LAKEML_DRIVER_MEMORY")
                  .contains("Found by etl run");
            });
    // ... and the next prepare redoes its work instead of skipping on gold, recording the dead run
    // once
    TestProject.Result redo =
        p.run("prepare", "--dataset", "fatal", "--run-date", "2026-11-21").expectExit(0);
    assertThat(redo.status()).isEqualTo("SUCCEEDED");
    assertThat(p.sql("SELECT count(*) AS n FROM _system.runs WHERE run_id = 'dead-run'").get(0))
        .containsEntry("n", 1);
    assertThat(marker).doesNotExist();
    // a marker of a live process is a run in progress: left alone
    Files.writeString(
        marker,
        "{\"runId\":\"live-run\",\"job\":\"prepare\",\"dataset\":\"fatal\",\"runDate\":\"2026-11-21\",\"pid\":"
            + ProcessHandle.current().pid()
            + ",\"host\":\""
            + java.net.InetAddress.getLocalHost().getHostName()
            + "\",\"startedAt\":\"2026-11-21T01:00:00Z\",\"configHash\":\"h\",\"recorded\":false}");
    p.run("etl", "--dataset", "fatal", "--run-date", "2026-11-21").expectExit(0);
    assertThat(p.sql("SELECT count(*) AS n FROM _system.runs WHERE run_id = 'live-run'").get(0))
        .containsEntry("n", 0);
  }
}
