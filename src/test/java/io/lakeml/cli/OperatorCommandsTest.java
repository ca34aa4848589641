package io.lakeml.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakeml.config.ColumnType;
import io.lakeml.config.ConfigLoader;
import io.lakeml.config.DatasetConfig;
import io.lakeml.testing.TestProject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The operator commands: runs (the run ledger), tables (Delta metadata), new-dataset (a template
 * from a sample); progress lines.
 */
class OperatorCommandsTest {
  /** The JSON lines a --json listing printed, without the summary (stdout's last line). */
  private static List<Map<String, Object>> rows(TestProject.Result r) {
    List<String> lines = r.lines();
    return lines.subList(0, lines.size() - 1).stream().map(TestProject::parse).toList();
  }

  private static Map<String, Map<String, Object>> byTable(TestProject.Result r) {
    return rows(r).stream().collect(Collectors.toMap(m -> (String) m.get("table"), m -> m));
  }

  private static String customers(int from, int to) {
    StringBuilder csv = new StringBuilder("customer_id,name,age,sex,plan,monthly,signup,churn\n");
    String[] plans = {"basic", "plus", "pro"};
    for (int i = from; i <= to; i++) {
      csv.append(100 + i)
          .append(",Customer ")
          .append(i)
          .append(',')
          .append(20 + 3 * i)
          .append(',')
          .append(i % 2 == 0 ? "female" : "male")
          .append(',')
          .append(plans[i % 3])
          .append(',')
          .append(9.5 + i)
          .append(",2026-0")
          .append(1 + i % 9)
          .append("-15,")
          .append(i % 4 == 0 ? "Yes" : "No")
          .append('\n');
    }
    return csv.toString();
  }

  /**
   * One scenario, to pay for as few Spark jobs as possible: a dataset made by new-dataset from a
   * sample goes through ingest and etl, then runs and tables show what happened.
   */
  @Test
  @SuppressWarnings("unchecked")
  void newDatasetThenIngestAndEtlThenRunsAndTablesShowWhatHappened() throws IOException {
    TestProject p = TestProject.create("operator");
    Path sample = p.dir().resolve("samples/customers.csv");
    Files.createDirectories(sample.getParent());
    Files.writeString(sample, customers(1, 12));

    // ---- new-dataset: guesses, a file the real loader accepts, the sample in landing
    TestProject.Result made =
        p.run("new-dataset", "customers", "--sample", sample.toString()).expectExit(0);
    Map<String, Object> s = made.summary();
    assertThat(s)
        .containsEntry("job", "new-dataset")
        .containsEntry("dataset", "customers")
        .containsEntry("status", "SUCCEEDED")
        .containsEntry("rows", 12)
        .containsEntry("format", "csv");
    Map<String, Object> guesses = (Map<String, Object>) s.get("guesses");
    assertThat(guesses)
        .containsEntry("label", "churn")
        .containsEntry("positive", "Yes")
        .containsEntry("key", "customer_id")
        .containsEntry("numeric", List.of("age", "monthly"))
        .containsEntry("categorical", List.of("sex", "plan"))
        .containsEntry("sensitive", List.of("age", "sex"));
    assertThat((Map<String, Object>) guesses.get("notFeatures")).containsOnlyKeys("name", "signup");
    // churn is 3 of the 12 rows: the template chooses the threshold on validation rather than cut
    // at 0.5
    assertThat(guesses).containsEntry("threshold", "f1");
    // churn is bad for the person: the other value is the favorable outcome
    assertThat(guesses).containsEntry("favorable", "No");
    assertThat(made.stdout())
        .contains("label          churn (positive = \"Yes\", favorable = \"No\")")
        .contains("check before the first run:")
        .contains("then: jobs/lakeml nightly --dataset customers");

    DatasetConfig ds =
        ConfigLoader.load(p.confDir(), "local", "customers", List.of()).requireDataset();
    assertThat(ds.key()).containsExactly("customer_id");
    assertThat(ds.label().orElseThrow().column()).isEqualTo("churn");
    assertThat(ds.label().orElseThrow().positive()).contains("Yes");
    assertThat(ds.label().orElseThrow().favorable()).contains("No");
    assertThat(ds.columns())
        .extracting(c -> c.name() + ":" + c.type())
        .containsExactly(
            "customer_id:int",
            "name:string",
            "age:int",
            "sex:string",
            "plan:string",
            "monthly:double",
            "signup:date",
            "churn:string");
    assertThat(ds.features().numeric()).containsExactly("age", "monthly");
    assertThat(ds.sensitive()).isEmpty(); // proposed, commented out
    assertThat(ds.tune().threshold().rule())
        .isEqualTo(io.lakeml.config.DatasetConfig.ThresholdRule.F1);
    Path conf = p.confDir().resolve("datasets/customers.conf");
    assertThat(Files.readString(conf)).contains("#   { column = \"sex\", privileged = [\"…\"] }");
    assertThat(p.lake().resolve("landing/customers/customers.csv")).hasSameTextualContentAs(sample);

    // an existing configuration is kept unless --force
    String generated = Files.readString(conf);
    TestProject.Result refused =
        p.run("new-dataset", "customers", "--sample", sample.toString()).expectExit(2);
    assertThat(refused.stderr()).contains("already has a configuration file").contains("--force");
    assertThat(refused.summary()).containsEntry("status", "FAILED").containsEntry("exitCode", 2);
    Files.writeString(conf, generated + "# edited by hand\n");
    p.run("new-dataset", "customers", "--sample", sample.toString(), "--force").expectExit(0);
    assertThat(Files.readString(conf)).isEqualTo(generated);
    // … and a landed file is never replaced silently (files are ingested once by name)
    Files.delete(conf);
    assertThat(
            p.run("new-dataset", "customers", "--sample", sample.toString()).expectExit(2).stderr())
        .contains("landing file")
        .contains("customers.csv already exists");
    assertThat(conf).doesNotExist();
    Files.writeString(conf, generated);

    // bad input: clear messages, exit 2, nothing written
    TestProject.Result missing =
        p.run("new-dataset", "orders", "--sample", p.dir().resolve("nope.csv").toString())
            .expectExit(2);
    assertThat(missing.stderr()).contains("sample file").contains("nope.csv does not exist");
    assertThat(missing.summary())
        .containsEntry("job", "new-dataset")
        .containsEntry("status", "FAILED");
    assertThat(p.confDir().resolve("datasets/orders.conf")).doesNotExist();
    assertThat(p.run("new-dataset", "Orders", "--sample", sample.toString()).expectExit(2).stderr())
        .contains("dataset name 'Orders' is invalid");
    Path spaced = p.dir().resolve("samples/spaced.csv");
    Files.writeString(spaced, "order id,Weight,total\n1,70.5,2.5\n");
    // a landed name that is not a column name gets one, declared with landed-as (LandedNamesTest
    // ingests such files); so does one lakeml gives a column of its own (gold's weight would
    // silently replace it, ConfigLoaderTest)
    assertThat(p.run("new-dataset", "spaced", "--sample", spaced.toString()).expectExit(0).stdout())
        .contains(
            "2 landed column name(s) are not valid column names, or are names lakeml gives columns of its own")
        .contains(
            "declared under new names with landed-as ('order id' as order_id, 'Weight' as weight_value)");
    assertThat(Files.readString(p.confDir().resolve("datasets/spaced.conf")))
        .contains("name = \"order_id\",")
        .contains("landed-as = \"order id\"")
        .contains("name = \"weight_value\",")
        .contains("landed-as = \"Weight\"");

    // ---- an empty lake: a clear message, exit 0, the summary still last
    TestProject.Result none = p.run("runs").expectExit(0);
    assertThat(none.stdout()).contains("No runs recorded yet");
    assertThat(none.summary()).containsEntry("job", "runs").containsEntry("status", "SUCCEEDED");
    TestProject.Result empty = p.run("tables", "--dataset", "customers").expectExit(0);
    assertThat(empty.lines())
        .filteredOn(l -> l.startsWith("bronze.customers") || l.startsWith("gold.customers"))
        .hasSize(2)
        .allMatch(l -> l.contains("not created yet"));
    assertThat((Map<String, Object>) empty.summary().get("metrics"))
        .containsEntry("tables", 4)
        .containsEntry("existing", 0);

    // ---- the generated dataset goes through ingest and etl as it is; progress on stderr
    TestProject.Result ingest =
        p.run("ingest", "--dataset", "customers", "--run-date", "2026-11-20").expectExit(0);
    assertThat(ingest.metric("rowsBronze")).isEqualTo(12);
    assertThat(ingest.metric("rowsQuarantined")).isZero();
    assertThat(ingest.stderr())
        .containsPattern(
            "progress stage=ingest dataset=customers step=\"batch 0 written: 1 file\\(s\\) \\[customers.csv\\]\" elapsed=[0-9.]+s rows=12 .*rowsSoFar=12");
    assertThat(ingest.stdout()).doesNotContain("progress ");
    p.run("etl", "--dataset", "customers", "--run-date", "2026-11-20").expectExit(0);
    assertThat(
            p.sql(
                    "select count(*) as n, sum(age) as ages, min(signup) as first from silver.customers")
                .get(0))
        .containsEntry("n", 12)
        .containsEntry("ages", 12 * 20 + 3 * 78)
        .containsEntry("first", "2026-01-15");
    TestProject.Result skipped =
        p.run("ingest", "--dataset", "customers", "--run-date", "2026-11-21").expectExit(0);
    assertThat(skipped.status()).isEqualTo("SKIPPED");
    p.land("customers", "day-2.csv", customers(13, 14));
    p.run("ingest", "--dataset", "customers", "--run-date", "2026-11-21").expectExit(0);

    // ---- runs: the ledger as a table for people, newest first, with the skipped run's reason
    TestProject.Result text = p.run("runs").expectExit(0);
    List<String> lines = text.lines();
    assertThat(lines.get(0))
        .startsWith("started (UTC)")
        .contains("run date")
        .contains("status")
        .contains("message");
    assertThat(lines.subList(1, 5))
        .extracting(l -> l.split("\\s+")[2] + " " + l.split("\\s+")[4])
        .containsExactly("ingest SUCCEEDED", "ingest SKIPPED", "etl SUCCEEDED", "ingest SUCCEEDED");
    assertThat(lines.get(2)).contains("2026-11-21").contains("no new files in");
    assertThat(text.summary()).containsEntry("job", "runs").containsEntry("status", "SUCCEEDED");
    assertThat((Map<String, Object>) text.summary().get("metrics"))
        .containsEntry("rows", 4)
        .containsEntry("total", 4)
        .containsEntry("byStatus", Map.of("SUCCEEDED", 3, "SKIPPED", 1));

    // --json: one object per run with the whole message; --last and filters
    List<Map<String, Object>> json = rows(p.run("runs", "--json").expectExit(0));
    assertThat(json)
        .extracting(m -> m.get("job") + " " + m.get("status") + " " + m.get("runDate"))
        .containsExactly(
            "ingest SUCCEEDED 2026-11-21",
            "ingest SKIPPED 2026-11-21",
            "etl SUCCEEDED 2026-11-20",
            "ingest SUCCEEDED 2026-11-20");
    assertThat((String) json.get(1).get("message")).startsWith("no new files in ");
    assertThat(json.get(3))
        .containsEntry("dataset", "customers")
        .containsEntry("tablesWritten", Map.of("bronze.customers", 0));
    assertThat(((Map<String, Object>) json.get(3).get("metrics"))).containsEntry("rowsBronze", 12);
    assertThat(((Number) json.get(2).get("durationMs")).longValue()).isPositive();
    TestProject.Result lastOne = p.run("runs", "--last", "1").expectExit(0);
    assertThat(lastOne.lines()).hasSize(4); // header, one run, "(1 of 4 runs …)", summary
    assertThat(lastOne.stdout()).contains("(1 of 4 runs; --last N shows more)");
    assertThat((Map<String, Object>) lastOne.summary().get("metrics"))
        .containsEntry("rows", 1)
        .containsEntry("total", 4);
    assertThat(rows(p.run("runs", "--run-date", "2026-11-20", "--json").expectExit(0)))
        .extracting(m -> m.get("job"))
        .containsExactly("etl", "ingest");
    assertThat(p.run("runs", "--dataset", "other").expectExit(0).stdout())
        .contains("No runs of dataset 'other'");
    TestProject.Result badDate = p.run("runs", "--run-date", "20/11/2026").expectExit(2);
    assertThat(badDate.stderr()).contains("is not a date");
    assertThat(badDate.summary()).containsEntry("status", "FAILED").containsEntry("exitCode", 2);

    // ---- tables: Delta versions and row counts from the metadata; what is missing says so
    Map<String, Map<String, Object>> tables =
        byTable(p.run("tables", "--dataset", "customers", "--json").expectExit(0));
    assertThat(tables.keySet())
        .containsExactlyInAnyOrder(
            "bronze.customers", "silver.customers", "gold.customers", "predictions.customers");
    assertThat(tables.get("bronze.customers"))
        .containsEntry("exists", true)
        .containsEntry("version", 1)
        .containsEntry("rows", 14)
        .containsEntry("operation", "WRITE");
    assertThat(((Number) tables.get("bronze.customers").get("files")).longValue())
        .isGreaterThanOrEqualTo(2); // one append per landing file
    assertThat(tables.get("silver.customers"))
        .containsEntry("exists", true)
        .containsEntry("version", 0)
        .containsEntry("rows", 12);
    assertThat(((Number) tables.get("silver.customers").get("sizeBytes")).longValue()).isPositive();
    assertThat((String) tables.get("silver.customers").get("lastWrite"))
        .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
    assertThat(tables.get("gold.customers"))
        .containsEntry("exists", false)
        .containsEntry("note", "not created yet");

    TestProject.Result all = p.run("tables").expectExit(0);
    assertThat(all.lines().get(0))
        .startsWith("table")
        .contains("version")
        .contains("rows")
        .contains("size")
        .contains("operation");
    assertThat(all.lines())
        .anyMatch(l -> l.matches("bronze\\.customers\\s+1\\s+14\\s+\\d+\\s+.*WRITE"))
        .anyMatch(l -> l.matches("_system\\.runs\\s+\\d+\\s+4\\s+.*"))
        .anyMatch(l -> l.matches("_system\\.models\\s+not created yet"))
        .anyMatch(l -> l.matches("silver\\.titanic\\s+not created yet"));
    assertThat((Map<String, Object>) all.summary().get("metrics")).containsEntry("existing", 3);
  }

  @Test
  void roleGuessesByName() {
    assertThat(DatasetTemplate.idLike("id")).isTrue();
    assertThat(DatasetTemplate.idLike("customer_id")).isTrue();
    assertThat(DatasetTemplate.idLike("customerId")).isTrue();
    assertThat(DatasetTemplate.idLike("orderID")).isTrue();
    assertThat(DatasetTemplate.idLike("paid")).isFalse();
    assertThat(DatasetTemplate.idLike("valid")).isFalse();
    assertThat(DatasetTemplate.idLike("EmployeeNumber")).isTrue();
    assertThat(DatasetTemplate.idLike("account_no")).isTrue();
    assertThat(DatasetTemplate.idLike("number")).isFalse();
    assertThat(DatasetTemplate.idLike("casino")).isFalse();
    assertThat(DatasetTemplate.nameMatches("Survived", "survived")).isTrue();
    assertThat(DatasetTemplate.nameMatches("is_churn", "churn")).isTrue();
    assertThat(DatasetTemplate.nameMatches("Churned", "churn")).isTrue();
    assertThat(DatasetTemplate.nameMatches("defaultFlag", "default")).isTrue();
    assertThat(DatasetTemplate.nameMatches("y", "y")).isTrue();
    assertThat(DatasetTemplate.nameMatches("year", "y")).isFalse();
    assertThat(DatasetTemplate.nameMatches("passage", "age")).isFalse();
    assertThat(DatasetTemplate.nameMatches("age_years", "age")).isTrue();
    assertThat(
            DatasetTemplate.columnType(
                org.apache.spark.sql.types.DataTypes.createDecimalType(10, 2)))
        .isEqualTo(ColumnType.DOUBLE);
    assertThat(DatasetTemplate.quote("a\"b")).isEqualTo("\"a\\\"b\"");
  }

  @Test
  void theTemplateProposesNoIdentifierOrConstantAsAFeatureAndKnowsCommonLabelNames() {
    // an HR-attrition-like sample: an employee number, two constant columns, a row number under
    // another name
    StringBuilder csv =
        new StringBuilder(
            "Age,Attrition,EmployeeNumber,Over18,StandardHours,badge,MonthlyIncome,OverTime\n");
    for (int i = 0; i < 120; i++) {
      csv.append(18 + i % 40)
          .append(',')
          .append(i % 6 == 0 ? "Yes" : "No")
          .append(',')
          .append(1000 + i)
          .append(",Y,80,")
          .append(500 + (i * 7) % 120)
          .append(',')
          .append(2000 + (i * 7919) % 15000)
          .append(',')
          .append(i % 3 == 0 ? "Yes" : "No")
          .append('\n');
    }
    org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> df =
        io.lakeml.testing.TestSpark.session()
            .read()
            .option("header", "true")
            .option("inferSchema", "true")
            .csv(
                io.lakeml.testing.TestSpark.session()
                    .createDataset(
                        List.of(csv.toString().split("\n")),
                        org.apache.spark.sql.Encoders.STRING()));
    DatasetTemplate.Guess g =
        DatasetTemplate.guess("hr", io.lakeml.config.DatasetConfig.Format.CSV, Map.of(), df);
    assertThat(g.key()).isEqualTo("EmployeeNumber");
    assertThat(g.label()).isEqualTo("Attrition");
    assertThat(g.positive()).isEqualTo("Yes");
    assertThat(g.numeric()).containsExactly("Age", "MonthlyIncome");
    assertThat(g.categorical()).containsExactly("OverTime");
    assertThat(g.leftOut()).containsOnlyKeys("Over18", "StandardHours", "badge");
    assertThat(g.leftOut().get("StandardHours")).contains("the same value (80) in every row");
    assertThat(g.leftOut().get("badge"))
        .contains("a different whole number in every row, 500 to 619");
    assertThat(g.threshold()).isEqualTo("f1"); // 20 of 120 rows leave
    assertThat(g.favorable()).isEqualTo("No");
    // a balanced label keeps the default cut
    org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> balanced =
        df.withColumn(
            "Attrition",
            org.apache.spark.sql.functions.expr("CASE WHEN Age % 2 = 0 THEN 'Yes' ELSE 'No' END"));
    assertThat(
            DatasetTemplate.guess(
                    "hr", io.lakeml.config.DatasetConfig.Format.CSV, Map.of(), balanced)
                .threshold())
        .isNull();
  }

  @Test
  void aLabelNamedLikeOneWithAFewValuesIsMulticlassAndWinsOverAnUnnamedTwoValuedColumn(
      @org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
    // iris-like: a two-valued column that is not named like a label, a repeated three-valued
    // "species", a "passengerClass" feature
    StringBuilder csv = new StringBuilder("petal_length,sex,passengerClass,species\n");
    for (int i = 0; i < 60; i++) {
      csv.append(1 + (i * 37) % 50 / 10.0)
          .append(',')
          .append(i % 2 == 0 ? "f" : "m")
          .append(',')
          .append(i % 3 + 1)
          .append("st,")
          .append(List.of("setosa", "versicolor", "virginica").get(i % 3))
          .append('\n');
    }
    org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> df =
        io.lakeml.testing.TestSpark.session()
            .read()
            .option("header", "true")
            .option("inferSchema", "true")
            .csv(
                io.lakeml.testing.TestSpark.session()
                    .createDataset(
                        List.of(csv.toString().split("\n")),
                        org.apache.spark.sql.Encoders.STRING()));
    DatasetTemplate.Guess g =
        DatasetTemplate.guess("flowers", io.lakeml.config.DatasetConfig.Format.CSV, Map.of(), df);
    assertThat(g.label()).isEqualTo("species");
    assertThat(g.positive()).isNull();
    assertThat(g.threshold()).isNull();
    assertThat(g.categorical()).contains("sex", "passengerClass");
    assertThat(g.checks())
        .anyMatch(
            c ->
                c.startsWith(
                    "label 'species' is multiclass (3 classes in the sample: [setosa, versicolor, virginica])"));
    // the file it writes is a valid multiclass dataset
    String conf = DatasetTemplate.render(g, "flowers.csv");
    assertThat(conf).contains("  label { column = \"species\" }\n");
    Files.createDirectories(dir.resolve("datasets"));
    Files.writeString(dir.resolve("local.conf"), "lake.root = \"" + dir.resolve("lake") + "\"\n");
    Files.writeString(dir.resolve("datasets/flowers.conf"), conf);
    io.lakeml.config.DatasetConfig ds =
        ConfigLoader.load(dir, "local", "flowers", List.of()).requireDataset();
    assertThat(ds.label().orElseThrow().column()).isEqualTo("species");
    assertThat(ds.label().orElseThrow().positive()).isEmpty();

    // 25 categories: more than the guess takes, so no label, but the check names the column and how
    // to declare it, and the commented label line shows the multiclass form
    StringBuilder many = new StringBuilder("x,category\n");
    for (int i = 0; i < 100; i++) {
      many.append(i % 7).append(",c").append(i % 25).append('\n');
    }
    DatasetTemplate.Guess g25 =
        DatasetTemplate.guess(
            "many",
            io.lakeml.config.DatasetConfig.Format.CSV,
            Map.of(),
            io.lakeml.testing.TestSpark.session()
                .read()
                .option("header", "true")
                .option("inferSchema", "true")
                .csv(
                    io.lakeml.testing.TestSpark.session()
                        .createDataset(
                            List.of(many.toString().split("\n")),
                            org.apache.spark.sql.Encoders.STRING())));
    assertThat(g25.label()).isNull();
    assertThat(g25.checks())
        .contains(
            "'category' is named like a label but has 25 values in the sample: if it is the label (multiclass), set label { column = category } without positive.");
    assertThat(DatasetTemplate.render(g25, "many.csv"))
        .contains(
            "  # label { column = category }                # a label of three or more classes");
  }

  @Test
  void progressLinesAreOneLineOfKeyValuePairs() {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    java.io.PrintStream redirected =
        io.lakeml.core.Progress.redirect(
            new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      io.lakeml.core.Progress.report(
          "tune",
          "shop",
          System.nanoTime(),
          "fit 3/12 logistic-regression candidate 1/4 fold 3/3",
          "rows",
          785,
          "metric",
          0.84021);
      io.lakeml.core.Progress.report(
          "ingest", null, System.nanoTime(), "say \"hi\"", "file", "a b.csv");
    } finally {
      io.lakeml.core.Progress.restore(redirected);
    }
    assertThat(bytes.toString(java.nio.charset.StandardCharsets.UTF_8).lines().toList())
        .satisfiesExactly(
            l ->
                assertThat(l)
                    .matches(
                        "progress stage=tune dataset=shop step=\"fit 3/12 logistic-regression candidate 1/4 fold 3/3\" elapsed=0\\.\\ds rows=785 metric=0\\.8402"),
            l ->
                assertThat(l)
                    .matches(
                        "progress stage=ingest step=\"say \\\\\"hi\\\\\"\" elapsed=0\\.\\ds file=\"a b.csv\""));
  }
}
