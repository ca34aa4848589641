package io.lakeml.core;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * What a score run that wrote predictions reports in its summary's {@code metrics}, in the order
 * the summary line prints them.
 *
 * @param version the champion version that scored
 * @param rowsScored predictions written for the run date
 * @param rowsQuarantined rows the model could not score (to quarantine)
 * @param rows which rows were scored: {@code all} of silver or the {@code run-date}'s
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ScoreMetrics(int version, long rowsScored, long rowsQuarantined, String rows) {}
