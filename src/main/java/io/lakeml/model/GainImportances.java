package io.lakeml.model;

import org.apache.spark.ml.linalg.Vector;

/**
 * A fitted model that reports each feature slot's share of its trees' total split gain (summing to
 * 1, as MLlib's tree importances do). Lets the diagnostics read importances from models whose class
 * lives with the stage that trains them (XGBoost's) without depending on that stage.
 */
public interface GainImportances {
  /** One value per feature slot, normalised to sum to 1 (all zero when no split has gain). */
  Vector gainImportances();
}
