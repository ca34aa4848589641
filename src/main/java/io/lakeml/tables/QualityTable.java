package io.lakeml.tables;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * {@code _system.quality}: the result of every validation rule of every prepare run: rows checked
 * and failed, the ratio or observed value, the configured action and whether the rule passed.
 * {@code prepare.PrepareJob} writes it; the report reads it.
 */
public final class QualityTable {
  /** The table's name under {@code _system}. */
  public static final String TABLE = "quality";

  public static final String DATASET = "dataset";
  public static final String RUN_DATE = "run_date";
  public static final String RUN_ID = "run_id";
  public static final String RULE_ID = "rule_id";
  public static final String CHECK = "check";
  public static final String COLUMN = "column";
  public static final String ACTION = "action";
  public static final String ROWS_CHECKED = "rows_checked";
  public static final String ROWS_FAILED = "rows_failed";
  public static final String RATIO = "ratio";
  public static final String OBSERVED = "observed";
  public static final String PASSED = "passed";

  public static final StructType SCHEMA =
      new StructType()
          .add(DATASET, DataTypes.StringType, false)
          .add(RUN_DATE, DataTypes.DateType, false)
          .add(RUN_ID, DataTypes.StringType, false)
          .add(RULE_ID, DataTypes.StringType, false)
          .add(CHECK, DataTypes.StringType, false)
          .add(COLUMN, DataTypes.StringType, true)
          .add(ACTION, DataTypes.StringType, false)
          .add(ROWS_CHECKED, DataTypes.LongType, false)
          .add(ROWS_FAILED, DataTypes.LongType, false)
          .add(RATIO, DataTypes.DoubleType, false)
          .add(OBSERVED, DataTypes.DoubleType, true)
          .add(PASSED, DataTypes.BooleanType, false);

  private QualityTable() {}
}
