package io.lakeml.core;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What a report run reports in its summary's {@code metrics}, in the order the summary line prints
 * them; a run that found the page up to date reports only where it is and what it showed. The next
 * report reads {@code stageRuns} back from the run ledger to tell whether it is up to date.
 *
 * @param report where the page is
 * @param sections the page's sections
 * @param stageRuns a short hash of the stage runs the page shows (run ids and statuses)
 * @param stages stage runs shown
 * @param modelVersion the model version the page describes, when there is one
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ReportMetrics(
    String report, Integer sections, String stageRuns, Integer stages, Integer modelVersion) {

  /** A run that found the page up to date. */
  public static ReportMetrics upToDate(String report, String stageRuns) {
    return new ReportMetrics(report, null, stageRuns, null, null);
  }
}
