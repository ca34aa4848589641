package io.lakeml.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lake's fingerprint and the finished-state records, on a plain folder: no Spark. */
class LakeStateTest {
  private static final LocalDate DAY = LocalDate.of(2026, 12, 1);
  private static final Configuration HADOOP = new Configuration();

  @TempDir Path lake;

  private LakeCatalog catalog() {
    return new LakeCatalog(lake.toUri().toString());
  }

  private void commit(String table, long version) throws Exception {
    Path log = lake.resolve(table).resolve("_delta_log");
    Files.createDirectories(log);
    Files.writeString(log.resolve(String.format("%020d.json", version)), "{}\n");
    Files.writeString(lake.resolve(table).resolve("part-" + version + ".parquet"), "data");
  }

  @Test
  void theFingerprintFollowsTableVersionsAndFilesButNotTheLedgerLocksOrRecords() throws Exception {
    commit("silver/t", 0);
    Files.createDirectories(lake.resolve("landing/t"));
    Files.writeString(lake.resolve("landing/t/day-1.csv"), "a,b\n1,2\n");
    String first = LakeState.fingerprint(catalog(), HADOOP);
    // one table entry (its data files are not listed) and one landing file
    assertThat(first).endsWith("/2");

    commit("_system/runs", 0);
    commit("_system/runs", 1);
    Files.createDirectories(lake.resolve("_system/locks"));
    Files.writeString(lake.resolve("_system/locks/t.lock"), "pid");
    LakeState.recordFinished(catalog(), HADOOP, "t", DAY, "h", List.of("etl"), first);
    assertThat(LakeState.fingerprint(catalog(), HADOOP)).isEqualTo(first);

    commit("silver/t", 1);
    String second = LakeState.fingerprint(catalog(), HADOOP);
    assertThat(second).isNotEqualTo(first);

    Files.writeString(lake.resolve("landing/t/day-2.csv"), "a,b\n3,4\n");
    String third = LakeState.fingerprint(catalog(), HADOOP);
    assertThat(third).isNotEqualTo(second).endsWith("/3");

    // the same file rewritten with another size counts as a change
    Files.writeString(lake.resolve("landing/t/day-2.csv"), "a,b\n3,4\n5,6\n");
    assertThat(LakeState.fingerprint(catalog(), HADOOP)).isNotEqualTo(third);
  }

  @Test
  void aStageIsUnchangedOnlyForTheRecordedDateJobConfigurationAndState() throws Exception {
    commit("bronze/t", 0);
    String now = LakeState.fingerprint(catalog(), HADOOP);
    assertThat(LakeState.unchanged(catalog(), HADOOP, "t", DAY, "h", "etl"))
        .isEmpty(); // nothing recorded yet
    LakeState.recordFinished(catalog(), HADOOP, "t", DAY, "h", List.of("ingest", "etl"), now);
    assertThat(Files.exists(lake.resolve("_system/finished/t/2026-12-01.json"))).isTrue();

    assertThat(LakeState.unchanged(catalog(), HADOOP, "t", DAY, "h", "etl"))
        .get()
        .asString()
        .startsWith("nothing changed since the nightly of 2026-12-01 finished at ")
        .contains("decided without starting Spark");
    assertThat(LakeState.unchanged(catalog(), HADOOP, "t", DAY, "h", "tune"))
        .isEmpty(); // not a stage of that nightly
    assertThat(LakeState.unchanged(catalog(), HADOOP, "t", DAY, "other-config", "etl")).isEmpty();
    assertThat(LakeState.unchanged(catalog(), HADOOP, "t", DAY.plusDays(1), "h", "etl")).isEmpty();
    assertThat(LakeState.unchanged(catalog(), HADOOP, "u", DAY, "h", "etl")).isEmpty();

    String recordedAt = LakeState.read(catalog(), HADOOP, "t", DAY).orElseThrow().recordedAt();
    // recording the same state again keeps the time the lake was first finished
    LakeState.recordFinished(catalog(), HADOOP, "t", DAY, "h", List.of("etl"), now);
    assertThat(LakeState.read(catalog(), HADOOP, "t", DAY).orElseThrow().recordedAt())
        .isEqualTo(recordedAt);

    commit("bronze/t", 1); // e.g. a new ingest by hand
    assertThat(LakeState.unchanged(catalog(), HADOOP, "t", DAY, "h", "etl")).isEmpty();
  }
}
