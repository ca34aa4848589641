package io.lakeml.tables;

import com.fasterxml.jackson.core.type.TypeReference;
import io.lakeml.config.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * {@code _system.models}, the model registry: one row per model version of every dataset, with its
 * metrics, parameters, the Delta versions it was trained from, its status and its diagnostics.
 * {@code core.ModelRegistry} writes and reads it; deploy, bias, tune, the report and the command
 * line read it. Its columns are named here only.
 */
public final class ModelsTable {
  /** The table's name under {@code _system}. */
  public static final String TABLE = "models";

  public static final String DATASET = "dataset";
  public static final String VERSION = "version";
  public static final String STATUS = "status";
  public static final String STATUS_REASON = "status_reason";
  public static final String ALGORITHM = "algorithm";
  public static final String PARAMS = "params";
  public static final String SELECTION_METRIC = "selection_metric";
  public static final String CV_METRIC = "cv_metric";
  public static final String TRAIN_METRICS = "train_metrics";
  public static final String VALIDATION_METRICS = "validation_metrics";
  public static final String TEST_METRICS = "test_metrics";
  public static final String CONFUSION_MATRIX = "confusion_matrix";
  public static final String CLASSES = "classes";
  public static final String THRESHOLD = "threshold";
  public static final String TRAIN_ROWS = "train_rows";
  public static final String VALIDATION_ROWS = "validation_rows";
  public static final String TEST_ROWS = "test_rows";
  public static final String GOLD_VERSION = "gold_version";
  public static final String SILVER_VERSION = "silver_version";
  public static final String BRONZE_VERSION = "bronze_version";
  public static final String FEATURE_PIPELINE = "feature_pipeline";
  public static final String PATH = "path";
  public static final String CONFIG_HASH = "config_hash";
  public static final String SEED = "seed";
  public static final String FOLDS = "folds";
  public static final String STRATEGY = "strategy";
  public static final String TRIALS = "trials";
  public static final String SEARCH_SECONDS = "search_seconds";
  public static final String LAKEML_VERSION = "lakeml_version";
  public static final String SPARK_VERSION = "spark_version";
  public static final String DELTA_VERSION = "delta_version";
  public static final String RUN_ID = "run_id";
  public static final String RUN_DATE = "run_date";
  public static final String CREATED_AT = "created_at";
  public static final String BIAS_GATE = "bias_gate";
  public static final String BIAS_REASON = "bias_reason";

  /** Test-split ROC curve: (FPR, TPR, threshold) points, at most 100 (binary models only). */
  public static final String ROC_CURVE = "roc_curve";

  /**
   * Test-split precision-recall curve: (recall, precision, threshold) points (binary models only).
   */
  public static final String PR_CURVE = "pr_curve";

  /** {@code importance} (tree models) or {@code coefficient} (binary linear models). */
  public static final String IMPORTANCE_KIND = "importance_kind";

  /** The largest feature importances or coefficients by magnitude: (feature, value). */
  public static final String FEATURE_IMPORTANCE = "feature_importance";

  /** Importance per input column (one-hot slots summed; |coefficient| summed for linear models). */
  public static final String COLUMN_IMPORTANCE = "column_importance";

  /** Balanced class weights the version was trained with (label index → weight), or null. */
  public static final String CLASS_WEIGHTS = "class_weights";

  /** The score permutation importance measured the drop of (areaUnderROC or accuracy), or null. */
  public static final String PERMUTATION_METRIC = "permutation_metric";

  /** Validation rows permutation importance was measured on. */
  public static final String PERMUTATION_ROWS = "permutation_rows";

  /** Mean drop of that score per input column when the column is shuffled, largest first. */
  public static final String PERMUTATION_IMPORTANCE = "permutation_importance";

  /** One curve point: x, y and the score threshold that produces it (null at the curve's ends). */
  public static final StructType POINT =
      new StructType()
          .add("x", DataTypes.DoubleType, false)
          .add("y", DataTypes.DoubleType, false)
          .add("threshold", DataTypes.DoubleType, true);

  /** One feature's importance or coefficient. */
  public static final StructType FEATURE =
      new StructType()
          .add("feature", DataTypes.StringType, false)
          .add("value", DataTypes.DoubleType, false);

  public static final StructType SCHEMA =
      new StructType()
          .add(DATASET, DataTypes.StringType, false)
          .add(VERSION, DataTypes.IntegerType, false)
          .add(STATUS, DataTypes.StringType, false)
          .add(STATUS_REASON, DataTypes.StringType, true)
          .add(ALGORITHM, DataTypes.StringType, false)
          .add(PARAMS, DataTypes.StringType, false)
          .add(SELECTION_METRIC, DataTypes.StringType, false)
          .add(CV_METRIC, DataTypes.DoubleType, false)
          .add(
              TRAIN_METRICS,
              DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType),
              false)
          .add(
              VALIDATION_METRICS,
              DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType),
              false)
          .add(
              TEST_METRICS,
              DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType),
              false)
          .add(CONFUSION_MATRIX, DataTypes.StringType, false)
          .add(CLASSES, DataTypes.createArrayType(DataTypes.StringType), false)
          .add(THRESHOLD, DataTypes.DoubleType, true)
          .add(TRAIN_ROWS, DataTypes.LongType, false)
          .add(VALIDATION_ROWS, DataTypes.LongType, false)
          .add(TEST_ROWS, DataTypes.LongType, false)
          .add(GOLD_VERSION, DataTypes.LongType, false)
          .add(SILVER_VERSION, DataTypes.LongType, true)
          .add(BRONZE_VERSION, DataTypes.LongType, true)
          .add(FEATURE_PIPELINE, DataTypes.StringType, false)
          .add(PATH, DataTypes.StringType, false)
          .add(CONFIG_HASH, DataTypes.StringType, false)
          .add(SEED, DataTypes.LongType, false)
          .add(FOLDS, DataTypes.IntegerType, false)
          .add(STRATEGY, DataTypes.StringType, false)
          .add(TRIALS, DataTypes.IntegerType, false)
          .add(SEARCH_SECONDS, DataTypes.DoubleType, false)
          .add(LAKEML_VERSION, DataTypes.StringType, false)
          .add(SPARK_VERSION, DataTypes.StringType, false)
          .add(DELTA_VERSION, DataTypes.StringType, false)
          .add(RUN_ID, DataTypes.StringType, false)
          .add(RUN_DATE, DataTypes.DateType, false)
          .add(CREATED_AT, DataTypes.TimestampType, false)
          .add(BIAS_GATE, DataTypes.StringType, true)
          .add(BIAS_REASON, DataTypes.StringType, true)
          // added later (nullable, appended with mergeSchema): older rows and lakes lack them, the
          // report says so
          .add(ROC_CURVE, DataTypes.createArrayType(POINT), true)
          .add(PR_CURVE, DataTypes.createArrayType(POINT), true)
          .add(IMPORTANCE_KIND, DataTypes.StringType, true)
          .add(FEATURE_IMPORTANCE, DataTypes.createArrayType(FEATURE), true)
          .add(COLUMN_IMPORTANCE, DataTypes.createArrayType(FEATURE), true)
          .add(
              CLASS_WEIGHTS,
              DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType),
              true)
          .add(PERMUTATION_METRIC, DataTypes.StringType, true)
          .add(PERMUTATION_ROWS, DataTypes.LongType, true)
          .add(PERMUTATION_IMPORTANCE, DataTypes.createArrayType(FEATURE), true);

  /**
   * One registry row as the stages and commands read it back: the columns they act on, typed.
   * Curves and importances stay in the table for the report, which reads them with its own query.
   *
   * @param paramsJson the candidate's parameters as JSON (see {@link #params()})
   * @param biasGate the bias gate's decision ({@code passed}, {@code warned}, {@code blocked}), or
   *     null before it ran
   * @param classWeights balanced class weights (label index → weight), or null
   */
  public record ModelVersion(
      String dataset,
      int version,
      String status,
      String statusReason,
      String algorithm,
      String paramsJson,
      String selectionMetric,
      double cvMetric,
      Map<String, Double> trainMetrics,
      Map<String, Double> validationMetrics,
      Map<String, Double> testMetrics,
      String confusionMatrix,
      List<String> classes,
      Double threshold,
      long goldVersion,
      Long silverVersion,
      Long bronzeVersion,
      String path,
      String configHash,
      long seed,
      int folds,
      String runId,
      LocalDate runDate,
      Timestamp createdAt,
      String biasGate,
      String biasReason,
      Map<String, Double> classWeights) {

    /**
     * Reads a row of this table (any column order; columns added later may be absent in an older
     * lake).
     */
    public static ModelVersion fromRow(Row r) {
      List<String> names = Arrays.asList(r.schema().fieldNames());
      java.sql.Date runDate = r.getAs(RUN_DATE);
      return new ModelVersion(
          r.getAs(DATASET),
          r.<Integer>getAs(VERSION),
          r.getAs(STATUS),
          r.getAs(STATUS_REASON),
          r.getAs(ALGORITHM),
          r.getAs(PARAMS),
          r.getAs(SELECTION_METRIC),
          r.<Double>getAs(CV_METRIC),
          javaMap(r, TRAIN_METRICS),
          javaMap(r, VALIDATION_METRICS),
          javaMap(r, TEST_METRICS),
          r.getAs(CONFUSION_MATRIX),
          List.copyOf(
              scala.jdk.javaapi.CollectionConverters.asJava(
                  r.<scala.collection.Seq<String>>getAs(CLASSES))),
          r.getAs(THRESHOLD),
          r.<Long>getAs(GOLD_VERSION),
          r.getAs(SILVER_VERSION),
          r.getAs(BRONZE_VERSION),
          r.getAs(PATH),
          r.getAs(CONFIG_HASH),
          r.<Long>getAs(SEED),
          r.<Integer>getAs(FOLDS),
          r.getAs(RUN_ID),
          runDate == null ? null : runDate.toLocalDate(),
          r.getAs(CREATED_AT),
          r.getAs(BIAS_GATE),
          r.getAs(BIAS_REASON),
          names.contains(CLASS_WEIGHTS) ? javaMap(r, CLASS_WEIGHTS) : null);
    }

    /** The columns {@link #fromJson} reads. */
    public static final List<String> COLUMNS =
        List.of(
            DATASET,
            VERSION,
            STATUS,
            STATUS_REASON,
            ALGORITHM,
            PARAMS,
            SELECTION_METRIC,
            CV_METRIC,
            TRAIN_METRICS,
            VALIDATION_METRICS,
            TEST_METRICS,
            CONFUSION_MATRIX,
            CLASSES,
            THRESHOLD,
            GOLD_VERSION,
            SILVER_VERSION,
            BRONZE_VERSION,
            PATH,
            CONFIG_HASH,
            SEED,
            FOLDS,
            RUN_ID,
            RUN_DATE,
            CREATED_AT,
            BIAS_GATE,
            BIAS_REASON,
            CLASS_WEIGHTS);

    /**
     * Reads a row in the JSON shape of Spark's {@code toJSON} (null columns absent, dates and
     * timestamps as text, NaN and infinities as text), as the driver-side reader of {@code _system}
     * tables returns it. Timestamps keep milliseconds.
     */
    @SuppressWarnings("unchecked")
    public static ModelVersion fromJson(Map<String, Object> r) {
      Object runDate = r.get(RUN_DATE);
      Object createdAt = r.get(CREATED_AT);
      return new ModelVersion(
          (String) r.get(DATASET),
          ((Number) r.get(VERSION)).intValue(),
          (String) r.get(STATUS),
          (String) r.get(STATUS_REASON),
          (String) r.get(ALGORITHM),
          (String) r.get(PARAMS),
          (String) r.get(SELECTION_METRIC),
          number(r.get(CV_METRIC)),
          doubles(r.get(TRAIN_METRICS)),
          doubles(r.get(VALIDATION_METRICS)),
          doubles(r.get(TEST_METRICS)),
          (String) r.get(CONFUSION_MATRIX),
          r.get(CLASSES) == null ? List.of() : List.copyOf((List<String>) r.get(CLASSES)),
          r.get(THRESHOLD) == null ? null : number(r.get(THRESHOLD)),
          ((Number) r.get(GOLD_VERSION)).longValue(),
          r.get(SILVER_VERSION) == null ? null : ((Number) r.get(SILVER_VERSION)).longValue(),
          r.get(BRONZE_VERSION) == null ? null : ((Number) r.get(BRONZE_VERSION)).longValue(),
          (String) r.get(PATH),
          (String) r.get(CONFIG_HASH),
          ((Number) r.get(SEED)).longValue(),
          ((Number) r.get(FOLDS)).intValue(),
          (String) r.get(RUN_ID),
          runDate == null ? null : LocalDate.parse((String) runDate),
          createdAt == null
              ? null
              : Timestamp.from(java.time.OffsetDateTime.parse((String) createdAt).toInstant()),
          (String) r.get(BIAS_GATE),
          (String) r.get(BIAS_REASON),
          doubles(r.get(CLASS_WEIGHTS)));
    }

    /** A double as JSON carries it: a number, or NaN and the infinities as text. */
    private static double number(Object v) {
      return v instanceof Number n ? n.doubleValue() : Double.parseDouble((String) v);
    }

    private static Map<String, Double> doubles(Object v) {
      if (v == null) {
        return null;
      }
      Map<String, Double> out = new java.util.LinkedHashMap<>();
      ((Map<?, ?>) v).forEach((k, x) -> out.put((String) k, x == null ? null : number(x)));
      return java.util.Collections.unmodifiableMap(out);
    }

    /** The candidate's parameters (MLlib or XGBoost parameter name → value as text). */
    public Map<String, String> params() {
      try {
        return Json.MAPPER.readValue(paramsJson, new TypeReference<TreeMap<String, String>>() {});
      } catch (IOException e) {
        throw new UncheckedIOException(
            "unreadable parameters of " + dataset + " version " + version + ": " + paramsJson, e);
      }
    }

    /** The metrics of one split: {@code train}, {@code validation} or {@code test}. */
    public Map<String, Double> metrics(String split) {
      return switch (split) {
        case "train" -> trainMetrics;
        case "validation" -> validationMetrics;
        case "test" -> testMetrics;
        default ->
            throw new IllegalArgumentException("no split " + split + " (train, validation, test)");
      };
    }

    /** Whether the version's label has two classes. */
    public boolean binary() {
      return classes.size() == 2;
    }

    private static Map<String, Double> javaMap(Row r, String column) {
      scala.collection.Map<String, Double> m = r.getAs(column);
      return m == null
          ? null
          : java.util.Collections.unmodifiableMap(
              new java.util.LinkedHashMap<>(scala.jdk.javaapi.CollectionConverters.asJava(m)));
    }
  }

  private ModelsTable() {}
}
