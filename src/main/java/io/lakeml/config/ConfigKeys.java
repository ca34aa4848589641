package io.lakeml.config;

import io.lakeml.config.DatasetConfig.DriftPolicy;
import io.lakeml.config.DatasetConfig.Format;
import io.lakeml.config.DatasetConfig.GateAction;
import io.lakeml.config.DatasetConfig.LeakageAction;
import io.lakeml.config.DatasetConfig.Mode;
import io.lakeml.config.DatasetConfig.Scaling;
import io.lakeml.config.DatasetConfig.Strategy;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

/**
 * Every single-valued configuration key lakeml reads, typed and checked; their defaults are in
 * {@code lakeml-defaults.conf} (see {@link ConfigKey}). Lists and objects (the schema, rules,
 * algorithms, sensitive attributes, Spark settings) are bound by {@link ConfigLoader} itself.
 */
public final class ConfigKeys {
  private ConfigKeys() {}

  public static final ConfigKey<String> LAKE_ROOT = ConfigKey.text("lake.root");
  public static final ConfigKey<Boolean> SKIP_UNCHANGED = ConfigKey.bool("lake.skip-unchanged");
  public static final ConfigKey<String> SPARK_MASTER = ConfigKey.text("spark.master");
  public static final ConfigKey<Integer> SMALL_INPUT_MAX_MB =
      ConfigKey.integer("spark.small-input.max-mb", 0);
  public static final ConfigKey<Integer> WIDE_INPUT_MIN_COLUMNS =
      ConfigKey.integer("spark.wide-input.min-columns", 0);

  // dataset.source
  public static final ConfigKey<Format> SOURCE_FORMAT =
      ConfigKey.enumeration("dataset.source.format", Format.class);
  public static final ConfigKey<Mode> SOURCE_MODE =
      ConfigKey.enumeration("dataset.source.mode", Mode.class);

  /** No default in the file: the dataset's name. */
  public static final ConfigKey<String> SOURCE_PATH = ConfigKey.text("dataset.source.path");

  public static final ConfigKey<DriftPolicy> SCHEMA_DRIFT =
      ConfigKey.enumeration("dataset.source.schema-drift", DriftPolicy.class);
  public static final ConfigKey<Integer> MAX_FILES_PER_BATCH =
      ConfigKey.integer("dataset.source.max-files-per-batch", 1);
  public static final ConfigKey<String> DECIMAL_SEPARATOR =
      ConfigKey.oneOf(
          "dataset.source.decimal-separator",
          List.of(".", ","),
          "a number's decimal separator",
          "Write decimal-separator = \",\" for numbers like 3655,57, or leave it out for 3655.57");

  // dataset.label (no defaults: a dataset without a label block has no label)
  public static final ConfigKey<String> LABEL_COLUMN = ConfigKey.text("dataset.label.column");
  public static final ConfigKey<String> LABEL_POSITIVE = ConfigKey.text("dataset.label.positive");

  /** No default in the file: the positive class. */
  public static final ConfigKey<String> LABEL_FAVORABLE = ConfigKey.text("dataset.label.favorable");

  // dataset.prepare
  private static final String FRACTION = "Use a fraction such as 0.2";
  public static final ConfigKey<Double> SPLIT_TRAIN =
      ConfigKey.between("dataset.prepare.split.train", 0, true, 1, true, FRACTION);
  public static final ConfigKey<Double> SPLIT_VALIDATION =
      ConfigKey.between("dataset.prepare.split.validation", 0, true, 1, true, FRACTION);
  public static final ConfigKey<Double> SPLIT_TEST =
      ConfigKey.between("dataset.prepare.split.test", 0, true, 1, true, FRACTION);
  public static final ConfigKey<Integer> SPLIT_SEED =
      ConfigKey.integer("dataset.prepare.split.seed", 0);

  /** No default: a random split. */
  public static final ConfigKey<String> SPLIT_TIME_COLUMN =
      ConfigKey.text("dataset.prepare.split.time-column");

  public static final ConfigKey<Integer> SPLIT_EXACT_MAX_ROWS =
      ConfigKey.integer("dataset.prepare.split.exact-max-rows", 0);
  public static final ConfigKey<Scaling> SCALING =
      ConfigKey.enumeration("dataset.prepare.scaling", Scaling.class);
  public static final ConfigKey<LeakageAction> LEAKAGE_ACTION =
      ConfigKey.enumeration("dataset.prepare.leakage.action", LeakageAction.class);
  public static final ConfigKey<Double> LEAKAGE_MAX_AUC =
      ConfigKey.between(
          "dataset.prepare.leakage.max-auc",
          0.5,
          false,
          1,
          true,
          "A single feature's AUC is compared with it (0.5 = no association, 1 = the label itself); the default is 0.98");

  // dataset.tune
  /** No default in the file: areaUnderROC for a binary label, f1 for a multiclass one. */
  public static final ConfigKey<String> TUNE_METRIC = ConfigKey.text("dataset.tune.metric");

  public static final ConfigKey<Integer> TUNE_FOLDS = ConfigKey.integer("dataset.tune.folds", 2);
  public static final ConfigKey<Integer> TUNE_PARALLELISM =
      ConfigKey.integer("dataset.tune.parallelism", 1);
  public static final ConfigKey<Integer> TUNE_SEED = ConfigKey.integer("dataset.tune.seed", 0);
  public static final ConfigKey<Strategy> TUNE_STRATEGY =
      ConfigKey.enumeration("dataset.tune.strategy", Strategy.class);
  public static final ConfigKey<Integer> TUNE_TRIALS = ConfigKey.integer("dataset.tune.trials", 1);
  public static final ConfigKey<Integer> HALVING_ETA =
      ConfigKey.integer("dataset.tune.halving.eta", 2);
  public static final ConfigKey<Double> HALVING_MIN_FRACTION =
      ConfigKey.between(
          "dataset.tune.halving.min-fraction", 0, false, 1, true, "Set it to e.g. 0.25");
  public static final ConfigKey<Integer> RETRAIN_DAYS =
      ConfigKey.integer("dataset.tune.retrain-days", 0);
  public static final ConfigKey<Boolean> SHARED_PASS = ConfigKey.bool("dataset.tune.shared-pass");
  public static final ConfigKey<String> CLASS_WEIGHT =
      ConfigKey.oneOf(
          "dataset.tune.class-weight",
          List.of("none", "balanced"),
          "a class weighting",
          "Use none (every row weighs 1) or balanced (each class weighs the same in total: n / (classes x rows of the class))");

  /** No default in the file: a fixed 0.5 (see {@code ConfigLoader.bindThreshold}). */
  public static final ConfigKey<String> TUNE_THRESHOLD = ConfigKey.text("dataset.tune.threshold");

  // dataset.bias
  public static final ConfigKey<Integer> BIAS_MIN_GROUP_SIZE =
      ConfigKey.integer("dataset.bias.min-group-size", 1);
  public static final ConfigKey<Integer> BIAS_BOOTSTRAP =
      ConfigKey.integer("dataset.bias.bootstrap", 0);
  public static final ConfigKey<Double> BIAS_CONFIDENCE =
      ConfigKey.between("dataset.bias.confidence", 0, false, 1, false, "Set it to e.g. 0.95");
  public static final ConfigKey<Integer> BIAS_SEED = ConfigKey.integer("dataset.bias.seed", 0);
  public static final ConfigKey<Double> DI_MIN =
      ConfigKey.between("dataset.bias.policy.di-min", 0, true, Double.POSITIVE_INFINITY, false, "");
  public static final ConfigKey<Double> DI_MAX =
      ConfigKey.between("dataset.bias.policy.di-max", 0, true, Double.POSITIVE_INFINITY, false, "");
  public static final ConfigKey<Double> EOD_MAX =
      ConfigKey.between(
          "dataset.bias.policy.eod-max", 0, true, Double.POSITIVE_INFINITY, false, "");
  public static final ConfigKey<GateAction> GATE_ACTION =
      ConfigKey.enumeration("dataset.bias.policy.action", GateAction.class);
  public static final ConfigKey<Boolean> REWEIGH = ConfigKey.bool("dataset.bias.reweigh");

  // dataset.deploy
  public static final ConfigKey<Double> MARGIN = ConfigKey.number("dataset.deploy.margin");
  public static final ConfigKey<Double> MIN_VALIDATION_AUC =
      ConfigKey.between(
          "dataset.deploy.min-validation-auc",
          0,
          true,
          1,
          true,
          "0 promotes a binary model however close to chance it is");
  public static final ConfigKey<String> SCORE_ROWS =
      ConfigKey.oneOf(
          "dataset.deploy.score.rows",
          List.of("all", "run-date"),
          "a scoring scope",
          "Use all (every silver row) or run-date (rows ingested on the run date)");
  public static final ConfigKey<Double> PSI_THRESHOLD =
      ConfigKey.between(
          "dataset.deploy.monitor.psi-threshold", 0, true, Double.POSITIVE_INFINITY, false, "");
  public static final ConfigKey<Double> METRIC_DROP =
      ConfigKey.between(
          "dataset.deploy.monitor.metric-drop", 0, true, Double.POSITIVE_INFINITY, false, "");
  public static final ConfigKey<String> LABELS_FROM =
      ConfigKey.text("dataset.deploy.monitor.labels.from");
  public static final ConfigKey<String> LABELS_COLUMN =
      ConfigKey.text("dataset.deploy.monitor.labels.column");
  public static final ConfigKey<Integer> LABELS_LOOKBACK_DAYS =
      ConfigKey.integer("dataset.deploy.monitor.labels.lookback-days", 1);

  /** Every key declared above, in declaration order. */
  public static List<ConfigKey<?>> all() {
    List<ConfigKey<?>> keys = new ArrayList<>();
    for (Field f : ConfigKeys.class.getDeclaredFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == ConfigKey.class) {
        try {
          keys.add((ConfigKey<?>) f.get(null));
        } catch (IllegalAccessException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return keys;
  }
}
