package io.lakeml.core;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * What the two bias stages report in their summary's {@code metrics}, in the order the summary line
 * prints them. The per-attribute figures ({@code pre}, {@code post}) stay maps: their keys are the
 * dataset's sensitive attributes and groups.
 */
public final class FairnessMetrics {
  private FairnessMetrics() {}

  /** How the figures are oriented, printed with each line. */
  public static final String CONVENTION =
      "unprivileged vs privileged; DI = P(fav|unpriv)/P(fav|priv); SPD, EOD = unpriv - priv";

  /**
   * bias-pre: the training labels' fairness per attribute and the data's own gate ({@code passed},
   * {@code warned} or blocked), with why when it did not pass.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Pre(
      String convention,
      String favorable,
      Map<String, Object> pre,
      String dataGate,
      @JsonInclude(JsonInclude.Include.NON_NULL) String dataGateReason) {}

  /**
   * bias-post: a model version's fairness on the test split per attribute and the gate's decision.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Post(
      int version,
      String convention,
      String favorable,
      Map<String, Object> post,
      String gate,
      String gateReason) {}
}
