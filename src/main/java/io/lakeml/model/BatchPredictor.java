package io.lakeml.model;

/**
 * A classifier that scores many rows in one call far faster than one row at a time. XGBoost's
 * single-row prediction builds a native matrix per row; permutation importance, which scores
 * thousands of shuffled rows on the driver, asks for whole batches instead.
 */
public interface BatchPredictor {
  /**
   * Class probabilities of each row of dense feature values (one array per row, one entry per
   * class), equal to what the model's single-row prediction gives for that row.
   */
  double[][] probabilities(double[][] rows);
}
