package io.lakeml.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakeml.testing.TestProject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A landing file with a new (or missing) column follows dataset.source.schema-drift. */
class SchemaDriftTest {
  private static TestProject project(String policy) {
    TestProject p =
        TestProject.create("drift-" + policy)
            .dataset(
                "drift",
                """
        dataset {
          source { format = csv, schema-drift = %s }
          schema = [ { name = id, type = int }, { name = city, type = string } ]
          key = [id]
        }
        """
                    .formatted(policy));
    p.land("drift", "day-1.csv", "id,city\n1,Oslo\n2,Rome\n");
    p.run("ingest", "--dataset", "drift").expectExit(0);
    p.land("drift", "day-2.csv", "id,city,zip\n3,Lima,15001\n4,Kyiv,01001\n");
    return p;
  }

  @Test
  void evolveAddsANullableColumnAndKeepsOldRows() {
    TestProject p = project("evolve");
    TestProject.Result r = p.run("ingest", "--dataset", "drift").expectExit(0);
    assertThat(r.metrics()).containsEntry("columnsAdded", java.util.List.of("zip"));
    assertThat(r.metric("rowsBronze")).isEqualTo(2);
    assertThat(p.sql("select id, zip from bronze.drift order by id"))
        .containsExactly(
            Map.of("id", "1"),
            Map.of("id", "2"),
            Map.of("id", "3", "zip", "15001"),
            Map.of("id", "4", "zip", "01001"));
    // a later file without the column still lands; zip stays null for it
    p.land("drift", "day-3.csv", "id,city\n5,Pune\n");
    assertThat(p.run("ingest", "--dataset", "drift").expectExit(0).metric("rowsBronze"))
        .isEqualTo(1);
    assertThat(p.count("bronze.drift")).isEqualTo(5);
    // silver keeps the declared schema; the evolved column stays in bronze until declared
    p.run("etl", "--dataset", "drift").expectExit(0);
    assertThat(p.sql("select * from silver.drift where id = 3").get(0))
        .containsKeys("id", "city")
        .doesNotContainKey("zip");
  }

  @Test
  void quarantineSendsEveryRowOfTheDriftedFileToQuarantine() {
    TestProject p = project("quarantine");
    TestProject.Result r = p.run("ingest", "--dataset", "drift").expectExit(0);
    assertThat(r.metric("rowsRead")).isEqualTo(2);
    assertThat(r.metric("rowsBronze")).isZero();
    assertThat(r.metric("rowsQuarantined")).isEqualTo(2);
    assertThat(p.count("bronze.drift")).isEqualTo(2);
    assertThat(p.sql("select reason, raw_record from _system.quarantine order by raw_record"))
        .containsExactly(
            Map.of(
                "reason",
                "schema drift: unexpected column(s) [zip], missing column(s) []",
                "raw_record",
                "{\"id\":\"3\",\"city\":\"Lima\",\"zip\":\"15001\"}"),
            Map.of(
                "reason",
                "schema drift: unexpected column(s) [zip], missing column(s) []",
                "raw_record",
                "{\"id\":\"4\",\"city\":\"Kyiv\",\"zip\":\"01001\"}"));
  }

  /**
   * The counts by kind and the quarantined rows' reasons agree, also for a broken line of a drifted
   * file.
   */
  @Test
  void aBrokenLineOfADriftedFileIsCountedAsTheQuarantineRecordsIt() {
    TestProject p = project("quarantine");
    p.land("drift", "day-3.csv", "id,city,zip\n5,Pune,411001\n6,Oslo,0150,extra\n");
    TestProject.Result r = p.run("ingest", "--dataset", "drift").expectExit(0);
    assertThat(r.metric("rowsQuarantined")).isEqualTo(4);
    @SuppressWarnings("unchecked")
    Map<String, Object> byKind = (Map<String, Object>) r.metrics().get("quarantinedByKind");
    List<Map<String, Object>> reasons = p.sql("select reason from _system.quarantine");
    long malformed =
        reasons.stream().filter(m -> ((String) m.get("reason")).startsWith("malformed")).count();
    assertThat(((Number) byKind.getOrDefault("malformed", 0)).longValue()).isEqualTo(malformed);
    assertThat(((Number) byKind.getOrDefault("schema_drift", 0)).longValue())
        .isEqualTo(reasons.size() - malformed);
  }

  @Test
  void failStopsTheRunWritesNothingAndStaysFailedUntilFixed() {
    TestProject p = project("fail");
    TestProject.Result r = p.run("ingest", "--dataset", "drift").expectExit(1);
    assertThat(r.status()).isEqualTo("FAILED");
    assertThat((String) r.summary().get("message"))
        .contains("day-2.csv")
        .contains("unexpected [zip]")
        .contains("schema-drift is 'fail'");
    assertThat(p.count("bronze.drift")).isEqualTo(2);
    // the file is not marked as ingested: the next run fails again instead of skipping it
    p.run("ingest", "--dataset", "drift").expectExit(1);
    assertThat(p.count("bronze.drift")).isEqualTo(2);
  }

  @Test
  void aChangedTypeIsNeverSilentlyCoerced() {
    TestProject p =
        TestProject.create("drift-type")
            .dataset(
                "typed",
                """
        dataset {
          schema = [ { name = id, type = int }, { name = amount, type = double } ]
        }
        """);
    p.land("typed", "a.csv", "id,amount\n1,10.5\n2,EUR 12\n");
    TestProject.Result r = p.run("ingest", "--dataset", "typed").expectExit(0);
    assertThat(r.metric("rowsBronze")).isEqualTo(1);
    assertThat(p.sql("select reason from _system.quarantine").get(0))
        .containsEntry("reason", "unparsable value: amount='EUR 12' is not a valid double");
  }
}
