package io.lakeml.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakeml.config.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Prepare's summary metrics as a typed record: the line is the one prepare printed key by key, and
 * the report reads a ledger row back into the same record, an older row's missing keys included. No
 * Spark.
 */
class PrepareMetricsTest {
  @Test
  void theSummaryLineIsTheOneBuiltKeyByKeyAndTheLedgersJsonReadsBack() throws Exception {
    Map<String, PrepareMetrics.SplitSize> splits = new LinkedHashMap<>();
    splits.put("test", new PrepareMetrics.SplitSize(262, 0.3817));
    splits.put("train", new PrepareMetrics.SplitSize(785, null));
    List<Map<String, Object>> association =
        List.of(Map.of("feature", "sex", "auc", 0.77, "kind", "categorical"));
    for (boolean optional : new boolean[] {false, true}) {
      Map<String, Double> weights = optional ? Map.of("female|1", 0.9) : null;
      String caution = optional ? "label 'rating' is a number with 5 values" : null;
      PrepareMetrics m =
          new PrepareMetrics(
              1309, 3, 2, 1304, 1, splits, 17, association, "/lake/fp/r1", weights, caution);
      Map<String, Object> byHand = new LinkedHashMap<>();
      byHand.put("rowsIn", 1309L);
      byHand.put("rowsQuarantined", 3L);
      byHand.put("rowsUnusable", 2L);
      byHand.put("rowsGold", 1304L);
      byHand.put("rulesViolated", 1L);
      byHand.put("splits", splits);
      byHand.put("features", 17);
      byHand.put("labelAssociation", association);
      byHand.put("featurePipeline", "/lake/fp/r1");
      if (optional) {
        byHand.put("reweighing", weights);
        byHand.put("caution", caution);
      }
      String line = Json.MAPPER.writeValueAsString(JobResult.succeeded().metrics(m).metrics());
      assertThat(line).isEqualTo(Json.MAPPER.writeValueAsString(byHand));
      assertThat(line).contains("{\"rows\":785}").doesNotContain("null");
      Map<String, Object> ledger =
          Json.MAPPER.readValue(
              line, new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() {});
      assertThat(JobResult.metricsAs(ledger, PrepareMetrics.class)).isEqualTo(m);
    }
    // a ledger row written before a key existed, or after one was added, still reads
    PrepareMetrics old =
        JobResult.metricsAs(
            Map.of("rowsGold", 60, "splits", Map.of("train", Map.of("rows", 60)), "later", 1),
            PrepareMetrics.class);
    assertThat(old.rowsGold()).isEqualTo(60);
    assertThat(old.splits().get("train")).isEqualTo(new PrepareMetrics.SplitSize(60, null));
    assertThat(old.caution()).isNull();
  }
}
