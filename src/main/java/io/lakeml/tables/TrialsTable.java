package io.lakeml.tables;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * {@code _system.trials}: every candidate a tune run tried, per rung of its search: parameters,
 * rows, mean and spread of the fold metrics, the validation metric, seconds, and whether it was
 * selected. {@code tune.TuneJob} writes it; the report reads it.
 */
public final class TrialsTable {
  /** The table's name under {@code _system}. */
  public static final String TABLE = "trials";

  public static final String DATASET = "dataset";
  public static final String RUN_ID = "run_id";
  public static final String RUN_DATE = "run_date";
  public static final String STRATEGY = "strategy";
  public static final String RUNG = "rung";
  public static final String FRACTION = "fraction";
  public static final String ROWS = "rows";
  public static final String ALGORITHM = "algorithm";
  public static final String CANDIDATE = "candidate";
  public static final String PARAMS = "params";
  public static final String METRIC = "metric";
  public static final String FOLD_METRICS = "fold_metrics";
  public static final String MEAN = "mean";
  public static final String STD = "std";
  public static final String SECONDS = "seconds";
  public static final String VALIDATION_METRIC = "validation_metric";
  public static final String SELECTED = "selected";

  public static final StructType SCHEMA =
      new StructType()
          .add(DATASET, DataTypes.StringType, false)
          .add(RUN_ID, DataTypes.StringType, false)
          .add(RUN_DATE, DataTypes.DateType, false)
          .add(STRATEGY, DataTypes.StringType, false)
          .add(RUNG, DataTypes.IntegerType, false)
          .add(FRACTION, DataTypes.DoubleType, false)
          .add(ROWS, DataTypes.LongType, false)
          .add(ALGORITHM, DataTypes.StringType, false)
          .add(CANDIDATE, DataTypes.IntegerType, false)
          .add(PARAMS, DataTypes.StringType, false)
          .add(METRIC, DataTypes.StringType, false)
          .add(FOLD_METRICS, DataTypes.createArrayType(DataTypes.DoubleType), false)
          .add(MEAN, DataTypes.DoubleType, false)
          .add(STD, DataTypes.DoubleType, false)
          .add(SECONDS, DataTypes.DoubleType, false)
          .add(VALIDATION_METRIC, DataTypes.DoubleType, true)
          .add(SELECTED, DataTypes.BooleanType, false);

  private TrialsTable() {}
}
