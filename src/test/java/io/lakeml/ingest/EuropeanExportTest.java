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
 * Windows-1252 is refused with how to convert it.
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
  void aSampleThatIsNotUtf8IsRefusedWithHowToConvertIt() throws Exception {
    TestProject p = TestProject.create("not-utf8");
    Path sample = p.dir().resolve("samples/latin.csv");
    Files.createDirectories(sample.getParent());
    Files.write(
        sample,
        "id;Größe;kauf\n1;180;ja\n".getBytes(java.nio.charset.Charset.forName("windows-1252")));
    TestProject.Result r =
        p.run("new-dataset", "latin", "--sample", sample.toString()).expectExit(2);
    assertThat(r.stderr())
        .contains("is not UTF-8 text")
        .contains("iconv -f WINDOWS-1252 -t UTF-8 latin.csv > utf8.csv");
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
        .hasMessageContaining("a number's decimal separator is '.' or ','");
  }
}
