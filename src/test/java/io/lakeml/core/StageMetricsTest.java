package io.lakeml.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakeml.config.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Ingest's, etl's, score's, monitor's and report's summary metrics as typed records: each line is
 * the one the job printed key by key before, and reads back into the same record. No Spark.
 */
class StageMetricsTest {
  private static String line(Object typed) throws Exception {
    return Json.MAPPER.writeValueAsString(JobResult.succeeded().metrics(typed).metrics());
  }

  private static Map<String, Object> parsed(String json) throws Exception {
    return Json.MAPPER.readValue(
        json, new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() {});
  }

  @Test
  void scoreAndMonitorLinesAreTheOnesBuiltKeyByKey() throws Exception {
    ScoreMetrics score = new ScoreMetrics(2, 1309, 0, "all");
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("version", 2);
    s.put("rowsScored", 1309L);
    s.put("rowsQuarantined", 0L);
    s.put("rows", "all");
    assertThat(line(score)).isEqualTo(Json.MAPPER.writeValueAsString(s));
    assertThat(JobResult.metricsAs(parsed(line(score)), ScoreMetrics.class)).isEqualTo(score);

    Map<String, Double> psi = new LinkedHashMap<>();
    psi.put("age", 0.012);
    psi.put("sex", 0.0);
    MonitorMetrics.Performance perf =
        new MonitorMetrics.Performance(
            "areaUnderROC", 0.61, 0.62, 0.01, 262, 1047, "silver.titanic@3", 30);
    for (boolean retrain : new boolean[] {false, true}) {
      MonitorMetrics m =
          new MonitorMetrics(
              1, psi, 0.004, retrain, retrain ? perf : null, retrain ? "age PSI 0.3 > 0.2" : null);
      Map<String, Object> byHand = new LinkedHashMap<>();
      byHand.put("version", 1);
      byHand.put("psi", psi);
      byHand.put("predictionPsi", 0.004);
      byHand.put("retrain", retrain);
      if (retrain) {
        byHand.put("performance", perf);
        byHand.put("retrainReason", "age PSI 0.3 > 0.2");
      }
      assertThat(line(m)).isEqualTo(Json.MAPPER.writeValueAsString(byHand));
      assertThat(JobResult.metricsAs(parsed(line(m)), MonitorMetrics.class)).isEqualTo(m);
    }
  }

  @Test
  void ingestLinesAreTheOnesBuiltKeyByKeyWithOptionalKeysOnlyWhenSet() throws Exception {
    Map<String, Long> byKind = new java.util.TreeMap<>();
    byKind.put("malformed", 2L);
    byKind.put("schema_drift", 1L);
    for (boolean all : new boolean[] {false, true}) {
      IngestMetrics.Files m =
          new IngestMetrics.Files(
              all ? Boolean.TRUE : null,
              3,
              1312,
              1309,
              3,
              byKind,
              all ? 1L : null,
              all ? java.util.List.of("zip") : null,
              all ? "ab12" : null,
              all ? java.util.List.of("notes.txt") : null);
      // as the job built it: the rerun's flag first, then the counters, then the optional keys
      Map<String, Object> byHand = new LinkedHashMap<>();
      if (all) {
        byHand.put("quarantineCompleted", true);
      }
      byHand.put("files", 3L);
      byHand.put("rowsRead", 1312L);
      byHand.put("rowsBronze", 1309L);
      byHand.put("rowsQuarantined", 3L);
      byHand.put("quarantinedByKind", byKind);
      if (all) {
        byHand.put("blankLines", 1L);
        byHand.put("columnsAdded", java.util.List.of("zip"));
        byHand.put("snapshotSha256", "ab12");
        byHand.put("notIngested", java.util.List.of("notes.txt"));
      }
      assertThat(line(m)).isEqualTo(Json.MAPPER.writeValueAsString(byHand));
      assertThat(JobResult.metricsAs(parsed(line(m)), IngestMetrics.Files.class)).isEqualTo(m);
    }

    // a watermark run prints its previous watermark even when there is none
    IngestMetrics.JdbcWatermark first =
        new IngestMetrics.JdbcWatermark(
            "jdbc:postgresql://db/x table t",
            "watermark",
            "updated",
            null,
            "2026-11-01",
            4,
            4,
            0,
            2);
    Map<String, Object> w = new LinkedHashMap<>();
    w.put("source", "jdbc:postgresql://db/x table t");
    w.put("mode", "watermark");
    w.put("watermarkColumn", "updated");
    w.put("watermarkBefore", null);
    w.put("watermarkAfter", "2026-11-01");
    w.put("rowsRead", 4L);
    w.put("rowsBronze", 4L);
    w.put("rowsQuarantined", 0L);
    w.put("partitions", 2);
    assertThat(line(first)).isEqualTo(Json.MAPPER.writeValueAsString(w));
    assertThat(parsed(line(first))).containsEntry("watermarkBefore", null);
    assertThat(JobResult.metricsAs(parsed(line(first)), IngestMetrics.JdbcWatermark.class))
        .isEqualTo(first);

    // a snapshot has no previous watermark, and a run that read nothing no partitions
    IngestMetrics.JdbcSnapshot none =
        new IngestMetrics.JdbcSnapshot("jdbc:h2:mem table t", "snapshot", null, 0, 0, 0, null);
    Map<String, Object> n = new LinkedHashMap<>();
    n.put("source", "jdbc:h2:mem table t");
    n.put("mode", "snapshot");
    n.put("watermarkAfter", null);
    n.put("rowsRead", 0L);
    n.put("rowsBronze", 0L);
    n.put("rowsQuarantined", 0L);
    assertThat(line(none)).isEqualTo(Json.MAPPER.writeValueAsString(n));
    assertThat(JobResult.metricsAs(parsed(line(none)), IngestMetrics.JdbcSnapshot.class))
        .isEqualTo(none);
  }

  @Test
  void etlLinesAreTheOnesBuiltKeyByKeyWithTheMergesCountsOnlyAfterAMerge() throws Exception {
    for (boolean merged : new boolean[] {false, true}) {
      EtlMetrics m =
          new EtlMetrics(
              1409,
              2,
              3,
              100,
              1306,
              merged ? "merge" : "rebuild",
              merged ? 100L : null,
              merged ? 0L : null,
              merged ? 0L : null);
      Map<String, Object> byHand = new LinkedHashMap<>();
      byHand.put("bronzeRows", 1409L);
      byHand.put("rowsQuarantined", 2L);
      byHand.put("rowsInvalid", 3L);
      byHand.put("duplicatesRemoved", 100L);
      byHand.put("silverRows", 1306L);
      byHand.put("mode", merged ? "merge" : "rebuild");
      if (merged) {
        byHand.put("inserted", 100L);
        byHand.put("updated", 0L);
        byHand.put("deleted", 0L);
      }
      assertThat(line(m)).isEqualTo(Json.MAPPER.writeValueAsString(byHand));
      assertThat(JobResult.metricsAs(parsed(line(m)), EtlMetrics.class)).isEqualTo(m);
    }
  }

  @Test
  void reportLinesAreTheOnesBuiltKeyByKeyAndAnUpToDateRunPrintsTwoKeys() throws Exception {
    ReportMetrics ran =
        new ReportMetrics("/lake/reports/t/2026-12-06/index.html", 11, "ab12", 10, 3);
    Map<String, Object> byHand = new LinkedHashMap<>();
    byHand.put("report", "/lake/reports/t/2026-12-06/index.html");
    byHand.put("sections", 11);
    byHand.put("stageRuns", "ab12");
    byHand.put("stages", 10);
    byHand.put("modelVersion", 3);
    assertThat(line(ran)).isEqualTo(Json.MAPPER.writeValueAsString(byHand));
    assertThat(JobResult.metricsAs(parsed(line(ran)), ReportMetrics.class)).isEqualTo(ran);
    assertThat(line(ReportMetrics.upToDate("/lake/r.html", "ab12")))
        .isEqualTo("{\"report\":\"/lake/r.html\",\"stageRuns\":\"ab12\"}");
    assertThat(line(new ReportMetrics("/lake/r.html", 11, "ab12", 0, null)))
        .doesNotContain("modelVersion");
  }

  @Test
  void promoteAndBiasLinesAreTheOnesBuiltKeyByKey() throws Exception {
    Map<String, Object> promoted = new LinkedHashMap<>();
    promoted.put("version", 3);
    promoted.put("promoted", true);
    promoted.put("action", "promote");
    promoted.put("previousChampion", null);
    promoted.put("reason", "first champion");
    assertThat(line(new PromoteMetrics.Promoted(3, "promote", null, "first champion")))
        .isEqualTo(Json.MAPPER.writeValueAsString(promoted));
    Map<String, Object> refused = new LinkedHashMap<>();
    refused.put("version", 4);
    refused.put("promoted", false);
    refused.put("reason", "not promoted: below the champion");
    refused.put("champion", 3);
    assertThat(line(new PromoteMetrics.Refused(4, "not promoted: below the champion", 3)))
        .isEqualTo(Json.MAPPER.writeValueAsString(refused));

    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("data", Map.of("sex", Map.of("di", 0.31, "spd", Double.NaN)));
    for (String reason : new String[] {null, "sex DI 0.31 < 0.8"}) {
      Map<String, Object> pre = new LinkedHashMap<>();
      pre.put("convention", FairnessMetrics.CONVENTION);
      pre.put("favorable", "yes");
      pre.put("pre", figures);
      pre.put("dataGate", reason == null ? "passed" : "warned");
      if (reason != null) {
        pre.put("dataGateReason", reason);
      }
      assertThat(
              line(
                  new FairnessMetrics.Pre(
                      FairnessMetrics.CONVENTION,
                      "yes",
                      figures,
                      reason == null ? "passed" : "warned",
                      reason)))
          .isEqualTo(Json.MAPPER.writeValueAsString(pre));
    }
    Map<String, Object> post = new LinkedHashMap<>();
    post.put("version", 2);
    post.put("convention", FairnessMetrics.CONVENTION);
    post.put("favorable", "yes");
    post.put("post", figures);
    post.put("gate", "passed");
    post.put("gateReason", null);
    assertThat(
            line(
                new FairnessMetrics.Post(
                    2, FairnessMetrics.CONVENTION, "yes", figures, "passed", null)))
        .isEqualTo(Json.MAPPER.writeValueAsString(post));
  }

  @Test
  void theOperatorsJobsLinesAreTheOnesBuiltKeyByKey() throws Exception {
    Map<String, Object> figures = Map.of("test", Map.of("areaUnderROC", Map.of("match", true)));
    Map<String, Object> reproduce = new LinkedHashMap<>();
    reproduce.put("version", 1);
    reproduce.put("algorithm", "xgboost");
    reproduce.put("params", Map.of("max_depth", "3"));
    reproduce.put("goldVersion", 0L);
    reproduce.put("match", true);
    reproduce.put("metrics", figures);
    reproduce.put("configChanged", false);
    assertThat(
            line(
                new MaintenanceMetrics.Reproduce(
                    1, "xgboost", Map.of("max_depth", "3"), 0, true, figures, false)))
        .isEqualTo(Json.MAPPER.writeValueAsString(reproduce));
    for (boolean warned : new boolean[] {false, true}) {
      Map<String, Object> vacuum = new LinkedHashMap<>();
      vacuum.put("retainHours", 168);
      vacuum.put("filesDeleted", 4L);
      vacuum.put("tables", java.util.List.of(Map.of("table", "gold.t", "filesDeleted", 4)));
      if (warned) {
        vacuum.put("warnings", java.util.List.of("gold.u: locked"));
      }
      assertThat(
              line(
                  new MaintenanceMetrics.Vacuum(
                      168,
                      4,
                      java.util.List.of(Map.of("table", "gold.t", "filesDeleted", 4)),
                      warned ? java.util.List.of("gold.u: locked") : null)))
          .isEqualTo(Json.MAPPER.writeValueAsString(vacuum));
    }
    Map<String, Object> sql = new LinkedHashMap<>();
    sql.put("statementKind", "DELETE");
    sql.put("statement", "DELETE FROM silver.t WHERE id = 1");
    sql.put("output", java.util.List.of(Map.of("num_affected_rows", 1L)));
    sql.put("commitMetadata", "job=sql");
    assertThat(
            line(
                new MaintenanceMetrics.SqlWrite(
                    "DELETE",
                    "DELETE FROM silver.t WHERE id = 1",
                    java.util.List.of(Map.of("num_affected_rows", 1L)),
                    "job=sql")))
        .isEqualTo(Json.MAPPER.writeValueAsString(sql));
  }
}
