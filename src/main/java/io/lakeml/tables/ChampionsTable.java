package io.lakeml.tables;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * {@code _system.champions}: every change of a dataset's champion model (automatic promotion, a
 * person's promotion, a rollback) with who, when and why. {@code deploy.PromoteJob} appends to it
 * and reads it back as a stack to find a rollback's target; the report shows it.
 */
public final class ChampionsTable {
  /** The table's name under {@code _system}. */
  public static final String TABLE = "champions";

  public static final String DATASET = "dataset";

  /** The model version that became champion. */
  public static final String VERSION = "version";

  /** The champion it replaced (archived), null for a dataset's first. */
  public static final String PREVIOUS_VERSION = "previous_version";

  /** {@link #PROMOTE}, {@link #MANUAL_PROMOTE} or {@link #ROLLBACK}. */
  public static final String ACTION = "action";

  public static final String REASON = "reason";

  /** Who made the change: the user name of the process. */
  public static final String ACTOR = "actor";

  public static final String RUN_ID = "run_id";
  public static final String AT = "at";

  /** Values of {@link #ACTION}. */
  public static final String PROMOTE = "promote";

  public static final String MANUAL_PROMOTE = "manual-promote";
  public static final String ROLLBACK = "rollback";

  public static final StructType SCHEMA =
      new StructType()
          .add(DATASET, DataTypes.StringType, false)
          .add(VERSION, DataTypes.IntegerType, false)
          .add(PREVIOUS_VERSION, DataTypes.IntegerType, true)
          .add(ACTION, DataTypes.StringType, false)
          .add(REASON, DataTypes.StringType, false)
          .add(ACTOR, DataTypes.StringType, false)
          .add(RUN_ID, DataTypes.StringType, false)
          .add(AT, DataTypes.TimestampType, false);

  private ChampionsTable() {}
}
