package io.lakeml.core;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * What a tune run that trained a model reports in its summary's {@code metrics}, in the order the
 * summary line prints them: written by tune, read back by the bench. The last three are left out of
 * the line when there is nothing to say.
 *
 * @param version the model version registered
 * @param trainedBecause why tune trained (new inputs, monitor's signal, the schedule)
 * @param algorithm the winner's algorithm
 * @param params the winner's parameters
 * @param metric the selection metric
 * @param cvMetric the winner's mean cross-validated metric
 * @param threshold the decision threshold set on the model (null when it has none)
 * @param validationByAlgorithm each algorithm's best candidate on the validation split
 * @param test the winner's metrics on the test split
 * @param strategy the search strategy
 * @param parallelism candidates fitted at once
 * @param trials candidates evaluated
 * @param fits models fitted in the search
 * @param iterations optimizer iterations over all fits
 * @param searchSeconds the search's wall time (no caching, scoring or registering)
 * @param searchCpuSeconds this JVM's CPU time during the search (local mode: executors included)
 * @param trainRows rows of the training split
 * @param trainCachedMb the cached training split's size
 * @param model where the version's model is stored
 * @param classWeights the classes' weights, with dataset.tune.class-weight = balanced
 * @param caution a warning about the validation split's size or metric
 * @param suspect why the model is suspect (and will not be promoted)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record TuneMetrics(
    int version,
    String trainedBecause,
    String algorithm,
    Map<String, String> params,
    String metric,
    double cvMetric,
    Double threshold,
    Map<String, Double> validationByAlgorithm,
    Map<String, Double> test,
    String strategy,
    int parallelism,
    int trials,
    int fits,
    long iterations,
    double searchSeconds,
    double searchCpuSeconds,
    long trainRows,
    double trainCachedMb,
    String model,
    @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, Double> classWeights,
    @JsonInclude(JsonInclude.Include.NON_NULL) String caution,
    @JsonInclude(JsonInclude.Include.NON_NULL) String suspect) {

  /** The winner's metric on the validation split, which decided between the algorithms. */
  @JsonIgnore
  public Double validationMetric() {
    return validationByAlgorithm == null ? null : validationByAlgorithm.get(algorithm);
  }
}
