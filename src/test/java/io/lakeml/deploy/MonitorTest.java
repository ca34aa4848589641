package io.lakeml.deploy;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import io.lakeml.tables.GoldTable;
import io.lakeml.tables.ModelsTable;
import io.lakeml.tables.PredictionsTable;
import io.lakeml.testing.TestProject;
import io.lakeml.testing.TestSpark;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * Monitor's stability check when every silver row was scored: it reads silver without joining it to
 * the run date's predictions, and must measure exactly what the join measures.
 */
class MonitorTest {
  private static final String CONF =
      """
      dataset {
        source { format = csv, mode = snapshot }
        schema = [ { name = id, type = int }, { name = x, type = double }, { name = c, type = string }, { name = y, type = string } ]
        key = [id]
        label { column = y, positive = "yes" }
        features { numeric = [x], categorical = [c] }
        tune { folds = 2, algorithms = [ { type = logistic-regression, grid { regParam = [0.0], maxIter = [20] } } ] }
      }
      """;

  private static String rows(int from, int to, double shift, String[] colours) {
    Random r = new Random(from);
    StringBuilder sb = new StringBuilder("id,x,c,y\n");
    for (int i = from; i < to; i++) {
      double x = Math.round((shift + r.nextDouble()) * 1000) / 1000.0;
      sb.append(i)
          .append(',')
          .append(x)
          .append(',')
          .append(colours[i % colours.length])
          .append(',')
          .append(r.nextDouble() < (x - shift > 0.5 ? 0.8 : 0.2) ? "yes" : "no")
          .append('\n');
    }
    return sb.toString();
  }

  @Test
  void performanceIsWrittenAsTheMapItReplacedWas() throws Exception {
    Map<String, Object> before = new LinkedHashMap<>();
    before.put("metric", "areaUnderROC");
    before.put("value", 0.61);
    before.put("test", null);
    before.put("drop", 0.0);
    before.put("rows", 2000787L);
    before.put("rowsSeenInTraining", 7999213L);
    before.put("labels", "silver.fertility@0");
    before.put("lookbackDays", 30);
    assertThat(
            io.lakeml.config.Json.MAPPER.writeValueAsString(
                new io.lakeml.core.MonitorMetrics.Performance(
                    "areaUnderROC", 0.61, null, 0.0, 2000787, 7999213, "silver.fertility@0", 30)))
        .isEqualTo(io.lakeml.config.Json.MAPPER.writeValueAsString(before));
  }

  @Test
  void whenEveryRowIsScoredThePsiEqualsTheOneMeasuredOnTheJoinedRows() throws Exception {
    TestProject p = TestProject.create("monitor").dataset("m", CONF);
    p.land("m", "a.csv", rows(0, 300, 0.0, new String[] {"red", "blue"}));
    p.run(
            "nightly",
            "--in-process",
            "--dataset",
            "m",
            "--run-date",
            "2026-11-20",
            "--until",
            "promote")
        .expectExit(0);
    // prepare stored the training rows' distributions with gold, before monitor ever ran
    assertThat(p.lake().resolve("models/m/training-reference"))
        .isDirectoryContaining("glob:**/gold-v*.json");
    // scored on the rows it was built from, the champion's labelled predictions that it never saw
    // are its test split: the metric the monitor measures on them is the registry's test metric
    p.run("score", "--dataset", "m", "--run-date", "2026-11-20").expectExit(0);
    Map<?, ?> own =
        (Map<?, ?>)
            p.run("monitor", "--dataset", "m", "--run-date", "2026-11-20")
                .expectExit(0)
                .metrics()
                .get("performance");
    assertThat(own).as("the performance measured on 11-20").isNotNull();
    assertThat(own.get("metric")).isEqualTo("areaUnderROC");
    assertThat(((Number) own.get("value")).doubleValue())
        .isEqualTo(((Number) own.get("test")).doubleValue());
    assertThat(((Number) own.get("rows")).longValue())
        .isEqualTo(p.count("gold.m") - ((Number) own.get("rowsSeenInTraining")).longValue())
        .isEqualTo(
            ((Number)
                    p.sql("SELECT count(*) AS n FROM gold.m WHERE split = 'test'").get(0).get("n"))
                .longValue());

    // the same rows scored again the next day: of two days' predictions only the latest per key is
    // measured, so the metric and its counts are the first day's
    p.run("score", "--dataset", "m", "--run-date", "2026-11-21").expectExit(0);
    assertThat(
            p.run("monitor", "--dataset", "m", "--run-date", "2026-11-21")
                .expectExit(0)
                .metrics()
                .get("performance"))
        .isEqualTo(own);

    // new rows with x moved and a new category: every row of silver is scored on 11-22
    p.land("m", "b.csv", rows(300, 500, 0.4, new String[] {"red", "blue", "green"}));
    for (String stage : List.of("ingest", "etl", "score")) {
      p.run(stage, "--dataset", "m", "--run-date", "2026-11-22").expectExit(0);
    }
    TestProject.Result monitor =
        p.run("monitor", "--dataset", "m", "--run-date", "2026-11-22").expectExit(0);
    Map<?, ?> psi = (Map<?, ?>) monitor.metrics().get("psi");
    // the performance check reads the 11-22 predictions: all 500 rows, not the 300 of 11-20 and
    // 11-21
    Map<?, ?> performance = (Map<?, ?>) monitor.metrics().get("performance");
    assertThat(
            ((Number) performance.get("rows")).longValue()
                + ((Number) performance.get("rowsSeenInTraining")).longValue())
        .isEqualTo(500);

    SparkSession spark = TestSpark.session();
    var cat = p.catalog();
    Row model =
        spark
            .read()
            .format("delta")
            .load(cat.models().path())
            .where(
                col(ModelsTable.DATASET)
                    .equalTo("m")
                    .and(col(ModelsTable.STATUS).equalTo(io.lakeml.core.ModelRegistry.CHAMPION)))
            .select(ModelsTable.SILVER_VERSION, ModelsTable.GOLD_VERSION)
            .first();
    Dataset<Row> predictions =
        spark
            .read()
            .format("delta")
            .load(cat.predictions("m").path())
            .where(col(PredictionsTable.RUN_DATE).equalTo(java.sql.Date.valueOf("2026-11-22")));
    long scoredSilver = predictions.select(ScoreJob.SILVER_VERSION).first().getLong(0);
    Dataset<Row> silverScored =
        spark
            .read()
            .format("delta")
            .option("versionAsOf", scoredSilver)
            .load(cat.silver("m").path());
    assertThat(predictions.count()).as("every row scored").isEqualTo(silverScored.count());
    assertThat(silverScored.count()).isEqualTo(500);

    // what the job measured before it learnt to skip the join: silver joined with the keys scored
    Dataset<Row> current = silverScored.join(predictions.select("id"), "id");
    Dataset<Row> reference =
        spark
            .read()
            .format("delta")
            .option("versionAsOf", model.getLong(0))
            .load(cat.silver("m").path())
            .join(
                spark
                    .read()
                    .format("delta")
                    .option("versionAsOf", model.getLong(1))
                    .load(cat.gold("m").path())
                    .where(col(GoldTable.SPLIT).equalTo(GoldTable.TRAIN))
                    .select("id"),
                scala.jdk.javaapi.CollectionConverters.asScala(List.of("id")).toSeq(),
                "left_semi");
    Map<String, Boolean> features = new LinkedHashMap<>();
    features.put("x", true);
    features.put("c", false);
    var bins = io.lakeml.model.Drift.binColumns(reference, features);
    var expected = io.lakeml.model.Drift.distributions(reference, bins);
    var actual = io.lakeml.model.Drift.distributions(current, bins);
    for (String f : features.keySet()) {
      double v = io.lakeml.model.Drift.psi(expected.get(f), actual.get(f));
      assertThat(((Number) psi.get(f)).doubleValue())
          .as(f)
          .isEqualTo(Math.round(v * 1e6) / 1e6)
          .isGreaterThan(0.2);
    }
    assertThat(monitor.metrics().get("retrain")).isEqualTo(true);

    // the training rows' edges and shares were computed by prepare when it wrote gold and stored
    // (the file was there before monitor first ran, see above); monitor reads them (the PSI above,
    // measured from the stored ones, equals the one recomputed here from silver and gold's training
    // keys). Shares changed in the file show that they are what the next night reads.
    java.nio.file.Path stored =
        p.lake().resolve("models/m/training-reference/gold-v" + model.getLong(1) + ".json");
    assertThat(stored).exists();
    com.fasterxml.jackson.databind.node.ObjectNode file =
        (com.fasterxml.jackson.databind.node.ObjectNode)
            io.lakeml.config.Json.MAPPER.readTree(stored.toFile());
    assertThat(file.get("silverVersion").asLong()).isEqualTo(model.getLong(0));
    assertThat(file.get("goldVersion").asLong()).isEqualTo(model.getLong(1));
    com.fasterxml.jackson.databind.node.ObjectNode c =
        (com.fasterxml.jackson.databind.node.ObjectNode) file.get("expected").get("c");
    c.removeAll();
    c.put("red", 0.9).put("blue", 0.1);
    io.lakeml.config.Json.MAPPER.writeValue(stored.toFile(), file);
    // (Hadoop's local file system keeps a checksum beside the file: edited by hand, it goes too)
    java.nio.file.Path crc = stored.resolveSibling("." + stored.getFileName() + ".crc");
    java.nio.file.Files.deleteIfExists(crc);
    p.run("score", "--dataset", "m", "--run-date", "2026-11-23").expectExit(0);
    Map<?, ?> tampered =
        (Map<?, ?>)
            p.run("monitor", "--dataset", "m", "--run-date", "2026-11-23")
                .expectExit(0)
                .metrics()
                .get("psi");
    assertThat(((Number) tampered.get("c")).doubleValue())
        .isEqualTo(
            Math.round(
                    io.lakeml.model.Drift.psi(Map.of("red", 0.9, "blue", 0.1), actual.get("c"))
                        * 1e6)
                / 1e6);
    assertThat(tampered.get("x")).isEqualTo(psi.get("x"));
    // a file for other inputs (here another gold version) is not used: computed again and stored
    file.put("goldVersion", model.getLong(1) + 7);
    io.lakeml.config.Json.MAPPER.writeValue(stored.toFile(), file);
    java.nio.file.Files.deleteIfExists(crc);
    p.run("score", "--dataset", "m", "--run-date", "2026-11-24").expectExit(0);
    assertThat(
            p.run("monitor", "--dataset", "m", "--run-date", "2026-11-24")
                .expectExit(0)
                .metrics()
                .get("psi"))
        .isEqualTo(psi);
    assertThat(io.lakeml.config.Json.MAPPER.readTree(stored.toFile()).get("goldVersion").asLong())
        .isEqualTo(model.getLong(1));
  }
}
