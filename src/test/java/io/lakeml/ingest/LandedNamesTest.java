package io.lakeml.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakeml.config.ConfigException;
import io.lakeml.config.ConfigLoader;
import io.lakeml.config.DatasetConfig;
import io.lakeml.testing.TestProject;
import io.lakeml.testing.TestSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

/**
 * Landed column names that are not column names ("Loan Amount", "sepal.length", "od280/od315"):
 * new-dataset declares a column name with landed-as, and ingest renames them in CSV, JSON lines and
 * Parquet files alike, so a downloaded file lands as it is.
 */
class LandedNamesTest {
  private static final String CSV =
      "Loan Amount,sepal.length,od280/od315,approved\n1500,5.1,3.92,yes\n800,4.9,,no\n2300,6.2,2.5,yes\n";

  @Test
  void newDatasetDeclaresLandedNamesAndIngestRenamesThemInEveryFileFormat() throws Exception {
    TestProject p = TestProject.create("landed-names");
    Path sample = p.dir().resolve("samples/loans.csv");
    Files.createDirectories(sample.getParent());
    Files.writeString(sample, CSV);
    p.run("new-dataset", "loans", "--sample", sample.toString()).expectExit(0);
    String conf = Files.readString(p.confDir().resolve("datasets/loans.conf"));
    assertThat(conf)
        .contains("name = \"loan_amount\",")
        .contains("landed-as = \"Loan Amount\"")
        .contains("name = \"sepal_length\",")
        .contains("landed-as = \"sepal.length\"")
        .contains("name = \"od280_od315\",")
        .contains("landed-as = \"od280/od315\"");
    DatasetConfig ds = ConfigLoader.load(p.confDir(), "local", "loans", List.of()).requireDataset();
    assertThat(ds.landedNames())
        .containsExactly(
            Map.entry("Loan Amount", "loan_amount"),
            Map.entry("sepal.length", "sepal_length"),
            Map.entry("od280/od315", "od280_od315"));

    // CSV: the sample new-dataset landed
    assertThat(p.run("ingest", "--dataset", "loans").expectExit(0).metric("rowsQuarantined"))
        .isZero();
    p.run("etl", "--dataset", "loans").expectExit(0);
    assertThat(
            p.sql(
                "select loan_amount, sepal_length, od280_od315, approved from silver.loans order by loan_amount"))
        .containsExactly(
            Map.of("loan_amount", 800, "sepal_length", 4.9, "approved", "no"),
            Map.of(
                "loan_amount", 1500, "sepal_length", 5.1, "od280_od315", 3.92, "approved", "yes"),
            Map.of(
                "loan_amount", 2300, "sepal_length", 6.2, "od280_od315", 2.5, "approved", "yes"));

    // JSON lines with the same keys; a key the schema does not know is schema drift, quarantined
    String schema =
        conf.substring(
            conf.indexOf("  schema = ["), conf.indexOf("  ]\n", conf.indexOf("  schema = [")) + 4);
    p.dataset("loans_json", "dataset {\n source { format = json }\n" + schema + "}\n");
    p.land(
        "loans_json",
        "day-1.json",
        "{\"Loan Amount\": 700, \"sepal.length\": 4.4, \"od280/od315\": 1.5, \"approved\": \"no\"}\n"
            + "{\"Loan Amount\": 900, \"sepal.length\": 4.5, \"approved\": \"yes\", \"extra key\": 1}\n");
    TestProject.Result json = p.run("ingest", "--dataset", "loans_json").expectExit(0);
    assertThat(json.metric("rowsBronze")).isEqualTo(1);
    assertThat(json.metrics().get("quarantinedByKind")).isEqualTo(Map.of("schema_drift", 1));
    assertThat(
            p.sql("select loan_amount, sepal_length, od280_od315, approved from bronze.loans_json"))
        .containsExactly(
            Map.of(
                "loan_amount",
                "700",
                "sepal_length",
                "4.4",
                "od280_od315",
                "1.5",
                "approved",
                "no"));
    assertThat(p.sql("select reason from _system.quarantine where dataset = 'loans_json'"))
        .containsExactly(Map.of("reason", "schema drift: unexpected field(s) [extra key]"));

    // Parquet whose field names are the landed ones (typed already: no typing check needed)
    p.dataset("loans_parquet", "dataset {\n source { format = parquet }\n" + schema + "}\n");
    StructType type =
        new StructType()
            .add("Loan Amount", DataTypes.IntegerType)
            .add("sepal.length", DataTypes.DoubleType)
            .add("od280/od315", DataTypes.DoubleType)
            .add("approved", DataTypes.StringType);
    TestSpark.session()
        .createDataFrame(List.of(RowFactory.create(400, 4.0, 0.5, "no")), type)
        .coalesce(1)
        .write()
        .parquet(p.lake().resolve("landing/loans_parquet/part").toString());
    assertThat(p.run("ingest", "--dataset", "loans_parquet").expectExit(0).metric("rowsBronze"))
        .isEqualTo(1);
    assertThat(
            p.sql(
                "select loan_amount, sepal_length, od280_od315, approved from bronze.loans_parquet"))
        .containsExactly(
            Map.of(
                "loan_amount",
                "400",
                "sepal_length",
                "4.0",
                "od280_od315",
                "0.5",
                "approved",
                "no"));
  }

  @Test
  void landedAsIsRefusedForARangeAndForAJdbcSource() throws Exception {
    TestProject p = TestProject.create("landed-names-bad");
    p.dataset(
        "ranged",
        "dataset {\n schema = [ { name = \"px{1..3}\", type = int, landed-as = \"Pixel\" } ]\n}\n");
    Assertions.assertThatThrownBy(
            () -> ConfigLoader.load(p.confDir(), "local", "ranged", List.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("landed-as names one landed column, and 'px{1..3}' is a range");
    p.dataset(
        "db",
        "dataset {\n source { format = jdbc\n jdbc { url = \"jdbc:postgresql://localhost/x\", table = t } }\n"
            + " schema = [ { name = loan_amount, type = int, landed-as = \"Loan Amount\" } ]\n}\n");
    Assertions.assertThatThrownBy(() -> ConfigLoader.load(p.confDir(), "local", "db", List.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(
            "landed-as renames columns of landing files, and this source is JDBC");
  }
}
