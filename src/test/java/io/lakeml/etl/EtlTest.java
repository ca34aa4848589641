package io.lakeml.etl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lakeml.core.LakeCatalog;
import io.lakeml.testing.TestProject;
import io.lakeml.testing.TestSpark;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** bronze → silver: typing, cleaning, key deduplication, MERGE, idempotent reruns. */
class EtlTest {
  private static final String CONF =
      """
      dataset {
        source.missing-values = ["NA", "", "?"]
        schema = [ { name = id, type = int }, { name = name, type = string }, { name = score, type = double }, { name = ok, type = boolean } ]
        key = [id]
      }
      """;

  @Test
  void typesCleansDeduplicatesAndMerges() throws Exception {
    TestProject p = TestProject.create("etl").dataset("people", CONF);
    p.land(
        "people",
        "a.csv",
        "id,name,score,ok\n1,  Ann  ,1.5,true\n2,Bob,?,false\n2,Bob,2.0,false\nNA,Nobody,1,true\n3,Cy,NA,\n");
    p.run("ingest", "--dataset", "people").expectExit(0);
    TestProject.Result etl =
        p.run("etl", "--dataset", "people", "--run-date", "2026-11-24").expectExit(0);
    assertThat(etl.metric("bronzeRows")).isEqualTo(5);
    assertThat(etl.metric("rowsQuarantined")).isEqualTo(1); // the row without a key
    assertThat(etl.metric("duplicatesRemoved")).isEqualTo(1); // id 2 twice in one file
    assertThat(etl.metric("silverRows")).isEqualTo(3);
    assertThat(etl.summary().get("inputs"))
        .isEqualTo(Map.of("bronze.people", Map.of("version", 0)));

    List<Map<String, Object>> rows =
        p.sql("select id, name, score, ok from silver.people order by id");
    assertThat(rows.get(0)).isEqualTo(Map.of("id", 1, "name", "Ann", "score", 1.5, "ok", true));
    assertThat(rows.get(1)).containsEntry("id", 2).containsEntry("name", "Bob");
    assertThat(rows.get(2)).isEqualTo(Map.of("id", 3, "name", "Cy"));
    assertThat(
            p.sql(
                    "select typeof(id) as t1, typeof(score) as t2, typeof(ok) as t3 from silver.people limit 1")
                .get(0))
        .isEqualTo(Map.of("t1", "int", "t2", "double", "t3", "boolean"));
    assertThat(p.sql("select stage, reason from _system.quarantine").get(0))
        .isEqualTo(Map.of("stage", "etl", "reason", "primary key column id is missing"));

    // rerun for the same date: nothing changes
    TestProject.Result again =
        p.run("etl", "--dataset", "people", "--run-date", "2026-11-24").expectExit(0);
    assertThat(again.status()).isEqualTo("SKIPPED");
    // settings silver does not depend on (tuning, validation rules) leave it as it is; a change
    // of its typing rebuilds it (below)
    TestProject.Result tuned =
        p.run(
                "etl",
                "--dataset",
                "people",
                "--run-date",
                "2026-11-24",
                "--set",
                "dataset.tune.folds=5",
                "--set",
                "dataset.validation.rules=[{ id = r, check = not-null, column = name, action = warn }]")
            .expectExit(0);
    assertThat(tuned.status()).isEqualTo("SKIPPED");
    assertThat(p.count("silver.people")).isEqualTo(3);
    assertThat(p.count("_system.quarantine")).isEqualTo(1);

    // a later drop updates one key and adds one: MERGE, latest ingestion wins
    p.land("people", "b.csv", "id,name,score,ok\n3,Cy,3.5,true\n4,Di,4.0,false\n");
    p.run("ingest", "--dataset", "people").expectExit(0);
    TestProject.Result merge =
        p.run("etl", "--dataset", "people", "--run-date", "2026-11-25").expectExit(0);
    assertThat(merge.metrics())
        .containsEntry("mode", "merge")
        .containsEntry("inserted", 1)
        .containsEntry("updated", 1)
        .containsEntry("deleted", 0);
    // bronze now holds ids 1, 2, 2, 3, 3, 4 with a key: 4 rows after deduplication
    assertThat(merge.metric("silverRows")).isEqualTo(4);
    assertThat(merge.metric("duplicatesRemoved")).isEqualTo(2);
    assertThat(merge.metric("rowsInvalid")).isEqualTo(1);
    assertThat(merge.metric("rowsQuarantined"))
        .isZero(); // the keyless row was quarantined once, not again
    assertThat(p.count("_system.quarantine")).isEqualTo(1);
    assertThat(p.sql("select id, score from silver.people order by id"))
        .extracting(m -> m.get("score"))
        .containsExactly(1.5, 2.0, 3.5, 4.0);
    assertThat(p.count("silver.people")).isEqualTo(4);
    // min/max statistics only on lineage columns, in every data file (the merge's files too)
    LakeCatalog cat = p.catalog();
    assertThat(statsColumns(cat.bronze("people"))).containsExactly("_ingested_at", "_run_id");
    assertThat(statsColumns(cat.silver("people"))).containsExactly("_ingested_at");

    // the same bronze version with a changed dataset configuration is rebuilt, not skipped
    TestProject.Result changed =
        p.run(
                "etl",
                "--dataset",
                "people",
                "--set",
                "dataset.source.missing-values=[NA, \"\", \"?\", Cy]")
            .expectExit(0);
    assertThat(changed.status()).isEqualTo("SUCCEEDED");
    assertThat(p.sql("select name from silver.people where id = 3").get(0))
        .doesNotContainKey("name");

    // every bronze row carries the signature of the check ingest made, so etl did not check values
    // again; under another schema it does: score declared int makes 1.5 and 3.5 unparsable
    assertThat(
            p.sql(
                    "select count(distinct _checked_under) as n, count(_checked_under) as rows from bronze.people")
                .get(0))
        .isEqualTo(Map.of("n", 1, "rows", 7));
    TestProject.Result retyped =
        p.run(
                "etl",
                "--dataset",
                "people",
                "--set",
                "dataset.schema=[{name = id, type = int}, {name = name, type = string}, {name = score, type = int}, {name = ok, type = boolean}]")
            .expectExit(0);
    assertThat(retyped.status()).isEqualTo("SUCCEEDED");
    assertThat(
            p.sql(
                "select reason from _system.quarantine where reason like '%score=%' order by reason"))
        .extracting(m -> m.get("reason"))
        .anySatisfy(r -> assertThat((String) r).contains("score='1.5'"))
        .anySatisfy(r -> assertThat((String) r).contains("score='3.5'"));
    // id 1's only row is now invalid; id 3 keeps its older row, whose score is missing (valid)
    assertThat(p.sql("select id, score from silver.people where id in (1, 3)"))
        .containsExactly(Map.of("id", 3));
  }

  /**
   * The columns that Delta's add actions in the table's log carry min values for, over all files.
   */
  private static Set<String> statsColumns(LakeCatalog.Table t) throws Exception {
    Set<String> columns = new TreeSet<>();
    ObjectMapper json = new ObjectMapper();
    for (org.apache.spark.sql.Row r :
        TestSpark.session()
            .read()
            .json(t.path() + "/_delta_log/*.json")
            .where("add is not null")
            .select("add.stats")
            .collectAsList()) {
      JsonNode stats = json.readTree(r.getString(0));
      assertThat(stats.get("numRecords").asLong()).isPositive();
      stats.get("minValues").fieldNames().forEachRemaining(columns::add);
    }
    return columns;
  }

  /**
   * A bronze table written before rows carried their check's signature: the next ingest adds the
   * column (old rows null), and etl, seeing rows without it, checks every value as before.
   */
  @Test
  void bronzeFromBeforeTheSignatureGainsTheColumnAndEtlChecksEveryValue() {
    TestProject p = TestProject.create("etl-upgrade").dataset("people", CONF);
    p.land("people", "a.csv", "id,name,score,ok\n1,Ann,1.5,true\n2,Bob,2.5,false\n");
    p.run("ingest", "--dataset", "people").expectExit(0);
    String bronze = p.catalog().bronze("people").path();
    // as an older lakeml wrote it: the same rows without the signature column
    TestSpark.session()
        .read()
        .format("delta")
        .load(bronze)
        .drop("_checked_under")
        .write()
        .format("delta")
        .mode("overwrite")
        .option("overwriteSchema", "true")
        .save(bronze);
    p.land("people", "b.csv", "id,name,score,ok\n3,Cy,3.5,true\n");
    p.run("ingest", "--dataset", "people").expectExit(0);
    assertThat(p.sql("select id, _checked_under is null as old from bronze.people order by id"))
        .extracting(m -> m.get("old"))
        .containsExactly(true, true, false);
    TestProject.Result etl = p.run("etl", "--dataset", "people").expectExit(0);
    assertThat(etl.metric("silverRows")).isEqualTo(3);
    assertThat(p.sql("select id, score from silver.people order by id"))
        .extracting(m -> m.get("score"))
        .containsExactly(1.5, 2.5, 3.5);
  }

  @Test
  void etlWithoutBronzeSaysWhatToRunFirst() {
    TestProject p = TestProject.create("etl-missing").dataset("people", CONF);
    TestProject.Result r = p.run("etl", "--dataset", "people").expectExit(1);
    assertThat((String) r.summary().get("message"))
        .contains("bronze.people does not exist yet")
        .contains("jobs/lakeml ingest --dataset people");
  }
}
