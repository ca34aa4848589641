package io.lakeml.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakeml.testing.TestProject;
import io.lakeml.testing.TestSpark;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** Files with planted defects of every kind: nothing is silently dropped. */
class MalformedInputTest {
  private static final String SCHEMA =
      """
      schema = [ { name = id, type = int }, { name = name, type = string }, { name = score, type = double }, { name = day, type = date } ]
      key = [id]
      """;

  @Test
  void csvDefectsAreQuarantinedWithReasonAndRawLine() {
    TestProject p =
        TestProject.create("malformed-csv")
            .dataset("defects", "dataset { source.format = csv\n" + SCHEMA + "}\n");
    p.land(
        "defects",
        "part-1.csv",
        """
        id,name,score,day
        1,alice,1.5,2026-01-01
        2,bob,2.5
        3,carol,3.5,2026-01-03,extra
        4,"dave,4.5,2026-01-04
        5,erin,abc,2026-01-05
        6,frank,6.5,2026-13-45
        7,"grace, g",7.5,2026-01-07
        8,heidi,NA,
        x9,ivan,9.5,2026-01-09
        10, judy ,10.5,2026-01-10
        """);
    TestProject.Result r = p.run("ingest", "--dataset", "defects").expectExit(0);
    assertThat(r.status()).isEqualTo("SUCCEEDED");
    assertThat(r.metric("rowsRead")).isEqualTo(10);
    assertThat(r.metric("rowsBronze")).isEqualTo(4);
    assertThat(r.metric("rowsQuarantined")).isEqualTo(6);
    assertThat(r.metric("rowsRead"))
        .isEqualTo(r.metric("rowsBronze") + r.metric("rowsQuarantined"));
    assertThat(r.metrics().get("quarantinedByKind"))
        .isEqualTo(Map.of("malformed", 3, "unparsable", 3));

    assertThat(p.sql("select id from bronze.defects order by cast(id as int)"))
        .extracting(m -> m.get("id"))
        .containsExactly("1", "7", "8", "10");
    assertThat(p.sql("select name from bronze.defects where id = '7'").get(0))
        .containsEntry("name", "grace, g");
    assertThat(
            p.sql("select _source_file, _run_id, _ingested_at from bronze.defects limit 1").get(0))
        .containsEntry("_run_id", r.summary().get("runId"))
        .hasEntrySatisfying(
            "_source_file", f -> assertThat((String) f).endsWith("landing/defects/part-1.csv"))
        .containsKey("_ingested_at");

    List<Map<String, Object>> q =
        p.sql(
            "select raw_record, reason, stage, source_file from _system.quarantine where dataset = 'defects' order by raw_record");
    assertThat(q).hasSize(6);
    assertThat(q).extracting(m -> m.get("stage")).containsOnly("ingest");
    Map<String, String> reasons = new java.util.HashMap<>();
    for (Map<String, Object> row : q) {
      reasons.put((String) row.get("raw_record"), (String) row.get("reason"));
    }
    assertThat(reasons)
        .containsEntry("2,bob,2.5", "malformed CSV record: has 3 fields, the header has 4");
    assertThat(reasons)
        .containsEntry(
            "3,carol,3.5,2026-01-03,extra", "malformed CSV record: has 5 fields, the header has 4");
    assertThat(reasons)
        .containsEntry(
            "4,\"dave,4.5,2026-01-04", "malformed CSV record: broken quoting (unterminated quote)");
    assertThat(
            reasons.get(
                "{\"id\":\"5\",\"name\":\"erin\",\"score\":\"abc\",\"day\":\"2026-01-05\"}"))
        .isEqualTo("unparsable value: score='abc' is not a valid double");
    assertThat(
            reasons.get(
                "{\"id\":\"6\",\"name\":\"frank\",\"score\":\"6.5\",\"day\":\"2026-13-45\"}"))
        .isEqualTo("unparsable value: day='2026-13-45' is not a valid date");
    assertThat(
            reasons.get(
                "{\"id\":\"x9\",\"name\":\"ivan\",\"score\":\"9.5\",\"day\":\"2026-01-09\"}"))
        .isEqualTo("unparsable value: id='x9' is not a valid int");
    assertThat(q)
        .extracting(m -> (String) m.get("source_file"))
        .allMatch(f -> f.endsWith("part-1.csv"));
  }

  @Test
  void jsonDefectsAreQuarantinedAndBlankLinesCounted() {
    TestProject p =
        TestProject.create("malformed-json")
            .dataset(
                "jdefects",
                "dataset { source.format = json\nsource.schema-drift = quarantine\n"
                    + SCHEMA
                    + "}\n");
    p.land(
        "jdefects",
        "drop-1.json",
        """
        {"id": 1, "name": "a", "score": 1.5, "day": "2026-01-01"}
        {"id": 2, "name": "b", "score": "2.5"}
        {"id": 3, "name": "c", "score":
        not json at all
        [1, 2, 3]
        {"id": "x", "name": "d", "score": 1}

        {"id": 7, "name": "e", "score": 7.0, "colour": "red"}
        """);
    TestProject.Result r = p.run("ingest", "--dataset", "jdefects").expectExit(0);
    assertThat(r.metric("rowsRead")).isEqualTo(7);
    assertThat(r.metric("rowsBronze")).isEqualTo(2);
    assertThat(r.metric("rowsQuarantined")).isEqualTo(5);
    assertThat(r.metric("blankLines")).isEqualTo(1);
    assertThat(r.metrics().get("quarantinedByKind"))
        .isEqualTo(Map.of("malformed", 3, "unparsable", 1, "schema_drift", 1));
    assertThat(p.sql("select id, score, day from bronze.jdefects order by id"))
        .containsExactly(
            Map.of("id", "1", "score", "1.5", "day", "2026-01-01"),
            Map.of("id", "2", "score", "2.5"));
    List<Map<String, Object>> q =
        p.sql(
            "select raw_record, reason from _system.quarantine where dataset = 'jdefects' order by raw_record");
    assertThat(q)
        .extracting(m -> m.get("reason"))
        .containsExactly(
            "malformed JSON record: not a valid JSON object", // [1, 2, 3]
            "malformed JSON record: not a valid JSON object", // not json at all
            "unparsable value: id='x' is not a valid int",
            "malformed JSON record: not a valid JSON object", // truncated object
            "schema drift: unexpected field(s) [colour]");
    assertThat(q.get(1).get("raw_record")).isEqualTo("not json at all");
  }

  @Test
  void parquetValuesThatDoNotParseAreQuarantinedNotCoerced() {
    TestProject p =
        TestProject.create("malformed-parquet")
            .dataset("pq", "dataset { source.format = parquet\n" + SCHEMA + "}\n");
    StructType s =
        new StructType()
            .add("id", DataTypes.LongType)
            .add("name", DataTypes.StringType)
            .add("score", DataTypes.StringType)
            .add("day", DataTypes.DateType);
    Dataset<Row> df =
        TestSpark.session()
            .createDataFrame(
                List.of(
                    RowFactory.create(1L, "a", "1.25", java.sql.Date.valueOf("2026-01-01")),
                    RowFactory.create(2L, "b", "n/a", java.sql.Date.valueOf("2026-01-02")),
                    RowFactory.create(3_000_000_000L, "c", "3", null)),
                s);
    df.coalesce(1).write().parquet(p.lake().resolve("landing/pq/batch-1").toString());
    TestProject.Result r = p.run("ingest", "--dataset", "pq").expectExit(0);
    assertThat(r.metric("rowsRead")).isEqualTo(3);
    assertThat(r.metric("rowsBronze")).isEqualTo(1);
    assertThat(p.sql("select reason from _system.quarantine where dataset = 'pq' order by reason"))
        .extracting(m -> m.get("reason"))
        .containsExactly(
            "unparsable value: id='3000000000' is not a valid int",
            "unparsable value: score='n/a' is not a valid double");
    assertThat(p.sql("select id, score, day from bronze.pq"))
        .containsExactly(Map.of("id", "1", "score", "1.25", "day", "2026-01-01"));
  }
}
