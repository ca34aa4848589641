package io.lakeml.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakeml.testing.TestProject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Exports as other tools write them, from a new user's second round of samples: RFC 4180 quoting (a
 * quote inside a quoted field doubled, as Excel, pandas and Python's csv module write it).
 */
class ExportQuirksTest {
  @Test
  void doubledQuotesInsideQuotedFieldsLandAsOneQuoteAndNoRowIsQuarantined() throws Exception {
    TestProject p = TestProject.create("rfc4180");
    Path sample = p.dir().resolve("samples/tickets.csv");
    Files.createDirectories(sample.getParent());
    Files.writeString(
        sample,
        "ticket_id,notes,priority,escalated\n"
            + "1,\"slow, very slow, app crashes on \"\"save\"\"\",high,yes\n"
            + "2,plain note,low,no\n"
            + "3,\"\"\"quoted\"\" at the start\",low,no\n"
            + "4,\"commas, only\",high,yes\n");
    TestProject.Result made =
        p.run("new-dataset", "tickets", "--sample", sample.toString()).expectExit(0);
    assertThat(made.stderr() + made.stdout()).doesNotContain("line break inside a quoted field");
    TestProject.Result ingest = p.run("ingest", "--dataset", "tickets").expectExit(0);
    assertThat(ingest.metric("rowsBronze")).isEqualTo(4);
    assertThat(ingest.metric("rowsQuarantined")).isEqualTo(0);
    p.run("etl", "--dataset", "tickets").expectExit(0);
    assertThat(p.sql("SELECT ticket_id, notes FROM silver.tickets ORDER BY ticket_id"))
        .containsExactly(
            Map.of("ticket_id", 1, "notes", "slow, very slow, app crashes on \"save\""),
            Map.of("ticket_id", 2, "notes", "plain note"),
            Map.of("ticket_id", 3, "notes", "\"quoted\" at the start"),
            Map.of("ticket_id", 4, "notes", "commas, only"));
  }

  @Test
  void aBinaryLabelWrittenInSeveralCasesIsOneAnswerFromNewDatasetToGold() throws Exception {
    TestProject p = TestProject.create("label-spellings");
    Path sample = p.dir().resolve("samples/leads.csv");
    Files.createDirectories(sample.getParent());
    String[] yes = {"yes", "Yes", " YES", "YES "};
    String[] no = {"no", "No", "NO"};
    StringBuilder csv = new StringBuilder("lead_id,visits,converted\n");
    int yesRows = 0;
    for (int i = 0; i < 140; i++) {
      boolean converted = i % 7 < 4; // 80 of 140
      yesRows += converted ? 1 : 0;
      String answer = converted ? yes[i % yes.length] : no[i % no.length];
      csv.append(i).append(',').append(i % 13).append(',').append(answer).append('\n');
    }
    Files.writeString(sample, csv.toString());
    TestProject.Result made =
        p.run("new-dataset", "leads", "--sample", sample.toString()).expectExit(0);
    assertThat(made.stderr() + made.stdout())
        .contains("writes its two answers in 7 ways")
        .contains("regardless of case");
    String conf = Files.readString(p.confDir().resolve("datasets/leads.conf"));
    assertThat(conf).containsPattern("column = \"?converted\"?,\\s*positive = \"yes\"");
    p.run("ingest", "--dataset", "leads").expectExit(0);
    p.run("etl", "--dataset", "leads").expectExit(0);
    p.run("prepare", "--dataset", "leads").expectExit(0);
    // every spelling of yes is the positive class (etl trims; the case is ignored), every other 0
    assertThat(
            p.sql(
                "SELECT sum(g.label) AS positives, count(*) AS n, "
                    + "count_if(g.label <> CASE WHEN lower(s.converted) = 'yes' THEN 1 ELSE 0 END) AS wrong "
                    + "FROM gold.leads g JOIN silver.leads s ON g.lead_id = s.lead_id"))
        .containsExactly(Map.of("positives", (double) yesRows, "n", 140, "wrong", 0));
  }

  @Test
  void adultsIncomeWithItsTestFilesFullStopsIsTheLabelNotSexAndOneAnswerPerClassToGold()
      throws Exception {
    // UCI Adult as downloaded: a space after every comma, "?" for unknown, and the test file's
    // labels end in a full stop (" >50K."), so the sample shows four incomes and two sexes
    TestProject p = TestProject.create("adult-income");
    Path sample = p.dir().resolve("samples/adult.csv");
    Files.createDirectories(sample.getParent());
    StringBuilder csv = new StringBuilder("age,workclass,sex,hours-per-week,income\n");
    int high = 0;
    for (int i = 0; i < 150; i++) {
      boolean rich = i % 5 < 2;
      high += rich ? 1 : 0;
      csv.append(20 + i % 47)
          .append(", ")
          .append(i % 9 == 0 ? "?" : i % 2 == 0 ? "Private" : "State-gov")
          .append(", ")
          .append(i % 3 == 0 ? "Female" : "Male")
          .append(", ")
          .append(30 + i % 29)
          .append(", ")
          .append(rich ? ">50K" : "<=50K")
          .append(i >= 100 ? "." : "")
          .append('\n');
    }
    Files.writeString(sample, csv.toString());
    TestProject.Result made =
        p.run("new-dataset", "adult", "--sample", sample.toString()).expectExit(0);
    assertThat(made.stderr() + made.stdout())
        .contains("writes its two answers in 4 ways")
        .contains("a final full stop");
    String conf = Files.readString(p.confDir().resolve("datasets/adult.conf"));
    assertThat(conf).containsPattern("label \\{ column = \"?income\"?,\\s*positive = \">50K\"");
    p.run("ingest", "--dataset", "adult").expectExit(0);
    p.run("etl", "--dataset", "adult").expectExit(0);
    p.run("prepare", "--dataset", "adult").expectExit(0);
    // with and without the full stop, each income is one class: 20 of the positives end in one
    assertThat(
            p.sql(
                "SELECT count_if(income LIKE '%>50K%') AS positives, count(*) AS n FROM silver.adult"))
        .containsExactly(Map.of("positives", high, "n", 150));
    assertThat(p.sql("SELECT sum(label) AS positives, count(*) AS n FROM gold.adult"))
        .containsExactly(Map.of("positives", (double) high, "n", 150));
  }

  @Test
  void aColumnNamedYIsTheLabelBesideAColumnNamedLikeOne() throws Exception {
    // UCI's bank marketing file: ';' between quoted fields, the customer's credit "default"
    // (yes/no) beside the campaign's outcome "y" (yes/no), which is the label
    TestProject p = TestProject.create("bank-marketing");
    Path sample = p.dir().resolve("samples/bank-full.csv");
    Files.createDirectories(sample.getParent());
    StringBuilder csv =
        new StringBuilder("\"age\";\"job\";\"default\";\"balance\";\"duration\";\"y\"\n");
    for (int i = 0; i < 120; i++) {
      csv.append(25 + i % 40)
          .append(";\"")
          .append(i % 3 == 0 ? "admin." : i % 3 == 1 ? "technician" : "unknown")
          .append("\";\"")
          .append(i % 30 == 0 ? "yes" : "no")
          .append("\";")
          .append(i * 37 % 2000 - 300)
          .append(';')
          .append(60 + i * 13 % 600)
          .append(";\"")
          .append(i % 4 == 0 ? "yes" : "no")
          .append("\"\n");
    }
    Files.writeString(sample, csv.toString());
    p.run("new-dataset", "bank", "--sample", sample.toString()).expectExit(0);
    String conf = Files.readString(p.confDir().resolve("datasets/bank.conf"));
    assertThat(conf).containsPattern("label \\{ column = \"?y\"?,\\s*positive = \"yes\"");
    assertThat(conf).containsPattern("categorical = \\[[^]]*\"?default\"?");
    p.run("ingest", "--dataset", "bank").expectExit(0);
    assertThat(p.sql("SELECT count_if(y = 'yes') AS yes, count(*) AS n FROM bronze.bank"))
        .containsExactly(Map.of("yes", 30, "n", 120));
  }

  @Test
  void amongSeveralYesNoColumnsTheLastOneIsTheGuessedLabelUnlessItIsASensitiveAttribute()
      throws Exception {
    // UCI's heart failure records: five 0/1 conditions, then the target DEATH_EVENT, last
    TestProject p = TestProject.create("heart-failure");
    Path sample = p.dir().resolve("samples/heart_failure_clinical_records_dataset.csv");
    Files.createDirectories(sample.getParent());
    StringBuilder csv =
        new StringBuilder("age,anaemia,diabetes,ejection_fraction,sex,smoking,time,DEATH_EVENT\n");
    for (int i = 0; i < 90; i++) {
      csv.append(40 + i % 50)
          .append(',')
          .append(i % 2)
          .append(',')
          .append(i % 3 == 0 ? 1 : 0)
          .append(',')
          .append(20 + i % 40)
          .append(',')
          .append(i % 5 < 3 ? 1 : 0)
          .append(',')
          .append(i % 7 == 0 ? 1 : 0)
          .append(',')
          .append(4 + i * 3 % 280)
          .append(',')
          .append(i % 3 == 1 ? 1 : 0)
          .append('\n');
    }
    Files.writeString(sample, csv.toString());
    TestProject.Result made =
        p.run("new-dataset", "heart", "--sample", sample.toString()).expectExit(0);
    assertThat(made.stdout()).contains("it is the last of the 5 columns with two values");
    String conf = Files.readString(p.confDir().resolve("datasets/heart.conf"));
    assertThat(conf).containsPattern("label \\{ column = \"?DEATH_EVENT\"?,\\s*positive = \"1\"");
    // the same columns with sex last: no guess, the two-valued columns listed
    String sexLast =
        csv.toString()
            .lines()
            .map(
                l -> {
                  String[] f = l.split(",");
                  return String.join(",", f[0], f[1], f[2], f[3], f[5], f[6], f[7], f[4]);
                })
            .collect(java.util.stream.Collectors.joining("\n", "", "\n"));
    Path other = p.dir().resolve("samples/sex_last.csv");
    Files.writeString(other, sexLast);
    TestProject.Result none =
        p.run("new-dataset", "heart2", "--sample", other.toString()).expectExit(0);
    assertThat(none.stdout()).contains("no label found (two-valued columns:");
    assertThat(Files.readString(p.confDir().resolve("datasets/heart2.conf")))
        .doesNotContainPattern("(?m)^\\s*label \\{");
  }

  @Test
  void spaceSeparatedRecordsWithCodedCategoriesAndNoHeaderAreReadByPosition() throws Exception {
    // UCI's german.data: no header line, values between single spaces, categories coded A11, A34
    // (letters, so the first line looked like a header), the class (1 good, 2 bad) last
    TestProject p = TestProject.create("german-credit");
    Path sample = p.dir().resolve("samples/german.data");
    Files.createDirectories(sample.getParent());
    StringBuilder data = new StringBuilder();
    for (int i = 0; i < 60; i++) {
      data.append("A1")
          .append(1 + i % 4)
          .append(' ')
          .append(6 + i * 7 % 60)
          .append(" A3")
          .append(i % 5)
          .append(' ')
          .append(250 + i * 311 % 15000)
          .append(' ')
          .append(i % 3 == 0 ? 2 : 1)
          .append('\n');
    }
    Files.writeString(sample, data.toString());
    TestProject.Result made =
        p.run("new-dataset", "german", "--sample", sample.toString(), "--format", "csv")
            .expectExit(0);
    assertThat(made.stdout()).contains("the sample has no header line");
    String conf = Files.readString(p.confDir().resolve("datasets/german.conf"));
    assertThat(conf)
        .contains("options { header = \"false\", delimiter = \" \" }")
        .containsPattern("label \\{ column = \"?col_5\"?");
    TestProject.Result ingest = p.run("ingest", "--dataset", "german").expectExit(0);
    assertThat(ingest.metrics())
        .containsEntry("rowsBronze", 60)
        .containsEntry("rowsQuarantined", 0);
    assertThat(
            p.sql(
                "SELECT count_if(col_1 = 'A11') AS a11, count_if(col_5 = '2') AS bad FROM bronze.german"))
        .containsExactly(Map.of("a11", 15, "bad", 20));
  }

  @Test
  void theLastColumnWithAFewRepeatedValuesIsAMulticlassLabelWhenNoneIsNamed() throws Exception {
    // UCI's wine quality: ';' between quoted names, quality 3 to 8 last
    TestProject p = TestProject.create("wine-quality");
    Path sample = p.dir().resolve("samples/winequality-red.csv");
    Files.createDirectories(sample.getParent());
    StringBuilder csv = new StringBuilder("\"fixed acidity\";\"pH\";\"alcohol\";\"quality\"\n");
    for (int i = 0; i < 80; i++) {
      csv.append(5 + i % 9 * 0.7)
          .append(';')
          .append(3 + i % 11 * 0.1)
          .append(';')
          .append(9 + i % 13 * 0.4)
          .append(';')
          .append(3 + i % 6)
          .append('\n');
    }
    Files.writeString(sample, csv.toString());
    TestProject.Result made =
        p.run("new-dataset", "wine", "--sample", sample.toString()).expectExit(0);
    assertThat(made.stdout())
        .contains("label 'quality' is a guess: it is the last column and has 6 values");
    String conf = Files.readString(p.confDir().resolve("datasets/wine.conf"));
    assertThat(conf).containsPattern("(?m)^\\s*label \\{ column = \"quality\" \\}");
  }

  @Test
  void aHeaderEndingWithADelimiterLosesItsEmptyColumnAndAValueUnderItIsQuarantined()
      throws Exception {
    // Kaggle's breast-cancer data.csv ends every line with a comma: one more, unnamed, column
    TestProject p = TestProject.create("trailing-comma");
    Path sample = p.dir().resolve("samples/data.csv");
    Files.createDirectories(sample.getParent());
    StringBuilder csv = new StringBuilder("\"id\",\"diagnosis\",\"radius_mean\",\n");
    for (int i = 0; i < 30; i++) {
      csv.append(842302 + i)
          .append(',')
          .append(i % 3 == 0 ? "M" : "B")
          .append(',')
          .append(10 + i % 7 + 0.25)
          .append(",\n");
    }
    Files.writeString(sample, csv.toString());
    TestProject.Result made =
        p.run("new-dataset", "wdbc", "--sample", sample.toString()).expectExit(0);
    assertThat(made.stderr() + made.stdout())
        .contains("the header ends with a delimiter: its unnamed last column is empty");
    String conf = Files.readString(p.confDir().resolve("datasets/wdbc.conf"));
    assertThat(conf)
        .containsPattern("label \\{ column = \"?diagnosis\"?,\\s*positive = \"M\"")
        .doesNotContain("_c3");
    // a later file, one of whose rows has a value where the others end
    p.land(
        "wdbc",
        "day-2.csv",
        "id,diagnosis,radius_mean,\n900001,B,11.5,\n900002,M,19.25,oops\n900003,B,12.0,\n");
    TestProject.Result ingest = p.run("ingest", "--dataset", "wdbc").expectExit(0);
    assertThat(ingest.metric("rowsBronze")).isEqualTo(32);
    assertThat(ingest.metric("rowsQuarantined")).isEqualTo(1);
    assertThat(
            p.sql(
                "SELECT raw_record, reason FROM _system.quarantine WHERE dataset = 'wdbc' AND stage = 'ingest'"))
        .singleElement()
        .satisfies(
            r -> {
              assertThat((String) r.get("reason"))
                  .contains("a value under the header's unnamed last column");
              assertThat((String) r.get("raw_record")).contains("900002").contains("oops");
            });
    p.run("etl", "--dataset", "wdbc").expectExit(0);
    assertThat(p.sql("SELECT count(*) AS n, sum(radius_mean) AS r FROM silver.wdbc"))
        .containsExactly(Map.of("n", 32, "r", 392.5 + 11.5 + 12.0));
  }

  @Test
  void aFileWithoutAHeaderLineIsReadByPositionAndItsFirstRecordIsKept() throws Exception {
    // UCI's processed.cleveland.data and adult.data have no header line
    TestProject p = TestProject.create("headerless");
    Path sample = p.dir().resolve("samples/cleveland.data");
    Files.createDirectories(sample.getParent());
    StringBuilder csv = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      csv.append(40 + i % 30)
          .append(".0,")
          .append(i % 2)
          .append(".0,")
          .append(i % 10 == 0 ? "?" : String.valueOf(120 + i))
          .append(',')
          .append(i % 5)
          .append('\n');
    }
    Files.writeString(sample, csv.toString());
    TestProject.Result made =
        p.run("new-dataset", "heart", "--format", "csv", "--sample", sample.toString())
            .expectExit(0);
    assertThat(made.stderr() + made.stdout())
        .contains("the sample has no header line")
        .contains("named col_1 … col_4 in file order");
    String conf = Files.readString(p.confDir().resolve("datasets/heart.conf"));
    assertThat(conf).contains("header = \"false\"").contains("name = \"col_1\"");
    // a later file, one of whose records is short of a field
    p.land("heart", "day-2.data.csv", "71.0,1.0,150,3\n72.0,0.0,151\n");
    TestProject.Result ingest = p.run("ingest", "--dataset", "heart").expectExit(0);
    assertThat(ingest.metric("rowsBronze")).isEqualTo(41);
    assertThat(ingest.metric("rowsQuarantined")).isEqualTo(1);
    p.run("etl", "--dataset", "heart").expectExit(0);
    // the first record of each file is data, not a header: the sample's first and 31st records
    // have age 40
    assertThat(
            p.sql(
                "SELECT count(*) AS n, count_if(col_1 = 40.0) AS forty,"
                    + " count_if(col_1 = 71.0 AND col_3 = 150) AS later FROM silver.heart"))
        .containsExactly(Map.of("n", 41, "forty", 2, "later", 1));
  }

  @Test
  @SuppressWarnings("unchecked")
  void aJsonObjectsFieldsBecomeDerivedFeaturesReadFromItsJsonText() throws Exception {
    TestProject p = TestProject.create("nested-json");
    Path sample = p.dir().resolve("samples/events.jsonl");
    Files.createDirectories(sample.getParent());
    StringBuilder json = new StringBuilder();
    String[] countries = {"DE", "FR", "US"};
    for (int i = 0; i < 120; i++) {
      json.append("{\"event_id\": ")
          .append(i)
          .append(", \"user\": {\"age\": ")
          .append(18 + i % 50)
          .append(", \"country\": \"")
          .append(countries[i % 3])
          .append("\", \"home page\": \"x\"}, \"amount\": ")
          .append(i % 17 + 0.5)
          .append(", \"fraud\": ")
          .append(i % 5 == 0)
          .append("}\n");
    }
    Files.writeString(sample, json.toString());
    TestProject.Result made =
        p.run("new-dataset", "events", "--sample", sample.toString()).expectExit(0);
    assertThat(made.stdout())
        .contains("its fields are features through prepare.derived: user_age, user_country");
    String conf = Files.readString(p.confDir().resolve("datasets/events.conf"));
    assertThat(conf)
        .contains(
            "{ name = \"user_age\", expression = \"try_cast(get_json_object(user, '$.age') AS double)\", kind = numeric }")
        .contains(
            "{ name = \"user_country\", expression = \"get_json_object(user, '$.country')\", kind = categorical }");
    p.run("ingest", "--dataset", "events").expectExit(0);
    p.run("etl", "--dataset", "events").expectExit(0);
    TestProject.Result prepare = p.run("prepare", "--dataset", "events").expectExit(0);
    assertThat((List<Map<String, Object>>) prepare.metrics().get("labelAssociation"))
        .extracting(m -> m.get("feature"))
        .contains("user_age", "user_country");
  }

  @Test
  @SuppressWarnings("unchecked")
  void aCompoundValuesPartsBecomeDerivedFeatures() throws Exception {
    // Kaggle's Spaceship Titanic: Cabin is deck/number/side ("B/0/P"), hundreds of distinct values
    // as a whole, a few decks and two sides as parts
    TestProject p = TestProject.create("spaceship");
    Path sample = p.dir().resolve("samples/train.csv");
    Files.createDirectories(sample.getParent());
    StringBuilder csv =
        new StringBuilder("PassengerId,HomePlanet,CryoSleep,Cabin,Age,Transported\n");
    for (int i = 0; i < 160; i++) {
      boolean cryo = i % 3 == 0;
      csv.append(String.format("%04d_%02d", i / 2 + 1, i % 2 + 1))
          .append(',')
          .append(i % 4 == 0 ? "Europa" : "Earth")
          .append(',')
          .append(i % 17 == 0 ? "" : cryo ? "True" : "False")
          .append(',')
          .append(
              i % 23 == 0
                  ? ""
                  : "ABCDEFG".charAt(i % 7) + "/" + (i * 7 % 300) + "/" + (i % 2 == 0 ? "P" : "S"))
          .append(',')
          .append(20 + i % 50)
          .append(',')
          .append(cryo || i % 5 == 0 ? "True" : "False")
          .append('\n');
    }
    Files.writeString(sample, csv.toString());
    TestProject.Result made =
        p.run("new-dataset", "spaceship", "--sample", sample.toString()).expectExit(0);
    assertThat(made.stdout())
        .contains("whose parts are features through prepare.derived: Cabin_1, Cabin_2, Cabin_3");
    String conf = Files.readString(p.confDir().resolve("datasets/spaceship.conf"));
    assertThat(conf)
        .contains(
            "{ name = \"Cabin_1\", expression = \"try_element_at(split(Cabin, '[/]'), 1)\", kind = categorical }")
        .contains(
            "{ name = \"Cabin_2\", expression = \"try_cast(try_element_at(split(Cabin, '[/]'), 2) AS double)\", kind = numeric }")
        .containsPattern("label \\{ column = \"?Transported\"?")
        // Spark read True/False as booleans; silver keeps them as written, so the allowed values
        // are every case Spark reads (before, ["false", "true"] failed all 160 rows in prepare)
        .contains(
            "values = [\"false\", \"False\", \"FALSE\", \"true\", \"True\", \"TRUE\"], action = fail");
    p.run("ingest", "--dataset", "spaceship").expectExit(0);
    p.run("etl", "--dataset", "spaceship").expectExit(0);
    TestProject.Result prepare = p.run("prepare", "--dataset", "spaceship").expectExit(0);
    assertThat((List<Map<String, Object>>) prepare.metrics().get("labelAssociation"))
        .extracting(m -> m.get("feature"))
        .contains("Cabin_1", "Cabin_2", "Cabin_3");
    // the side is the parity of the row here: its part alone tells P from S, nulls where Cabin is
    assertThat(
            p.sql(
                "SELECT count_if(try_element_at(split(Cabin, '[/]'), 3) = 'P') AS p, count_if(Cabin IS NULL) AS missing FROM silver.spaceship"))
        .containsExactly(Map.of("p", 76, "missing", 7));
  }

  private static void gzip(Path file, String text) throws java.io.IOException {
    Files.createDirectories(file.getParent());
    try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(file))) {
      out.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  @Test
  void gzippedFilesAreASampleAndLandingFilesLikeAnyOther() throws Exception {
    // downloads and nightly exports often come compressed: orders.tsv.gz, day-2.csv.gz
    TestProject p = TestProject.create("gzipped");
    Path sample = p.dir().resolve("samples/orders.tsv.gz");
    StringBuilder tsv = new StringBuilder("order_id\tamount\treturned\n");
    for (int i = 0; i < 50; i++) {
      tsv.append(i).append('\t').append(10 + i % 17).append('\t').append(i % 4 == 0 ? "yes" : "no");
      tsv.append('\n');
    }
    gzip(sample, tsv.toString());
    TestProject.Result made =
        p.run("new-dataset", "orders", "--sample", sample.toString()).expectExit(0);
    assertThat(made.summary()).containsEntry("format", "csv").containsEntry("rows", 50);
    assertThat(p.lake().resolve("landing/orders/orders.csv.gz")).isRegularFile();
    String conf = Files.readString(p.confDir().resolve("datasets/orders.conf"));
    assertThat(conf)
        .contains("delimiter = \"\\t\"")
        .containsPattern("label \\{ column = \"?returned\"?");
    gzip(
        p.lake().resolve("landing/orders/day-2.csv.gz"),
        "order_id\tamount\treturned\n50\t12\tno\n51\t13\tyes\n");
    // and beside them, files of other formats, which ingest names in its summary
    p.land("orders", "README.txt", "exported nightly by the shop system\n");
    p.land("orders", "2026/orders.xlsx", "not a CSV");
    TestProject.Result ingest = p.run("ingest", "--dataset", "orders").expectExit(0);
    assertThat(ingest.metric("files")).isEqualTo(2);
    assertThat(ingest.metric("rowsBronze")).isEqualTo(52);
    assertThat(ingest.metric("rowsQuarantined")).isEqualTo(0);
    assertThat(ingest.metrics().get("notIngested"))
        .isEqualTo(List.of("2026/orders.xlsx", "README.txt"));
  }

  @Test
  void anIdThatRepeatsOnAFewRowsIsProposedAsTheKeyAndNeverAsAFeature() throws Exception {
    TestProject p = TestProject.create("key-repeats");
    Path sample = p.dir().resolve("samples/orders.csv");
    Files.createDirectories(sample.getParent());
    StringBuilder csv = new StringBuilder("order_id,amount,returned\n");
    for (int i = 0; i < 60; i++) {
      int id = i % 20 == 19 ? i - 1 : i; // 3 orders exported twice (a correction)
      csv.append(id).append(',').append(10 + i % 17).append(',').append(i % 3 == 0 ? "yes" : "no");
      csv.append('\n');
    }
    Files.writeString(sample, csv.toString());
    TestProject.Result made =
        p.run("new-dataset", "orders", "--sample", sample.toString()).expectExit(0);
    assertThat(made.stderr() + made.stdout())
        .contains("key 'order_id': 3 row(s) of the sample repeat an earlier row's order_id");
    String conf = Files.readString(p.confDir().resolve("datasets/orders.conf"));
    assertThat(conf).containsPattern("key = \\[\"?order_id\"?\\]");
    assertThat(conf).containsPattern("numeric = \\[\"?amount\"?\\]");
  }

  @Test
  void numbersWithAFewNotApplicableTokensAreProposedAsNumbersWithThoseTokensMissing()
      throws Exception {
    TestProject p = TestProject.create("na-tokens");
    Path sample = p.dir().resolve("samples/loans.jsonl");
    Files.createDirectories(sample.getParent());
    StringBuilder json = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      String score =
          i % 10 == 3 ? "\"N/A\"" : i % 10 == 7 ? "\"" + (600 + i) + "\"" : String.valueOf(600 + i);
      json.append("{\"loan_id\": ")
          .append(i)
          .append(", \"credit_score\": ")
          .append(score)
          .append(", \"defaulted\": ")
          .append(i % 4 == 0)
          .append("}\n");
    }
    Files.writeString(sample, json.toString());
    TestProject.Result made =
        p.run("new-dataset", "loans", "--sample", sample.toString()).expectExit(0);
    assertThat(made.stderr() + made.stdout())
        .contains("'credit_score' holds numbers but for [\"N/A\"]: typed double");
    String conf = Files.readString(p.confDir().resolve("datasets/loans.conf"));
    assertThat(conf)
        .contains("missing-values = [\"NA\", \"\", \"N/A\"]")
        .containsPattern("name = \"credit_score\",\\s+type = double");
    p.run("ingest", "--dataset", "loans").expectExit(0);
    p.run("etl", "--dataset", "loans").expectExit(0);
    assertThat(
            p.sql("SELECT count(credit_score) AS n, sum(credit_score) AS total FROM silver.loans"))
        .containsExactly(Map.of("n", 36, "total", 36 * 600.0 + (780 - 3 - 13 - 23 - 33)));
  }

  @Test
  void amountsWithCurrencySignsBecomeDerivedNumbersAndSlashDatesSayWhatTheyAre() throws Exception {
    TestProject p = TestProject.create("amounts");
    Path sample = p.dir().resolve("samples/orders.csv");
    Files.createDirectories(sample.getParent());
    StringBuilder csv = new StringBuilder("order_id,Amount,Discount,Last Order,returned\n");
    for (int i = 0; i < 60; i++) {
      csv.append(i)
          .append(",\"$")
          .append(i % 2 == 0 ? "1," + (100 + i) + ".50" : String.valueOf(20 + i))
          .append("\",")
          .append(5 * (i % 9))
          .append("%,")
          .append(1 + i % 12)
          .append("/0")
          .append(1 + i % 9)
          .append("/2024,")
          .append(i % 3 == 0 ? "yes" : "no")
          .append('\n');
    }
    Files.writeString(sample, csv.toString());
    p.run("new-dataset", "orders", "--sample", sample.toString()).expectExit(0);
    String conf = Files.readString(p.confDir().resolve("datasets/orders.conf"));
    assertThat(conf)
        .contains(
            "{ name = \"Amount_value\", expression = \"try_cast(regexp_replace(Amount, '[^0-9.+-]', '') AS double)\", kind = numeric }")
        .contains("{ name = \"Discount_value\"")
        .contains("# not a feature: last_order (dates written like 03/01/2024");
    p.run("ingest", "--dataset", "orders").expectExit(0);
    p.run("etl", "--dataset", "orders").expectExit(0);
    p.run("prepare", "--dataset", "orders").expectExit(0);
    // prepare fitted the feature pipeline with the derived amounts: $1,100.50 and $21 read as
    // 1100.5 and 21
    assertThat(p.sql("SELECT count(*) AS n FROM gold.orders")).containsExactly(Map.of("n", 60));
    assertThat(
            p.sql(
                "SELECT try_cast(regexp_replace(Amount, '[^0-9.+-]', '') AS double) AS v "
                    + "FROM silver.orders WHERE order_id < 2 ORDER BY order_id"))
        .containsExactly(Map.of("v", 1100.5), Map.of("v", 21.0));
  }

  @Test
  void aTimestampIsLeftOutAndTheChecksSayHowToDeriveFeaturesFromIt() throws Exception {
    TestProject p = TestProject.create("visits");
    Path sample = p.dir().resolve("samples/visits.csv");
    Files.createDirectories(sample.getParent());
    StringBuilder csv = new StringBuilder("visit_id,visited_at,pages,bought\n");
    for (int i = 0; i < 40; i++) {
      csv.append(i)
          .append(",2024-03-")
          .append(String.format(java.util.Locale.ROOT, "%02d %02d:15:00", 1 + i % 28, i % 24))
          .append(',')
          .append(1 + i % 7)
          .append(',')
          .append(i % 3 == 0 ? "yes" : "no")
          .append('\n');
    }
    Files.writeString(sample, csv.toString());
    TestProject.Result r =
        p.run("new-dataset", "visits", "--sample", sample.toString()).expectExit(0);
    assertThat(Files.readString(p.confDir().resolve("datasets/visits.conf")))
        .contains("# not a feature: visited_at (a timestamp");
    assertThat((java.util.List<?>) r.summary().get("checks"))
        .anySatisfy(
            c ->
                assertThat((String) c)
                    .startsWith("date/time column(s) [visited_at] are not features")
                    .contains("expression = \"hour(visited_at)\", kind = numeric"));
  }

  @Test
  void aSampleWithLineBreaksInsideQuotedFieldsSaysSoBeforeTheRecordsGoToQuarantine()
      throws Exception {
    TestProject p = TestProject.create("quoted-breaks");
    Path sample = p.dir().resolve("samples/notes.csv");
    Files.createDirectories(sample.getParent());
    StringBuilder csv = new StringBuilder("note_id,note,kind\n");
    for (int i = 0; i < 30; i++) {
      csv.append(i)
          .append(i % 10 == 4 ? ",\"first line\nsecond line\"," : ",\"one line, \"\"quoted\"\"\",")
          .append(i % 2 == 0 ? "a" : "b")
          .append('\n');
    }
    Files.writeString(sample, csv.toString());
    TestProject.Result made =
        p.run("new-dataset", "notes", "--sample", sample.toString()).expectExit(0);
    assertThat(made.stderr() + made.stdout())
        .contains("about 3 record(s) of the sample hold a line break inside a quoted field");
  }

  @Test
  void aHeaderThatRepeatsANameIsRefusedByNewDatasetNotFirstByIngest() throws Exception {
    TestProject p = TestProject.create("repeated-names");
    Path sample = p.dir().resolve("samples/loans.txt");
    Files.createDirectories(sample.getParent());
    StringBuilder csv = new StringBuilder("loan_id|income|score |region|score|defaulted\n");
    for (int i = 0; i < 20; i++) {
      csv.append(i).append("|100|5|north|7|").append(i % 2 == 0 ? "yes" : "no").append('\n');
    }
    Files.writeString(sample, csv.toString());
    TestProject.Result refused =
        p.run("new-dataset", "loans", "--sample", sample.toString()).expectExit(2);
    assertThat(refused.stderr())
        .contains("column 5 is named 'score' like column 3 (surrounding spaces are ignored)")
        .contains("Give every column its own name");
    assertThat(p.confDir().resolve("datasets/loans.conf")).doesNotExist();
  }
}
