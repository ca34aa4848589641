package io.lakeml.core;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * What a monitor run that measured the run date's predictions reports in its summary's {@code
 * metrics}, in the order the summary line prints them. The last two are left out when there is
 * nothing to say.
 *
 * @param version the champion version whose predictions were measured
 * @param psi each feature's population stability index against the training rows
 * @param predictionPsi the predicted classes' PSI against the champion's test predictions
 * @param retrain whether a breach set the retraining signal
 * @param performance the champion's metric on labelled predictions it never saw
 * @param retrainReason the breaches, when {@code retrain}
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record MonitorMetrics(
    int version,
    Map<String, Double> psi,
    double predictionPsi,
    boolean retrain,
    @JsonInclude(JsonInclude.Include.NON_NULL) Performance performance,
    @JsonInclude(JsonInclude.Include.NON_NULL) String retrainReason) {

  /**
   * The summary's {@code performance}: the champion's selection metric on labelled predictions it
   * never saw, its test value, the fall from it, the rows measured and those left out (rows it was
   * trained or selected on), and the labels' table and version.
   */
  public record Performance(
      String metric,
      double value,
      Double test,
      double drop,
      long rows,
      long rowsSeenInTraining,
      String labels,
      int lookbackDays) {}
}
