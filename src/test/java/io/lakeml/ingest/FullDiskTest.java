package io.lakeml.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakeml.testing.FullFileSystem;
import io.lakeml.testing.TestProject;
import io.lakeml.testing.TestSpark;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A lake whose disk fills up mid-write (a file system test double: writes under a path fail with
 * "No space left on device"): the job fails with exit 1 and a message naming the cause and the fix;
 * once there is space again, the rerun completes with nothing lost or duplicated.
 */
class FullDiskTest {
  @AfterEach
  void spaceAgain() {
    FullFileSystem.fail(null);
  }

  @Test
  void aFullDiskFailsTheJobClearlyAndTheRerunLosesAndDuplicatesNothing() {
    FullFileSystem.register(TestSpark.session().sparkContext().hadoopConfiguration());
    TestProject p =
        TestProject.create("full-disk")
            .dataset(
                "filling",
                """
        dataset {
          schema = [ { name = id, type = int }, { name = city, type = string } ]
          key = [id]
        }
        """);
    p.lakeRoot(FullFileSystem.SCHEME + "://" + p.lake().toAbsolutePath());
    StringBuilder csv = new StringBuilder("id,city\n");
    for (int i = 0; i < 300; i++) {
      csv.append(i).append(",city-").append(i % 7).append('\n');
    }
    csv.append("oops,bad\n"); // one malformed record for quarantine
    p.land("filling", "day-1.csv", csv.toString());

    // the disk is full when ingest commits to bronze: its data files are written, the commit is not
    FullFileSystem.fail("/bronze/filling/_delta_log/");
    TestProject.Result full =
        p.run("ingest", "--dataset", "filling", "--run-date", "2026-11-20").expectExit(1);
    assertThat(FullFileSystem.failures()).isPositive();
    assertThat(full.summary().get("message").toString())
        .startsWith("the lake's storage refused a write while ingest ran (No space left on device")
        .contains("Free space")
        .contains(p.lake().toAbsolutePath().toString());
    FullFileSystem.fail(null);
    p.run("ingest", "--dataset", "filling", "--run-date", "2026-11-20").expectExit(0);
    assertThat(p.count("bronze.filling")).isEqualTo(300);
    assertThat(
            p.sql("SELECT count(*) AS n FROM _system.quarantine WHERE dataset = 'filling'").get(0))
        .containsEntry("n", 1);

    // full again while etl writes silver's data files
    FullFileSystem.fail("/silver/filling/");
    TestProject.Result etl =
        p.run("etl", "--dataset", "filling", "--run-date", "2026-11-20").expectExit(1);
    assertThat(etl.summary().get("message").toString()).contains("No space left on device");
    FullFileSystem.fail(null);
    p.run("etl", "--dataset", "filling", "--run-date", "2026-11-20").expectExit(0);
    assertThat(p.count("silver.filling")).isEqualTo(300);
    assertThat(p.sql("SELECT count(DISTINCT id) AS n FROM silver.filling").get(0))
        .containsEntry("n", 300);
    // both failures are in the ledger, each with its rerun after it
    assertThat(p.sql("SELECT job, status FROM _system.runs ORDER BY started_at"))
        .extracting(r -> r.get("job") + " " + r.get("status"))
        .containsExactly("ingest FAILED", "ingest SUCCEEDED", "etl FAILED", "etl SUCCEEDED");
  }
}
