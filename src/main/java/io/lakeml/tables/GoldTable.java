package io.lakeml.tables;

/**
 * {@code gold.<dataset>}: the modelling table prepare writes and tune, bias and reproduce read.
 * Each row holds the dataset's columns as etl typed them, the numeric label, the training weight,
 * the assembled feature vector and the split it belongs to. The feature vector's slots are named in
 * the saved feature pipeline, not here.
 */
public final class GoldTable {
  /** The label as a double: 0/1 for a binary label, the class index for a multiclass one. */
  public static final String LABEL = "label";

  /** The training weight (1.0, or the reweighing or class-balancing weight). */
  public static final String WEIGHT = "weight";

  /** The feature vector the estimators read. */
  public static final String FEATURES = "features";

  /** {@link #TRAIN}, {@link #VALIDATION} or {@link #TEST}: the deterministic 60/20/20 split. */
  public static final String SPLIT = "split";

  /** Values of {@link #SPLIT}. */
  public static final String TRAIN = "train";

  public static final String VALIDATION = "validation";
  public static final String TEST = "test";

  private GoldTable() {}
}
