package io.lakeml.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakeml.config.ConfigException;
import io.lakeml.config.ConfigLoader;
import io.lakeml.testing.TestProject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A European export: ';' between fields and a decimal comma ("3655,57", "1.234,5"). new-dataset
 * sees it and sets {@code source.decimal-separator = ","}; ingest checks and etl types the numbers
 * with it, so they arrive as numbers instead of being left out as free text. A sample saved as
 * Windows-1252 or Latin-1 is read as Latin-1, from new-dataset to silver.
 */
class EuropeanExportTest {
  private static final String SAMPLE =
      "id;einkommen;alter;region;kauf\n"
          + "1;3655,57;34;nord;ja\n"
          + "2;1.234,5;51;sued;nein\n"
          + "3;  812,0 ;27;nord;ja\n"
          + "4;NA;45;west;nein\n"
          + "5;17;38;sued;ja\n";

  @Test
  void newDatasetSetsTheSeparatorAndTheNumbersLandTyped() throws Exception {
    TestProject p = TestProject.create("decimal-comma");
    Path sample = p.dir().resolve("samples/euro.csv");
    Files.createDirectories(sample.getParent());
    Files.writeString(sample, SAMPLE);
    TestProject.Result made =
        p.run("new-dataset", "euro", "--sample", sample.toString()).expectExit(0);
    assertThat(made.stderr() + made.stdout()).contains("decimal comma").contains("[einkommen]");
    String conf = Files.readString(p.confDir().resolve("datasets/euro.conf"));
    assertThat(conf)
        .contains("decimal-separator = \",\"")
        .contains("delimiter = \";\"")
        .containsPattern("name = \"einkommen\",\\s+type = double");
    assertThat(
            ConfigLoader.load(p.confDir(), "local", "euro", List.of())
                .requireDataset()
                .source()
                .decimalComma())
        .isTrue();

    // a second file with a value that is no number under either convention
    p.land(
        "euro",
        "day-2.csv",
        "id;einkommen;alter;region;kauf\n6;12,3,4;40;west;nein\n7;-0,5;29;nord;ja\n");
    TestProject.Result ingest = p.run("ingest", "--dataset", "euro").expectExit(0);
    assertThat(ingest.metric("rowsBronze")).isEqualTo(6);
    assertThat(ingest.metric("rowsQuarantined")).isEqualTo(1);
    assertThat(
            p.sql("SELECT reason FROM _system.quarantine WHERE dataset = 'euro'")
                .get(0)
                .get("reason")
                .toString())
        .contains("einkommen='12,3,4' is not a valid double");
    p.run("etl", "--dataset", "euro").expectExit(0);
    assertThat(p.sql("SELECT id, einkommen FROM silver.euro ORDER BY id"))
        .containsExactly(
            Map.of("id", 1, "einkommen", 3655.57),
            Map.of("id", 2, "einkommen", 1234.5),
            Map.of("id", 3, "einkommen", 812.0),
            Map.of("id", 4),
            Map.of("id", 5, "einkommen", 17.0),
            Map.of("id", 7, "einkommen", -0.5));
  }

  @Test
  void withoutTheSeparatorEveryRowIsQuarantinedAndPrepareSaysWhereTheyWent() {
    TestProject p =
        TestProject.create("decimal-comma-missing")
            .dataset(
                "euro",
                """
                dataset {
                  source { options { delimiter = ";" } }
                  schema = [ { name = id, type = int }, { name = einkommen, type = double }, { name = kauf, type = string } ]
                  key = [id]
                  label { column = kauf, positive = ja }
                  features { numeric = [einkommen] }
                }
                """);
    p.land("euro", "day-1.csv", "id;einkommen;kauf\n1;3655,57;ja\n2;812,5;nein\n");
    TestProject.Result r =
        p.run("nightly", "--dataset", "euro", "--until", "prepare", "--run-date", "2026-11-20")
            .expectExit(1);
    assertThat(r.summaryOf("ingest").get("metrics").toString()).contains("rowsQuarantined=2");
    assertThat((String) r.summaryOf("prepare").get("message"))
        .isEqualTo(
            "silver.euro is empty: no row of euro got through ingest and etl (ingest quarantined 2 row(s)). "
                + "See why with: jobs/lakeml sql \"SELECT stage, reason, raw_record FROM _system.quarantine WHERE dataset = 'euro' LIMIT 20\"");
  }

  @Test
  void aWindows1252SampleIsReadInItsEncodingFromHeaderToSilver() throws Exception {
    TestProject p = TestProject.create("windows-1252");
    Path sample = p.dir().resolve("samples/kunden.csv");
    Files.createDirectories(sample.getParent());
    java.nio.charset.Charset cp1252 = java.nio.charset.Charset.forName("windows-1252");
    StringBuilder rows = new StringBuilder("id;Größe;stadt;kauf\n");
    for (int i = 1; i <= 6; i++) {
      rows.append(i)
          .append(';')
          .append(170 + i)
          .append(';')
          .append(i % 2 == 0 ? "München" : "Köln")
          .append(';')
          .append(i % 3 == 0 ? "ja" : "nein")
          .append('\n');
    }
    Files.write(sample, rows.toString().getBytes(cp1252));
    TestProject.Result made =
        p.run("new-dataset", "kunden", "--sample", sample.toString()).expectExit(0);
    assertThat(made.stdout()).contains("the sample is not UTF-8 text: it is read as ISO-8859-1");
    String conf = Files.readString(p.confDir().resolve("datasets/kunden.conf"));
    assertThat(conf).contains("encoding = \"ISO-8859-1\"").contains("landed-as = \"Größe\"");
    // the landed file is the sample as it was: ingest reads its header and values in that encoding
    assertThat(p.run("ingest", "--dataset", "kunden").expectExit(0).metric("rowsQuarantined"))
        .isZero();
    p.run("etl", "--dataset", "kunden").expectExit(0);
    assertThat(p.sql("SELECT id, gr_e, stadt FROM silver.kunden WHERE id <= 2 ORDER BY id"))
        .containsExactly(
            Map.of("id", 1, "gr_e", 171, "stadt", "Köln"),
            Map.of("id", 2, "gr_e", 172, "stadt", "München"));
    p.dataset(
        "bad",
        "dataset { source { options { encoding = \"latin-9000\" } }\n schema = [ { name = x, type = int } ] }");
    assertThatThrownBy(() -> ConfigLoader.load(p.confDir(), "local", "bad", List.of()))
        .hasMessageContaining("'latin-9000' is not an encoding Spark's CSV reader accepts");
    p.dataset(
        "win",
        "dataset { source { options { encoding = \"windows-1252\" } }\n schema = [ { name = x, type = int } ] }");
    assertThatThrownBy(() -> ConfigLoader.load(p.confDir(), "local", "win", List.of()))
        .hasMessageContaining("Use one of [UTF-8, ISO-8859-1");
  }

  @Test
  void aDecimalCommaIsRefusedWhereNumbersAreNotText() {
    TestProject p =
        TestProject.create("decimal-comma-json")
            .dataset(
                "j",
                "dataset { source { format = json, decimal-separator = \",\" }\n schema = [ { name = x, type = double } ] }");
    assertThatThrownBy(() -> ConfigLoader.load(p.confDir(), "local", "j", List.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("dataset.source.decimal-separator")
        .hasMessageContaining("applies to CSV files only");
    p.dataset(
        "k",
        "dataset { source { decimal-separator = \";\" }\n schema = [ { name = x, type = double } ] }");
    assertThatThrownBy(() -> ConfigLoader.load(p.confDir(), "local", "k", List.of()))
        .hasMessageContaining("';' is not a number's decimal separator ('.' or ',')");
  }
}
