package io.lakeml.core;

import static org.apache.spark.sql.functions.col;

import io.lakeml.model.ModelDiagnostics;
import io.lakeml.model.ModelMetrics;
import io.lakeml.model.PermutationImportance;
import io.lakeml.tables.ModelsTable;
import io.lakeml.tables.ModelsTable.ModelVersion;
import io.lakeml.tables.MonitorTable;
import java.io.IOException;
import java.sql.Date;
import java.sql.Timestamp;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * The model registry: a Delta table with one row per model version (metrics per split, parameters,
 * the exact table versions it was trained from, software versions, status) and the model files
 * under {@code models/<dataset>/v<N>/}.
 *
 * <p>Registration is ordered so that a crash at any point leaves no listed version without its
 * files: the model is written to a staging folder, renamed into {@code v<N>} (atomic on HDFS and
 * local file systems), and only then is the registry row committed. A crash after the rename leaves
 * an unlisted {@code v<N>} folder, which the next registration of N replaces.
 */
public final class ModelRegistry {

  public static final String CANDIDATE = "candidate";
  public static final String BLOCKED = "blocked";

  /** A version too good to be true (perfect on validation): never promoted automatically. */
  public static final String SUSPECT = "suspect";

  public static final String CHAMPION = "champion";
  public static final String ARCHIVED = "archived";

  static final StructType SCHEMA = ModelsTable.SCHEMA;

  /**
   * What a tune run registers (everything but the version number and paths the registry assigns).
   */
  public record Entry(
      String algorithm,
      Map<String, String> params,
      String selectionMetric,
      double cvMetric,
      Map<String, Double> trainMetrics,
      Map<String, Double> validationMetrics,
      Map<String, Double> testMetrics,
      long[][] confusion,
      List<String> classes,
      Double threshold,
      long trainRows,
      long validationRows,
      long testRows,
      long goldVersion,
      Long silverVersion,
      Long bronzeVersion,
      String featurePipeline,
      long seed,
      int folds,
      String strategy,
      int trials,
      double searchSeconds,
      ModelDiagnostics.Curves curves,
      ModelDiagnostics.Importances importances,
      Map<String, Double> classWeights,
      PermutationImportance.Result permutation) {}

  /**
   * The least chance of a perfect multiclass validation score, given the cross-validated one, that
   * is not suspect.
   */
  static final double PLAUSIBLY_PERFECT = 0.01;

  private ModelRegistry() {}

  /** Every version of a dataset, newest first (one row per tune run: metadata, not data). */
  public static List<ModelVersion> list(SparkSession spark, LakeCatalog cat, String dataset) {
    return all(spark, cat, dataset).stream()
        .sorted(Comparator.comparingInt(ModelVersion::version).reversed())
        .toList();
  }

  /** One version's row. */
  public static Optional<ModelVersion> get(
      SparkSession spark, LakeCatalog cat, String dataset, int version) {
    return all(spark, cat, dataset).stream().filter(m -> m.version() == version).findFirst();
  }

  /** The version already trained from this gold version with this dataset configuration, if any. */
  public static Optional<ModelVersion> trainedFrom(
      SparkSession spark, LakeCatalog cat, String dataset, long goldVersion, String configHash) {
    return all(spark, cat, dataset).stream()
        .filter(m -> m.goldVersion() == goldVersion && configHash.equals(m.configHash()))
        .max(Comparator.comparingInt(ModelVersion::version));
  }

  /**
   * The dataset's versions, read on the driver without a Spark job ({@link SmallTables}; a query
   * cost two Spark jobs and 0.3 s on a titanic nightly, seven times per nightly), and only the
   * columns a {@link ModelVersion} holds: the curves and importances stay in their Parquet pages.
   */
  private static List<ModelVersion> all(SparkSession spark, LakeCatalog cat, String dataset) {
    return SmallTables.of(spark)
        .rows(cat.models().path(), OptionalLong.empty(), dataset, ModelVersion.COLUMNS)
        .stream()
        .map(ModelVersion::fromJson)
        .toList();
  }

  /** Saves the model and registers it as the next version; returns the version number. */
  public static int register(JobContext ctx, Entry e, PipelineModel model) {
    SparkSession spark = ctx.spark();
    LakeCatalog cat = ctx.catalog();
    String dataset = ctx.dataset().name();
    int version =
        all(spark, cat, dataset).stream().mapToInt(ModelVersion::version).max().orElse(0) + 1;
    String staging = cat.modelStaging(dataset, ctx.runId());
    String target = cat.modelVersion(dataset, version);
    try {
      model.write().overwrite().save(staging);
      Path to = new Path(target);
      FileSystem fs = to.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (fs.exists(to)) {
        // left by a run that crashed after its rename: version N was never listed, so nothing
        // points here
        fs.delete(to, true);
      }
      fs.mkdirs(to.getParent());
      if (!fs.rename(new Path(staging), to)) {
        throw new JobFailure(
            "could not move the model from "
                + staging
                + " to "
                + target
                + "; the registry is unchanged.");
      }
      SavedModels.saved(spark, target, model);
    } catch (IOException ex) {
      throw new JobFailure(
          "could not save the model to "
              + target
              + ": "
              + ex.getMessage()
              + "; the registry is unchanged.",
          ex);
    }
    ctx.hook(Hooks.Point.BEFORE_REGISTRY_ROW, version);
    String suspicion = suspicion(e);
    Row row =
        RowFactory.create(
            dataset,
            version,
            suspicion == null ? CANDIDATE : SUSPECT,
            suspicion,
            e.algorithm(),
            json(e.params()),
            e.selectionMetric(),
            e.cvMetric(),
            scalaMap(e.trainMetrics()),
            scalaMap(e.validationMetrics()),
            scalaMap(e.testMetrics()),
            json(confusion(e)),
            scala.jdk.javaapi.CollectionConverters.asScala(e.classes()).toSeq(),
            e.threshold(),
            e.trainRows(),
            e.validationRows(),
            e.testRows(),
            e.goldVersion(),
            e.silverVersion(),
            e.bronzeVersion(),
            e.featurePipeline(),
            target,
            ctx.config().modelHash(),
            e.seed(),
            e.folds(),
            e.strategy(),
            e.trials(),
            e.searchSeconds(),
            io.lakeml.core.Version.get(),
            spark.version(),
            deltaVersion(),
            ctx.runId(),
            Date.valueOf(ctx.runDate()),
            new Timestamp(System.currentTimeMillis()),
            null,
            null,
            e.curves() == null ? null : seq(e.curves().roc()),
            e.curves() == null ? null : seq(e.curves().pr()),
            e.importances() == null ? null : e.importances().kind(),
            e.importances() == null ? null : seq(e.importances().features()),
            e.importances() == null ? null : seq(e.importances().byColumn()),
            e.classWeights() == null ? null : scalaMap(e.classWeights()),
            e.permutation() == null ? null : e.permutation().metric(),
            e.permutation() == null ? null : (long) e.permutation().rows(),
            e.permutation() == null ? null : seq(e.permutation().byColumn()));
    // one transaction id per (dataset, version): a second writer of the same N is refused, not
    // duplicated
    DeltaTables.appendOnce(
        spark.createDataFrame(List.of(row), SCHEMA).coalesce(1),
        cat.models().path(),
        "lakeml-registry-" + dataset,
        version,
        true);
    ModelVersion written = get(spark, cat, dataset, version).orElse(null);
    if (written == null || !ctx.runId().equals(written.runId())) {
      throw new JobFailure(
          "another tune run registered version "
              + version
              + " of "
              + dataset
              + " at the same time; this run's model is not registered. Run tune again.");
    }
    return version;
  }

  /**
   * Why a version is suspect, or null: a perfect validation score (AUC 1.0 for a binary label,
   * accuracy 1.0 for a multiclass one) on held-out rows is what a leaking feature produces.
   */
  public static String suspicion(Entry e) {
    String metric = e.classes().size() == 2 ? "areaUnderROC" : "accuracy";
    Double v = e.validationMetrics().get(metric);
    if (v == null || v < 1.0 - 1e-12 || e.validationRows() == 0) {
      return null;
    }
    // multiclass: every one of n validation rows right is no surprise from a model whose
    // cross-validated
    // score p (f1 or accuracy, a rate) is below 1 when p^n is not small: wine's 35 rows at p =
    // 0.983 (0.55).
    // A leaked label is perfect in cross-validation too, and stays suspect.
    if (e.classes().size() > 2
        && e.cvMetric() < 1.0 - 1e-9
        && Math.pow(e.cvMetric(), e.validationRows()) >= PLAUSIBLY_PERFECT) {
      return null;
    }
    return "validation "
        + metric
        + " is 1.0 on "
        + e.validationRows()
        + " rows: a perfect score on held-out data usually means a feature"
        + " leaks the label (see prepare's labelAssociation). Not promoted automatically; 'jobs/lakeml promote --version N' if it is real";
  }

  /**
   * Records the bias gate's decision on a version: {@code passed}, {@code warned} or {@code
   * blocked} (a blocked version's status becomes {@code blocked}, so it can never be promoted).
   */
  public static void recordGate(
      SparkSession spark,
      LakeCatalog cat,
      String dataset,
      int version,
      String gate,
      String reason) {
    Map<String, org.apache.spark.sql.Column> set = new java.util.HashMap<>();
    set.put(ModelsTable.BIAS_GATE, org.apache.spark.sql.functions.lit(gate));
    set.put(ModelsTable.BIAS_REASON, org.apache.spark.sql.functions.lit(reason));
    if (BLOCKED.equals(gate)) {
      set.put(ModelsTable.STATUS, org.apache.spark.sql.functions.lit(BLOCKED));
      set.put(ModelsTable.STATUS_REASON, org.apache.spark.sql.functions.lit(reason));
    }
    DeltaTables.retryOnConflict(
        "recording the bias gate of " + dataset + " v" + version,
        () ->
            io.delta.tables.DeltaTable.forPath(spark, cat.models().path())
                .update(
                    col(ModelsTable.DATASET)
                        .equalTo(dataset)
                        .and(col(ModelsTable.VERSION).equalTo(version)),
                    set));
  }

  /** The dataset's newest version, if any. */
  public static Optional<ModelVersion> latest(SparkSession spark, LakeCatalog cat, String dataset) {
    return all(spark, cat, dataset).stream().max(Comparator.comparingInt(ModelVersion::version));
  }

  /** The dataset's current champion, if any. */
  public static Optional<ModelVersion> champion(
      SparkSession spark, LakeCatalog cat, String dataset) {
    return all(spark, cat, dataset).stream().filter(m -> CHAMPION.equals(m.status())).findFirst();
  }

  /**
   * Makes {@code version} the champion and archives the previous one, in a single Delta commit (one
   * UPDATE), so there is never zero or two champions.
   */
  public static void makeChampion(
      SparkSession spark, LakeCatalog cat, String dataset, int version, String reason) {
    org.apache.spark.sql.Column isNew = col(ModelsTable.VERSION).equalTo(version);
    Map<String, org.apache.spark.sql.Column> set = new java.util.HashMap<>();
    set.put(
        ModelsTable.STATUS,
        org.apache
            .spark
            .sql
            .functions
            .when(isNew, org.apache.spark.sql.functions.lit(CHAMPION))
            .otherwise(org.apache.spark.sql.functions.lit(ARCHIVED)));
    set.put(
        ModelsTable.STATUS_REASON,
        org.apache
            .spark
            .sql
            .functions
            .when(isNew, org.apache.spark.sql.functions.lit(reason))
            .otherwise(org.apache.spark.sql.functions.lit("replaced by version " + version)));
    DeltaTables.retryOnConflict(
        "making " + dataset + " v" + version + " champion",
        () ->
            io.delta.tables.DeltaTable.forPath(spark, cat.models().path())
                .update(
                    col(ModelsTable.DATASET)
                        .equalTo(dataset)
                        .and(isNew.or(col(ModelsTable.STATUS).equalTo(CHAMPION))),
                    set));
  }

  /** Sets a version's status reason (e.g. why it was not promoted). */
  public static void explain(
      SparkSession spark, LakeCatalog cat, String dataset, int version, String reason) {
    DeltaTables.retryOnConflict(
        "explaining " + dataset + " v" + version,
        () ->
            io.delta.tables.DeltaTable.forPath(spark, cat.models().path())
                .update(
                    col(ModelsTable.DATASET)
                        .equalTo(dataset)
                        .and(col(ModelsTable.VERSION).equalTo(version)),
                    Map.of(ModelsTable.STATUS_REASON, org.apache.spark.sql.functions.lit(reason))));
  }

  /** Confusion matrix as JSON {"classes": […], "matrix": [[…]]}, keys in that order. */
  private static Map<String, Object> confusion(Entry e) {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("classes", e.classes());
    m.put("matrix", ModelMetrics.asLists(e.confusion()));
    return m;
  }

  /** Software version of Delta Lake on the classpath. */
  static String deltaVersion() {
    try {
      // io.delta.package.VERSION(): 'package' is a Java keyword, so reflection
      return (String) Class.forName("io.delta.package").getMethod("VERSION").invoke(null);
    } catch (ReflectiveOperationException ex) {
      return "unknown";
    }
  }

  public static String json(Object value) {
    try {
      return io.lakeml.config.Json.MAPPER.writeValueAsString(value);
    } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
      throw new IllegalStateException(ex);
    }
  }

  private static scala.collection.immutable.Seq<Row> seq(List<Row> rows) {
    return scala.jdk.javaapi.CollectionConverters.asScala(rows).toSeq();
  }

  private static scala.collection.Map<String, Double> scalaMap(Map<String, Double> m) {
    return scala.jdk.javaapi.CollectionConverters.asScala(m);
  }

  /**
   * Whether monitor raised a retraining signal for the dataset after {@code since} (a run date): a
   * breached {@code signal} row in {@code _system.monitor}. tune asks this before it trains again.
   */
  public static boolean retrainSignalled(
      SparkSession spark, LakeCatalog cat, String dataset, java.time.LocalDate since) {
    if (!DeltaTables.exists(spark, cat.monitor().path())) {
      return false;
    }
    return !spark
        .read()
        .format("delta")
        .load(cat.monitor().path())
        .where(
            col(MonitorTable.DATASET)
                .equalTo(dataset)
                .and(col(MonitorTable.KIND).equalTo(MonitorTable.SIGNAL))
                .and(col(MonitorTable.BREACHED))
                .and(
                    col(MonitorTable.RUN_DATE)
                        .gt(org.apache.spark.sql.functions.lit(Date.valueOf(since)))))
        .limit(1)
        .isEmpty();
  }
}
