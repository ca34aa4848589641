package io.lakeml.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakeml.testing.TestProject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Exactly-once incremental ingestion of live drops, and checksum-based snapshots of frozen
 * datasets.
 */
class IncrementalAndSnapshotTest {
  private static final String SCHEMA =
      "schema = [ { name = id, type = int }, { name = v, type = string } ]\nkey = [id]\n";

  @Test
  void eachFileIsIngestedExactlyOnce() {
    TestProject p = TestProject.create("incremental").dataset("live", "dataset { " + SCHEMA + " }");
    p.land("live", "2026-11-01/drop.csv", "id,v\n1,a\n2,b\n");
    TestProject.Result first =
        p.run("ingest", "--dataset", "live", "--run-date", "2026-11-01").expectExit(0);
    assertThat(first.metric("files")).isEqualTo(1);
    assertThat(first.summary().get("tables"))
        .isEqualTo(Map.of("bronze.live", Map.of("version", 0)));

    TestProject.Result nothing =
        p.run("ingest", "--dataset", "live", "--run-date", "2026-11-01").expectExit(0);
    assertThat(nothing.status()).isEqualTo("SKIPPED");
    assertThat(nothing.metric("rowsBronze")).isZero();
    assertThat(p.count("bronze.live")).isEqualTo(2);

    p.land("live", "2026-11-02/drop.csv", "id,v\n3,c\n");
    p.land("live", "2026-11-02/notes.txt", "not a data file: ignored by suffix");
    TestProject.Result second =
        p.run("ingest", "--dataset", "live", "--run-date", "2026-11-02").expectExit(0);
    assertThat(second.metric("files")).isEqualTo(1);
    assertThat(second.metric("rowsBronze")).isEqualTo(1);
    assertThat(
            p.sql(
                "select _source_file, count(*) as n from bronze.live group by _source_file order by _source_file"))
        .extracting(
            m -> ((String) m.get("_source_file")).replaceAll(".*/landing/live/", ""),
            m -> m.get("n"))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("2026-11-01/drop.csv", 2),
            org.assertj.core.groups.Tuple.tuple("2026-11-02/drop.csv", 1));

    // the run ledger holds one row per run with status and versions
    assertThat(p.sql("select job, status, tables_written from _system.runs order by ended_at"))
        .extracting(m -> m.get("status"))
        .containsExactly("SUCCEEDED", "SKIPPED", "SUCCEEDED");
  }

  @Test
  void aFileThatGrowsAfterItWasIngestedStopsIngestUntilItIsRenamedOrMoved() throws Exception {
    // an upstream still writing the file when ingest took it in (or appending to it every day):
    // the rows it gains would never reach bronze, since a file is ingested once, by name
    TestProject p = TestProject.create("growing").dataset("live", "dataset { " + SCHEMA + " }");
    StringBuilder head = new StringBuilder("id,v\n");
    StringBuilder tail = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      (i < 25 ? head : tail).append(i).append(",r").append(i).append('\n');
    }
    Path file = p.land("live", "drop.csv", head.toString());
    p.run("ingest", "--dataset", "live", "--run-date", "2026-11-01").expectExit(0);
    long before = Files.size(file);
    Files.writeString(file, tail.toString(), java.nio.file.StandardOpenOption.APPEND);
    for (String date : new String[] {"2026-11-02", "2026-11-03"}) {
      TestProject.Result grown =
          p.run("ingest", "--dataset", "live", "--run-date", date).expectExit(1);
      assertThat((String) grown.summary().get("message"))
          .as("every run until it is handled")
          .contains("1 landing file(s) of live in ")
          .contains(p.lake().resolve("landing/live").toString())
          .contains(
              " changed after ingest took them in: drop.csv ("
                  + before
                  + " bytes then, "
                  + Files.size(file)
                  + " now)")
          .contains("give it a new name to ingest it whole again");
    }
    assertThat(p.count("bronze.live")).isEqualTo(25);
    // renamed, it is a new file: ingested whole, and etl keeps one row per key
    Files.move(file, file.resolveSibling("drop-complete.csv"));
    assertThat(
            p.run("ingest", "--dataset", "live", "--run-date", "2026-11-04")
                .expectExit(0)
                .metric("rowsBronze"))
        .isEqualTo(40);
    p.run("etl", "--dataset", "live", "--run-date", "2026-11-04").expectExit(0);
    assertThat(p.count("silver.live")).isEqualTo(40);
    // a file that does not change is no concern on later runs
    assertThat(
            p.run("ingest", "--dataset", "live", "--run-date", "2026-11-05").expectExit(0).status())
        .isEqualTo("SKIPPED");
  }

  @Test
  void snapshotReloadsOnlyWhenTheChecksumChanges() {
    TestProject p =
        TestProject.create("snapshot")
            .dataset("frozen", "dataset { source.mode = snapshot\n" + SCHEMA + " }");
    p.land("frozen", "part-a.csv", "id,v\n1,a\n2,b\n");
    p.land("frozen", "part-b.csv", "id,v\n3,c\n");
    TestProject.Result load = p.run("ingest", "--dataset", "frozen").expectExit(0);
    assertThat(load.metric("rowsBronze")).isEqualTo(3);
    String sha = (String) load.metrics().get("snapshotSha256");
    assertThat(sha).hasSize(64);

    TestProject.Result again = p.run("ingest", "--dataset", "frozen").expectExit(0);
    assertThat(again.status()).isEqualTo("SKIPPED");
    assertThat((String) again.summary().get("message")).startsWith("snapshot unchanged");
    assertThat(again.metrics().get("snapshotSha256")).isEqualTo(sha);
    assertThat(p.sql("describe history delta.`" + p.lake().resolve("bronze/frozen") + "`"))
        .hasSize(1);

    p.land("frozen", "part-b.csv", "id,v\n3,c2\n4,d\n");
    TestProject.Result changed = p.run("ingest", "--dataset", "frozen").expectExit(0);
    assertThat(changed.status()).isEqualTo("SUCCEEDED");
    assertThat(changed.metrics().get("snapshotSha256")).isNotEqualTo(sha);
    assertThat(changed.summary().get("tables"))
        .isEqualTo(Map.of("bronze.frozen", Map.of("version", 1)));
    assertThat(p.sql("select id, v from bronze.frozen order by id"))
        .extracting(m -> m.get("v"))
        .containsExactly("a", "b", "c2", "d");
    // the previous snapshot is still there by time travel
    assertThat(
            p.sql(
                    "select count(*) as n from delta.`"
                        + p.lake().resolve("bronze/frozen")
                        + "` version as of 0")
                .get(0))
        .containsEntry("n", 3);
  }

  /**
   * A snapshot is read once: bronze is written in the parse's own pass, then the quarantine, whose
   * commit marks the snapshot complete. A run that died between the two commits is finished by the
   * rerun (the files read again for the rejected rows, bronze left as it is), then skipped.
   */
  @Test
  void aSnapshotWhoseQuarantineWasLostIsCompletedOnRerun() throws Exception {
    TestProject p =
        TestProject.create("snapshot-crash")
            .dataset("frozen", "dataset { source.mode = snapshot\n" + SCHEMA + " }");
    p.land("frozen", "part-a.csv", "id,v\n1,a\nx,b\n3,c\n");
    TestProject.Result load = p.run("ingest", "--dataset", "frozen").expectExit(0);
    assertThat(load.metric("rowsBronze")).isEqualTo(2);
    assertThat(load.metric("rowsQuarantined")).isEqualTo(1);
    // the state a crash right after bronze's commit leaves: no quarantine commit for the snapshot
    Path quarantine = p.lake().resolve("_system/quarantine");
    try (Stream<Path> files = Files.walk(quarantine)) {
      for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
    TestProject.Result rerun = p.run("ingest", "--dataset", "frozen").expectExit(0);
    assertThat(rerun.status()).isEqualTo("SUCCEEDED");
    assertThat(rerun.metrics().get("quarantineCompleted")).isEqualTo(true);
    assertThat(rerun.metric("rowsQuarantined")).isEqualTo(1);
    assertThat(p.sql("select raw_record, reason from _system.quarantine"))
        .singleElement()
        .satisfies(m -> assertThat((String) m.get("reason")).contains("id"));
    assertThat(p.sql("describe history delta.`" + p.lake().resolve("bronze/frozen") + "`"))
        .hasSize(1);
    assertThat(p.count("bronze.frozen")).isEqualTo(2);
    TestProject.Result again = p.run("ingest", "--dataset", "frozen").expectExit(0);
    assertThat(again.status()).isEqualTo("SKIPPED");
    assertThat(p.count("_system.quarantine")).isEqualTo(1);
  }
}
