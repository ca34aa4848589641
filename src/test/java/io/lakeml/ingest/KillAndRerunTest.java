package io.lakeml.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakeml.testing.TestHooks;
import io.lakeml.testing.TestProject;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * An ingest killed in the middle (a real SIGKILL of a separate JVM, and a halt at the worst moment:
 * after a bronze commit, before the stream records the batch) and then rerun loses and duplicates
 * nothing, in bronze and in quarantine.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KillAndRerunTest {
  private static final int ROWS_PER_FILE = 400;
  private static TestProject halt;
  private static Process haltChild;

  /**
   * The halting child needs no supervision: it runs alongside the SIGKILL test (each child JVM
   * costs half a minute).
   */
  @BeforeAll
  static void startHaltingIngest() throws Exception {
    halt = project("halt", 3);
    haltChild = startIngest(halt, true);
  }

  private static TestProject project(String name, int files) {
    TestProject p =
        TestProject.create(name)
            .dataset(
                "killme",
                """
        dataset {
          source.max-files-per-batch = 1
          schema = [ { name = id, type = int }, { name = payload, type = string } ]
          key = [id]
        }
        """);
    for (int f = 0; f < files; f++) {
      StringBuilder csv = new StringBuilder("id,payload\n");
      for (int i = 0; i < ROWS_PER_FILE; i++) {
        csv.append(f * ROWS_PER_FILE + i).append(",row-").append(i).append('\n');
      }
      csv.append("not-a-number,bad\n"); // one quarantined record per file
      p.land("killme", String.format("drop-%02d.csv", f), csv.toString());
    }
    return p;
  }

  private static Process startIngest(TestProject p, boolean haltAfterBronzeCommit)
      throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String opt : System.getProperty("spark.module.opts").trim().split("\\s+")) {
      cmd.add(opt);
    }
    cmd.add("-Xmx1g");
    cmd.add("-XX:TieredStopAtLevel=1"); // a child that lives seconds: C2 would not pay back
    // (docs/benchmarks, 2026-12-03)
    cmd.add("-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"));
    if (haltAfterBronzeCommit) {
      cmd.add("-D" + TestHooks.HALT_AFTER_BRONZE + "=true");
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.addAll(
        List.of(
            "io.lakeml.cli.Main",
            "ingest",
            "--dataset",
            "killme",
            "--conf-dir",
            p.confDir().toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    pb.redirectOutput(p.dir().resolve("child.out").toFile());
    pb.redirectError(p.dir().resolve("child.err").toFile());
    return pb.start();
  }

  private static void assertExactlyOnce(TestProject p, int files) {
    assertThat(p.count("bronze.killme")).isEqualTo((long) files * ROWS_PER_FILE);
    assertThat(p.sql("select count(distinct id) as n from bronze.killme").get(0))
        .containsEntry("n", files * ROWS_PER_FILE);
    assertThat(
            p.sql("select count(*) as n, count(distinct source_file) as f from _system.quarantine")
                .get(0))
        .isEqualTo(Map.of("n", files, "f", files));
  }

  @Test
  @Order(2)
  void haltAfterBronzeCommitThenRerunDuplicatesNothing() throws Exception {
    TestProject p = halt;
    Process child = haltChild;
    assertThat(child.waitFor(180, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).as(Files.readString(p.dir().resolve("child.err"))).isEqualTo(137);
    // batch 0 is in bronze but the stream never recorded it as done
    assertThat(p.count("bronze.killme")).isEqualTo(ROWS_PER_FILE);
    assertThat(p.lake().resolve("_system/checkpoints/killme/ingest/commits/0")).doesNotExist();

    TestProject.Result rerun = p.run("ingest", "--dataset", "killme").expectExit(0);
    // the replayed batch 0 is skipped by Delta's idempotent write; batches 1 and 2 are new
    assertThat(rerun.metric("files")).isEqualTo(3);
    assertExactlyOnce(p, 3);
    assertThat(p.run("ingest", "--dataset", "killme").expectExit(0).status()).isEqualTo("SKIPPED");
    assertExactlyOnce(p, 3);
  }

  @Test
  @Order(1)
  void sigkillMidIngestThenRerunLosesAndDuplicatesNothing() throws Exception {
    int files = 8;
    TestProject p = project("sigkill", files);
    Process child = startIngest(p, false);
    Path firstCommit = p.lake().resolve("bronze/killme/_delta_log/00000000000000000000.json");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (!Files.exists(firstCommit) && child.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(child.isAlive())
        .as(
            "ingest still running when its first batch committed; stderr: %s",
            Files.readString(p.dir().resolve("child.err")))
        .isTrue();
    child.destroyForcibly(); // SIGKILL
    assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).isEqualTo(137);
    long before = p.count("bronze.killme");
    assertThat(before).isLessThan((long) files * ROWS_PER_FILE);

    p.run("ingest", "--dataset", "killme").expectExit(0);
    assertExactlyOnce(p, files);
    assertThat(new File(p.dir().toFile(), "child.out")).exists();
    // the killed JVM could record nothing; its run marker made the rerun record it, once
    List<Map<String, Object>> runs =
        p.sql("SELECT status, message FROM _system.runs WHERE job = 'ingest' ORDER BY started_at");
    assertThat(runs).extracting(r -> r.get("status")).containsExactly("FAILED", "SUCCEEDED");
    assertThat((String) runs.get(0).get("message"))
        .contains("did not finish")
        .contains("pid " + child.pid());
    assertThat(p.lake().resolve("_system/running/killme/ingest.json")).doesNotExist();
  }
}
