package io.lakeml.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakeml.testing.TestProject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code sql} only reads; a change to the lake needs --allow-write and is then recorded like a job.
 */
class SqlGuardTest {
  @Test
  void writesAreRefusedUnlessAllowedAndThenRecordedInTheLedgerAndTheCommit() {
    TestProject p =
        TestProject.create("sqlguard")
            .dataset(
                "towns",
                """
        dataset {
          schema = [ { name = id, type = int }, { name = city, type = string } ]
          key = [id]
        }
        """);
    p.land("towns", "towns.csv", "id,city\n1,Oslo\n2,Rome\n3,Lima\n");
    p.run("ingest", "--dataset", "towns").expectExit(0);
    p.run("etl", "--dataset", "towns").expectExit(0);

    for (Map.Entry<String, String> e :
        Map.of(
                "delete from silver.towns where id = 1", "DELETE",
                "update silver.towns set city = 'x'", "UPDATE",
                "with a as (select * from silver.towns) insert into silver.towns select * from a",
                    "INSERT",
                "drop table silver.towns", "DROP TABLE")
            .entrySet()) {
      TestProject.Result refused = p.run("sql", e.getKey()).expectExit(2);
      assertThat(refused.stderr())
          .as(e.getKey())
          .contains("refused a " + e.getValue() + " statement: sql only reads the lake")
          .contains("silver by etl")
          .contains("--allow-write");
    }
    assertThat(p.count("silver.towns")).isEqualTo(3);
    // looking is allowed: queries, EXPLAIN (which runs nothing), DESCRIBE, Delta's history
    assertThat(p.run("sql", "explain delete from silver.towns where id = 1").expectExit(0).stdout())
        .contains("plan");
    assertThat(p.run("sql", "describe silver.towns").expectExit(0).stdout())
        .contains("\"col_name\":\"city\"");
    assertThat(p.count("silver.towns")).isEqualTo(3);

    TestProject.Result allowed =
        p.run("sql", "delete from silver.towns where id = 1", "--allow-write").expectExit(0);
    assertThat(allowed.summary()).containsEntry("job", "sql").containsEntry("status", "SUCCEEDED");
    assertThat(allowed.metrics().get("output")).isEqualTo(List.of(Map.of("num_affected_rows", 1)));
    assertThat(((Map<?, ?>) allowed.summary().get("tables")).keySet())
        .isEqualTo(java.util.Set.of("silver.towns"));
    assertThat(p.count("silver.towns")).isEqualTo(2);
    // recorded: a ledger row, and the commit says who changed silver and how
    assertThat(p.sql("select job, status from _system.runs where job = 'sql'"))
        .containsExactly(Map.of("job", "sql", "status", "SUCCEEDED"));
    List<Map<String, Object>> history = p.sql("describe history silver.towns");
    String meta =
        (String)
            history.stream()
                .max(java.util.Comparator.comparingInt(h -> ((Number) h.get("version")).intValue()))
                .orElseThrow()
                .get("userMetadata");
    assertThat(io.lakeml.core.CommitTag.parse(meta))
        .hasValueSatisfying(
            t -> {
              assertThat(t.job()).isEqualTo("sql");
              assertThat(t.attributes())
                  .isEqualTo(
                      Map.of("runId", allowed.summary().get("runId"), "statement", "DELETE"));
            });
  }
}
