package io.lakeml.tables;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * {@code predictions.<dataset>}: what the champion predicted for each row it scored, per run date.
 * Each row holds the dataset's key columns (all its columns when it has no key) followed by {@link
 * #SCHEMA}'s columns. {@code deploy.ScoreJob} writes it; monitoring and the bench read it.
 */
public final class PredictionsTable {
  /** The predicted class, in the label's own values. */
  public static final String PREDICTION = "prediction";

  /**
   * The probability of the positive class (binary) or of the predicted class; null when the model
   * gives none.
   */
  public static final String PROBABILITY = "probability";

  public static final String MODEL_VERSION = "model_version";

  /** The silver version the scored rows were read from. */
  public static final String SILVER_VERSION = "silver_version";

  public static final String RUN_ID = "run_id";
  public static final String RUN_DATE = "run_date";

  /** The columns after the key columns. */
  public static final StructType SCHEMA =
      new StructType()
          .add(PREDICTION, DataTypes.StringType, true)
          .add(PROBABILITY, DataTypes.DoubleType, true)
          .add(MODEL_VERSION, DataTypes.IntegerType, false)
          .add(SILVER_VERSION, DataTypes.LongType, false)
          .add(RUN_ID, DataTypes.StringType, false)
          .add(RUN_DATE, DataTypes.DateType, false);

  private PredictionsTable() {}
}
