package io.lakeml.tables;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * {@code _system.bias}: fairness measurements per dataset, stage (pre: the training data of a gold
 * version; post: a model version's test predictions), variant, sensitive attribute and group, with
 * confidence intervals. {@code bias.BiasJob} writes it; promotion's gate and the report read it.
 */
public final class BiasTable {
  /** The table's name under {@code _system}. */
  public static final String TABLE = "bias";

  public static final String DATASET = "dataset";
  public static final String RUN_DATE = "run_date";
  public static final String RUN_ID = "run_id";
  public static final String STAGE = "stage";
  public static final String VARIANT = "variant";
  public static final String MODEL_VERSION = "model_version";
  public static final String GOLD_VERSION = "gold_version";
  public static final String ATTRIBUTE = "attribute";
  public static final String GROUP = "group";
  public static final String METRIC = "metric";
  public static final String VALUE = "value";
  public static final String CI_LOW = "ci_low";
  public static final String CI_HIGH = "ci_high";
  public static final String NOTE = "note";
  public static final String CONFIG_HASH = "config_hash";

  public static final StructType SCHEMA =
      new StructType()
          .add(DATASET, DataTypes.StringType, false)
          .add(RUN_DATE, DataTypes.DateType, false)
          .add(RUN_ID, DataTypes.StringType, false)
          .add(STAGE, DataTypes.StringType, false)
          .add(VARIANT, DataTypes.StringType, false)
          .add(MODEL_VERSION, DataTypes.IntegerType, true)
          .add(GOLD_VERSION, DataTypes.LongType, false)
          .add(ATTRIBUTE, DataTypes.StringType, false)
          .add(GROUP, DataTypes.StringType, false)
          .add(METRIC, DataTypes.StringType, false)
          .add(VALUE, DataTypes.DoubleType, true)
          .add(CI_LOW, DataTypes.DoubleType, true)
          .add(CI_HIGH, DataTypes.DoubleType, true)
          .add(NOTE, DataTypes.StringType, true)
          .add(CONFIG_HASH, DataTypes.StringType, false);

  private BiasTable() {}
}
