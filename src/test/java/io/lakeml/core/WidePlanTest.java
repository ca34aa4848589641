package io.lakeml.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakeml.config.ConfigLoader;
import io.lakeml.config.DatasetConfig;
import io.lakeml.testing.TestProject;
import io.lakeml.testing.TestSpark;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * Wide data: the typing check over a thousand columns is a plan of constant depth, not one nested
 * projection per column (that shape overflowed the analyzer's stack on Fashion-MNIST's 785 columns
 * and took minutes to plan on a thousand). Only plans are built; no Spark job runs.
 */
class WidePlanTest {
  private static int depth(LogicalPlan p) {
    int max = 0;
    for (LogicalPlan child : scala.jdk.javaapi.CollectionConverters.asJava(p.children())) {
      max = Math.max(max, depth(child));
    }
    return max + 1;
  }

  @Test
  void typingAThousandColumnsIsAPlanOfConstantDepth() {
    TestProject p =
        TestProject.create("wide-plan")
            .dataset(
                "wide",
                """
        dataset {
          schema = [ { name = id, type = int }, { name = "f{0000..0999}", type = double }, { name = y, type = string } ]
          key = [id]
        }
        """);
    DatasetConfig ds = ConfigLoader.load(p.confDir(), "local", "wide", List.of()).requireDataset();
    assertThat(ds.columnNames()).hasSize(1002);
    StructType schema = new StructType();
    for (String c : ds.columnNames()) {
      schema = schema.add(c, DataTypes.StringType);
    }
    Dataset<Row> raw = TestSpark.session().createDataFrame(List.of(), schema);
    int base = depth(raw.queryExecution().analyzed());
    Dataset<Row> checked = Typing.withProblems(raw, ds, ds.columnNames(), "_typing");
    assertThat(depth(checked.queryExecution().analyzed()) - base)
        .as("plan nodes added by the typing check")
        .isLessThanOrEqualTo(4);
    assertThat(checked.columns()).hasSize(1003).contains("_typing");
  }

  @Test
  void theOneLambdaCheckOfWideDataSaysWhatThePerColumnCheckSaysInTheSameOrder() {
    TestProject p =
        TestProject.create("wide-values")
            .dataset(
                "mixed",
                """
        dataset {
          source.missing-values = ["NA", "?"]
          schema = [ { name = id, type = int }, { name = "n{000..059}", type = int }, { name = "d{000..059}", type = double },
                     { name = flag, type = boolean }, { name = day, type = date }, { name = y, type = string } ]
          key = [id]
        }
        """);
    DatasetConfig ds = ConfigLoader.load(p.confDir(), "local", "mixed", List.of()).requireDataset();
    StructType schema = new StructType();
    for (String c : ds.columnNames()) {
      schema = schema.add(c, DataTypes.StringType);
    }
    List<Row> rows = new java.util.ArrayList<>();
    String[][] edits = {
      {}, // every value parses
      {"n007", "x7", "d059", "1.5e", "flag", "maybe"}, // three failures, in schema order
      {
        "n000", " 12 ", "d000", "?", "day", "2026-02-30"
      }, // trimmed, a missing token, an impossible date
      {
        "id", "NA", "n059", "9999999999", "y", "anything"
      }, // a missing key is not a typing problem; int overflow is
    };
    for (String[] e : edits) {
      Object[] values = new Object[ds.columnNames().size()];
      for (int i = 0; i < values.length; i++) {
        String c = ds.columnNames().get(i);
        values[i] =
            c.startsWith("d") && !c.equals("day")
                ? "0.25"
                : c.equals("flag")
                    ? "true"
                    : c.equals("day") ? "2026-01-31" : c.equals("y") ? "a" : "3";
      }
      for (int k = 0; k < e.length; k += 2) {
        values[ds.columnNames().indexOf(e[k])] = e[k + 1];
      }
      rows.add(org.apache.spark.sql.RowFactory.create(values));
    }
    Dataset<Row> raw = TestSpark.session().createDataFrame(rows, schema);
    for (boolean cleaned : new boolean[] {false, true}) {
      // bounded: four rows
      List<String> perColumn =
          Typing.withProblems(raw, ds, ds.columnNames(), "_p", cleaned, Integer.MAX_VALUE)
              .select("_p")
              .as(org.apache.spark.sql.Encoders.STRING())
              .collectAsList();
      List<String> oneLambda =
          Typing.withProblems(raw, ds, ds.columnNames(), "_p", cleaned, 0)
              .select("_p")
              .as(org.apache.spark.sql.Encoders.STRING())
              .collectAsList();
      assertThat(oneLambda).as("cleaned already: " + cleaned).isEqualTo(perColumn);
    }
    // numbers only (int and double): the lambda casts first and cleans only what does not cast
    List<String> numbers =
        ds.columnNames().stream().filter(c -> c.equals("id") || c.matches("[nd]\\d+")).toList();
    for (boolean cleaned : new boolean[] {false, true}) {
      // bounded: four rows
      List<String> perColumn =
          Typing.withProblems(raw, ds, numbers, "_p", cleaned, Integer.MAX_VALUE)
              .select("_p")
              .as(org.apache.spark.sql.Encoders.STRING())
              .collectAsList();
      List<String> oneLambda =
          Typing.withProblems(raw, ds, numbers, "_p", cleaned, 0)
              .select("_p")
              .as(org.apache.spark.sql.Encoders.STRING())
              .collectAsList();
      assertThat(oneLambda).as("numbers, cleaned already: " + cleaned).isEqualTo(perColumn);
      assertThat(oneLambda.get(1))
          .isEqualTo("n007='x7' is not a valid int; d059='1.5e' is not a valid double");
    }
    List<String> problems =
        Typing.withProblems(raw, ds, ds.columnNames(), "_p", false, 0)
            .select("_p")
            .as(org.apache.spark.sql.Encoders.STRING())
            .collectAsList();
    assertThat(problems)
        .containsExactly(
            "",
            "n007='x7' is not a valid int; d059='1.5e' is not a valid double; flag='maybe' is not a valid boolean",
            "day='2026-02-30' is not a valid date",
            "n059='9999999999' is not a valid int");

    // one declared type for every checked column (an image's pixels): the lambda skips the type
    // lookup
    TestProject q =
        TestProject.create("wide-values-one-type")
            .dataset(
                "pixels",
                """
        dataset {
          source.missing-values = ["NA", "?"]
          schema = [ { name = "p{000..119}", type = int } ]
        }
        """);
    DatasetConfig pixels =
        ConfigLoader.load(q.confDir(), "local", "pixels", List.of()).requireDataset();
    StructType pixelSchema = new StructType();
    for (String c : pixels.columnNames()) {
      pixelSchema = pixelSchema.add(c, DataTypes.StringType);
    }
    String[][] pixelEdits = {
      {},
      {"p000", " 12 ", "p001", "NA", "p002", " ? "},
      {"p007", "x7", "p119", "2147483648", "p050", "1.5"}
    };
    List<Row> pixelRows = new java.util.ArrayList<>();
    for (String[] e : pixelEdits) {
      Object[] values = new Object[pixels.columnNames().size()];
      java.util.Arrays.fill(values, "200");
      for (int k = 0; k < e.length; k += 2) {
        values[pixels.columnNames().indexOf(e[k])] = e[k + 1];
      }
      pixelRows.add(org.apache.spark.sql.RowFactory.create(values));
    }
    Dataset<Row> rawPixels = TestSpark.session().createDataFrame(pixelRows, pixelSchema);
    // bounded: three rows
    List<String> perColumn =
        Typing.withProblems(rawPixels, pixels, pixels.columnNames(), "_p", false, Integer.MAX_VALUE)
            .select("_p")
            .as(org.apache.spark.sql.Encoders.STRING())
            .collectAsList();
    List<String> oneLambda =
        Typing.withProblems(rawPixels, pixels, pixels.columnNames(), "_p", false, 0)
            .select("_p")
            .as(org.apache.spark.sql.Encoders.STRING())
            .collectAsList();
    assertThat(oneLambda).isEqualTo(perColumn);
    assertThat(oneLambda.get(1)).isEmpty();
    assertThat(oneLambda.get(2)).startsWith("p007='x7' is not a valid int; p050=");
  }

  @Test
  void numbersCastFromRawTextAsFromCleanedTextUnlessAMissingTokenReadsAsANumber() {
    TestProject p =
        TestProject.create("typed-raw")
            .dataset(
                "nums",
                """
        dataset {
          source.missing-values = ["NA", "", "?", "n/a"]
          schema = [ { name = i, type = int }, { name = l, type = long }, { name = d, type = double } ]
        }
        """);
    DatasetConfig ds = ConfigLoader.load(p.confDir(), "local", "nums", List.of()).requireDataset();
    String[] values = {
      "12",
      " 12 ",
      "\t12\n",
      "+7",
      "-0",
      "1.5",
      "1e3",
      "0x1F",
      "NA",
      " NA ",
      "",
      " ",
      "?",
      "n/a",
      "nan",
      "NaN",
      "Infinity",
      "-inf",
      "2147483648",
      "9223372036854775808",
      "1,000",
      "12abc",
      "\u00a012",
      null
    };
    StructType schema =
        new StructType()
            .add("i", DataTypes.StringType)
            .add("l", DataTypes.StringType)
            .add("d", DataTypes.StringType);
    List<Row> rows = new java.util.ArrayList<>();
    for (String v : values) {
      rows.add(org.apache.spark.sql.RowFactory.create(v, v, v));
    }
    Dataset<Row> raw = TestSpark.session().createDataFrame(rows, schema);
    List<org.apache.spark.sql.Column> fromCleaned = new java.util.ArrayList<>();
    List<org.apache.spark.sql.Column> fromRaw = new java.util.ArrayList<>();
    for (DatasetConfig.Column c : ds.columns()) {
      assertThat(Typing.castAlone(c.type(), ds)).as(c.name()).isTrue();
      fromCleaned.add(
          Typing.typedFromCleaned(Typing.cleaned(c.name(), ds), c.type(), ds).as(c.name()));
      fromRaw.add(Typing.typed(c.name(), c.type(), ds).as(c.name()));
    }
    // bounded: 24 rows
    List<Row> expected =
        raw.select(fromCleaned.toArray(new org.apache.spark.sql.Column[0])).collectAsList();
    List<Row> actual =
        raw.select(fromRaw.toArray(new org.apache.spark.sql.Column[0])).collectAsList();
    assertThat(actual).isEqualTo(expected);
    // the two forms really differ where cleaning matters: the missing tokens are null, 'nan' is a
    // double
    assertThat(expected.get(8).isNullAt(2)).isTrue();
    assertThat(expected.get(14).getDouble(2)).isNaN();
    assertThat(expected.get(1).getInt(0)).isEqualTo(12);

    for (String token : List.of("-1", "999", "NaN", "+inf", " Infinity ")) {
      TestProject q =
          TestProject.create("typed-raw-token")
              .dataset(
                  "nums",
                  "dataset { source.missing-values = [\""
                      + token
                      + "\"], schema = [ { name = d, type = double } ] }");
      DatasetConfig withToken =
          ConfigLoader.load(q.confDir(), "local", "nums", List.of()).requireDataset();
      assertThat(Typing.castAlone(io.lakeml.config.ColumnType.DOUBLE, withToken))
          .as("missing token " + token)
          .isFalse();
    }
  }
}
