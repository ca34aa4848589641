package io.lakeml.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakeml.config.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Tune's summary metrics as a typed record: the line the record prints is the one tune printed with
 * one {@code metric} call per key (same keys, order, values and left-out fields), and the bench
 * reads it back into the same record. No Spark.
 */
class TuneMetricsTest {
  private static TuneMetrics metrics(
      Double threshold, Map<String, Double> weights, String caution, String suspect) {
    return new TuneMetrics(
        3,
        "new inputs (gold version or dataset configuration)",
        "xgboost",
        Map.of("max_depth", "3"),
        "areaUnderROC",
        0.851856,
        threshold,
        Map.of("xgboost", 0.8446),
        Map.of("areaUnderROC", 0.804),
        "grid",
        2,
        4,
        12,
        345L,
        1.25,
        2.5,
        785L,
        0.1,
        "/lake/models/titanic/v3",
        weights,
        caution,
        suspect);
  }

  /** What tune built by hand before the record, key by key in this order. */
  private static Map<String, Object> byHand(
      Double threshold, Map<String, Double> weights, String caution, String suspect) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("version", 3);
    m.put("trainedBecause", "new inputs (gold version or dataset configuration)");
    m.put("algorithm", "xgboost");
    m.put("params", Map.of("max_depth", "3"));
    m.put("metric", "areaUnderROC");
    m.put("cvMetric", 0.851856);
    m.put("threshold", threshold);
    m.put("validationByAlgorithm", Map.of("xgboost", 0.8446));
    m.put("test", Map.of("areaUnderROC", 0.804));
    m.put("strategy", "grid");
    m.put("parallelism", 2);
    m.put("trials", 4);
    m.put("fits", 12);
    m.put("iterations", 345L);
    m.put("searchSeconds", 1.25);
    m.put("searchCpuSeconds", 2.5);
    m.put("trainRows", 785L);
    m.put("trainCachedMb", 0.1);
    m.put("model", "/lake/models/titanic/v3");
    if (weights != null) {
      m.put("classWeights", weights);
    }
    if (caution != null) {
      m.put("caution", caution);
    }
    if (suspect != null) {
      m.put("suspect", suspect);
    }
    return m;
  }

  @Test
  void theSummaryLineIsTheOneBuiltKeyByKeyAndReadsBackIntoTheSameRecord() throws Exception {
    Map<String, Double> weights = Map.of("0", 0.8, "1", 1.4);
    for (Object[] c :
        new Object[][] {
          {null, null, null, null}, {0.35, weights, "only 40 validation rows", "train AUC 1.0"}
        }) {
      TuneMetrics t =
          metrics((Double) c[0], (Map<String, Double>) c[1], (String) c[2], (String) c[3]);
      JobResult r = JobResult.succeeded().metrics(t);
      assertThat(Json.MAPPER.writeValueAsString(r.metrics()))
          .isEqualTo(
              Json.MAPPER.writeValueAsString(
                  byHand((Double) c[0], (Map<String, Double>) c[1], (String) c[2], (String) c[3])));
      // the JSON a child process prints, parsed and read back by the bench
      Map<String, Object> parsed =
          Json.MAPPER.readValue(
              Json.MAPPER.writeValueAsString(r.metrics()),
              new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() {});
      assertThat(JobResult.metricsAs(parsed, TuneMetrics.class)).isEqualTo(t);
      assertThat(JobResult.metricsAs(r.metrics(), TuneMetrics.class)).isEqualTo(t);
    }
    String line =
        Json.MAPPER.writeValueAsString(
            JobResult.succeeded().metrics(metrics(null, null, null, null)).metrics());
    assertThat(line)
        .contains("\"threshold\":null")
        .doesNotContain("classWeights", "caution", "suspect");
    assertThat(metrics(null, null, null, null).validationMetric()).isEqualTo(0.8446);
  }
}
