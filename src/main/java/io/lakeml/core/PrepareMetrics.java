package io.lakeml.core;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;

/**
 * What a prepare run that wrote gold reports in its summary's {@code metrics}, in the order the
 * summary line prints them: written by prepare, read back from the run ledger by the report. The
 * last two are left out of the line when there is nothing to say; a ledger row of an older version
 * reads with what it has.
 *
 * @param rowsIn silver rows read
 * @param rowsQuarantined rows dropped by a validation rule (to quarantine)
 * @param rowsUnusable rows left out without a label or a feature that must be present
 * @param rowsGold rows written to gold
 * @param rulesViolated rules that failed without failing the job (warn or drop)
 * @param splits each split's size, by split name
 * @param features the feature vector's size
 * @param labelAssociation the leakage guard's five strongest associations with the label
 * @param featurePipeline where the fitted feature pipeline is stored
 * @param reweighing the training rows' weights per group and label, when reweighing is on
 * @param caution a warning about the label (e.g. a number with many values taken as classes)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record PrepareMetrics(
    long rowsIn,
    long rowsQuarantined,
    long rowsUnusable,
    long rowsGold,
    long rulesViolated,
    Map<String, SplitSize> splits,
    int features,
    List<Map<String, Object>> labelAssociation,
    String featurePipeline,
    @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, Double> reweighing,
    @JsonInclude(JsonInclude.Include.NON_NULL) String caution) {

  /**
   * A split's size: its rows and, for a binary label, the share of positives (a multiclass label's
   * mean would be a mean class index, so it has none).
   */
  @JsonPropertyOrder({"rows", "labelRate"})
  public record SplitSize(long rows, @JsonInclude(JsonInclude.Include.NON_NULL) Double labelRate) {}
}
