package io.lakeml.tables;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * {@code _system.monitor}: what monitoring measured on a run date for the champion's scored rows:
 * per feature drift (PSI), the prediction rate, late-label performance and the retrain signal, each
 * with its threshold and whether it was breached. {@code deploy.MonitorJob} writes it; tune's
 * retrain check ({@code core.ModelRegistry}) and the report read it.
 */
public final class MonitorTable {
  /** The table's name under {@code _system}. */
  public static final String TABLE = "monitor";

  public static final String DATASET = "dataset";
  public static final String RUN_DATE = "run_date";
  public static final String RUN_ID = "run_id";
  public static final String MODEL_VERSION = "model_version";
  public static final String SILVER_VERSION = "silver_version";
  public static final String KIND = "kind";
  public static final String NAME = "name";
  public static final String VALUE = "value";
  public static final String THRESHOLD = "threshold";
  public static final String BREACHED = "breached";

  /**
   * Values of {@link #KIND}: a feature's PSI, the predicted classes' PSI, the labels table used,
   */
  public static final String FEATURE = "feature";

  public static final String PREDICTION = "prediction";
  public static final String LABELS = "labels";

  /** the champion's score on late labels, and the retraining signal (value 1 when raised). */
  public static final String PERFORMANCE = "performance";

  public static final String SIGNAL = "signal";

  public static final StructType SCHEMA =
      new StructType()
          .add(DATASET, DataTypes.StringType, false)
          .add(RUN_DATE, DataTypes.DateType, false)
          .add(RUN_ID, DataTypes.StringType, false)
          .add(MODEL_VERSION, DataTypes.IntegerType, false)
          .add(SILVER_VERSION, DataTypes.LongType, false)
          .add(KIND, DataTypes.StringType, false)
          .add(NAME, DataTypes.StringType, false)
          .add(VALUE, DataTypes.DoubleType, true)
          .add(THRESHOLD, DataTypes.DoubleType, true)
          .add(BREACHED, DataTypes.BooleanType, false);

  private MonitorTable() {}
}
