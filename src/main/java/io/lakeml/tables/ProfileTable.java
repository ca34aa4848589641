package io.lakeml.tables;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * {@code _system.profile}: the profile of every column of a prepare run's data, per scope (the
 * whole table and each split): count, nulls, approximate distinct values, range, mean, spread,
 * quantiles and the most frequent values with their label rate. {@code prepare.Profiler} writes it;
 * the report reads it.
 */
public final class ProfileTable {
  /** The table's name under {@code _system}. */
  public static final String TABLE = "profile";

  public static final String DATASET = "dataset";
  public static final String RUN_DATE = "run_date";
  public static final String RUN_ID = "run_id";
  public static final String SCOPE = "scope";
  public static final String COLUMN = "column";
  public static final String TYPE = "type";
  public static final String COUNT = "count";
  public static final String NULLS = "nulls";
  public static final String DISTINCT_APPROX = "distinct_approx";
  public static final String MIN = "min";
  public static final String MAX = "max";
  public static final String MEAN = "mean";
  public static final String STDDEV = "stddev";
  public static final String QUANTILES = "quantiles";
  public static final String TOP_VALUES = "top_values";

  /** Fields of a {@link #TOP_VALUE} besides {@link #COUNT}. */
  public static final String VALUE = "value";

  public static final String LABEL_RATE = "label_rate";

  /**
   * One frequent value of {@link #TOP_VALUES}: the value, how often it occurs, and its label rate.
   */
  public static final StructType TOP_VALUE =
      new StructType()
          .add(VALUE, DataTypes.StringType)
          .add(COUNT, DataTypes.LongType)
          .add(LABEL_RATE, DataTypes.DoubleType);

  public static final StructType SCHEMA =
      new StructType()
          .add(DATASET, DataTypes.StringType, false)
          .add(RUN_DATE, DataTypes.DateType, false)
          .add(RUN_ID, DataTypes.StringType, false)
          .add(SCOPE, DataTypes.StringType, false)
          .add(COLUMN, DataTypes.StringType, false)
          .add(TYPE, DataTypes.StringType, false)
          .add(COUNT, DataTypes.LongType)
          .add(NULLS, DataTypes.LongType)
          .add(DISTINCT_APPROX, DataTypes.LongType)
          .add(MIN, DataTypes.StringType)
          .add(MAX, DataTypes.StringType)
          .add(MEAN, DataTypes.DoubleType)
          .add(STDDEV, DataTypes.DoubleType)
          .add(QUANTILES, DataTypes.createArrayType(DataTypes.DoubleType))
          .add(TOP_VALUES, DataTypes.createArrayType(TOP_VALUE));

  private ProfileTable() {}
}
