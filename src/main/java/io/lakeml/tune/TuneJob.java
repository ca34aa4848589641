package io.lakeml.tune;

import static org.apache.spark.sql.functions.col;

import io.lakeml.config.DatasetConfig;
import io.lakeml.config.DatasetConfig.Algorithm;
import io.lakeml.config.LakemlConfig;
import io.lakeml.core.DeltaTables;
import io.lakeml.core.Hooks;
import io.lakeml.core.Job;
import io.lakeml.core.JobContext;
import io.lakeml.core.JobFailure;
import io.lakeml.core.JobResult;
import io.lakeml.core.LakeCatalog;
import io.lakeml.core.Lineage;
import io.lakeml.core.ModelRegistry;
import io.lakeml.core.SavedModels;
import io.lakeml.core.TuneMetrics;
import io.lakeml.model.Algorithms;
import io.lakeml.model.LabelCoding;
import io.lakeml.model.ModelDiagnostics;
import io.lakeml.model.ModelMetrics;
import io.lakeml.model.PermutationImportance;
import io.lakeml.tables.GoldTable;
import io.lakeml.tables.ModelsTable;
import io.lakeml.tables.TrialsTable;
import java.sql.Date;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.attribute.Attribute;
import org.apache.spark.ml.attribute.NominalAttribute;
import org.apache.spark.ml.evaluation.Evaluator;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * gold → model version. Cross-validated search per algorithm on the training split; the best
 * candidate of each algorithm is refitted on the whole training split and scored on validation; the
 * winner is chosen on validation; the test split is scored once, for the record. Every trial goes
 * to {@code _system.trials}; the winner (feature pipeline + model, as one PipelineModel) becomes
 * the next version in the {@link ModelRegistry}. A gold version already trained with this
 * configuration is SKIPPED.
 */
public final class TuneJob implements Job {
  static final String SPLIT = GoldTable.SPLIT;
  static final String TRAIN = GoldTable.TRAIN;
  static final String VALIDATION = GoldTable.VALIDATION;
  static final String TEST = GoldTable.TEST;

  static final StructType TRIALS_SCHEMA = TrialsTable.SCHEMA;

  /** Column of {@link #trainingFolds}: the row's cross-validation fold, 0 … folds − 1. */
  public static final String FOLD = Search.FOLD;

  /**
   * The training split of {@code gold} as tune's cross-validation sees it: label, weight, feature
   * vector and {@link #FOLD}, the fold the search gives the row (a seeded hash of its key). The
   * bench hands these rows to scikit-learn, so that both sides search the same rows in the same
   * folds. Class weights ({@code class-weight = balanced}) are not applied here.
   */
  public static Dataset<Row> trainingFolds(Dataset<Row> gold, DatasetConfig ds) {
    return Search.trainingSet(
            gold.where(col(SPLIT).equalTo(TRAIN)), ds.tune().seed(), ds.tune().folds(), ds.key())
        .drop(Search.UNIFORM);
  }

  @Override
  public String name() {
    return "tune";
  }

  @Override
  public boolean skipsWhenLakeUnchanged(io.lakeml.config.LakemlConfig config) {
    return true;
  }

  @Override
  public void validate(LakemlConfig config) {
    Algorithms.check(config.requireDataset());
  }

  @Override
  public JobResult run(JobContext ctx) throws Exception {
    DatasetConfig ds = ctx.dataset();
    DatasetConfig.Tune tune = ds.tune();
    SparkSession spark = ctx.spark();
    LakeCatalog cat = ctx.catalog();
    LakeCatalog.Table gold = cat.gold(ds.name());
    long goldVersion = Lineage.requireInput(ctx, gold, "prepare");
    Optional<ModelsTable.ModelVersion> existing =
        ModelRegistry.trainedFrom(spark, cat, ds.name(), goldVersion, ctx.config().modelHash());
    // a retraining signal from monitoring newer than that version trains again on the same inputs
    java.time.LocalDate trainedOn = existing.map(ModelsTable.ModelVersion::runDate).orElse(null);
    boolean signalled =
        existing.isPresent() && ModelRegistry.retrainSignalled(spark, cat, ds.name(), trainedOn);
    boolean due =
        existing.isPresent()
            && tune.retrainDays() > 0
            && !trainedOn.plusDays(tune.retrainDays()).isAfter(ctx.runDate());
    if (existing.isPresent() && !signalled && !due) {
      int v = existing.get().version();
      return JobResult.skipped(
              "model version "
                  + v
                  + " is already trained from "
                  + gold.name()
                  + " version "
                  + goldVersion
                  + " with this dataset configuration")
          .metric("version", v)
          .read(gold.name(), goldVersion);
    }
    String why =
        existing.isEmpty()
            ? "new inputs (gold version or dataset configuration)"
            : signalled
                ? "retraining signal from monitor"
                : "schedule (dataset.tune.retrain-days = " + tune.retrainDays() + ")";
    Inputs in = Inputs.at(ctx, goldVersion);

    Dataset<Row> goldRows =
        spark.read().format("delta").option("versionAsOf", goldVersion).load(gold.path());
    List<String> classes = classes(goldRows);
    boolean binary = ds.label().map(DatasetConfig.Label::binary).orElse(true);
    Dataset<Row> trainRows = goldRows.where(col(SPLIT).equalTo(TRAIN));
    Dataset<Row> validationRows = goldRows.where(col(SPLIT).equalTo(VALIDATION));
    ctx.hook(Hooks.Point.SELECTION_ROWS, trainRows);
    ctx.hook(Hooks.Point.SELECTION_ROWS, validationRows);

    Map<String, Double> classWeights = null;
    if (tune.balancedClasses()) {
      ctx.step(
          "weighting the classes of the training split equally (dataset.tune.class-weight = balanced)");
      classWeights = ClassWeights.balanced(trainRows);
      trainRows = ClassWeights.apply(trainRows, classWeights);
    }
    ctx.step("caching the training split");
    Dataset<Row> train =
        Search.trainingSet(trainRows, tune.seed(), tune.folds(), ds.key()).persist();
    Dataset<Row> validation =
        validationRows
            .select(col(Algorithms.LABEL), col(Algorithms.WEIGHT), col(Algorithms.FEATURES))
            .persist();
    try {
      long nTrain = train.count();
      long nValidation = validation.count();
      // the cached split's size, from the cache's own statistics once built: what every pass of the
      // search reads
      double trainCachedMb =
          train
                  .alias("cached_train")
                  .queryExecution()
                  .optimizedPlan()
                  .stats()
                  .sizeInBytes()
                  .doubleValue()
              / (1 << 20);
      if (nTrain < 2L * tune.folds()) {
        throw new JobFailure(
            "the training split of "
                + gold.name()
                + " version "
                + goldVersion
                + " has "
                + nTrain
                + " rows, too few for "
                + tune.folds()
                + "-fold cross-validation. Add data or lower dataset.tune.folds.");
      }
      if (nValidation == 0) {
        throw new JobFailure(
            "the validation split of "
                + gold.name()
                + " version "
                + goldVersion
                + " is empty; the winner is chosen on it. Set dataset.prepare.split.validation above 0.");
      }
      // folds score parts of train, the comparison scores validation
      Evaluator eval = ModelMetrics.evaluator(tune.metric(), Math.max(nTrain, nValidation));
      List<Search.Space> spaces = spaces(tune);
      long t0 = System.nanoTime();
      long cpu0 = processCpuNanos();
      Search.Outcome outcome = Search.run(ctx, tune, spaces, train, nTrain, eval);
      double searchSeconds = (System.nanoTime() - t0) / 1e9;
      double searchCpuSeconds = (processCpuNanos() - cpu0) / 1e9;

      // the best of each algorithm, refitted on the whole training split by CrossValidator, scored
      // on validation
      ctx.step("scoring each algorithm's best candidate on the validation split");
      Search.Best winner = null;
      double winnerValidation = Double.NaN;
      Map<String, Double> byAlgorithm = new LinkedHashMap<>();
      for (Search.Best b : outcome.best()) {
        double v = eval.evaluate(b.model().transform(validation));
        byAlgorithm.put(b.space().algorithm(), v);
        boolean better =
            winner == null
                || beats(
                    v, b.cvMetric(), winnerValidation, winner.cvMetric(), eval.isLargerBetter());
        if (better) {
          winner = b;
          winnerValidation = v;
        }
      }
      writeTrials(ctx, tune, outcome, byAlgorithm, winner);

      ctx.step(
          "scoring the winner ("
              + winner.space().algorithm()
              + ") on train, validation and, once, test");
      Model<?> model = winner.model();
      // the decision threshold, chosen on validation and set on the model every later stage applies
      Double chosenThreshold = null;
      DatasetConfig.Threshold rule = tune.threshold();
      if (binary && !(rule.rule() == DatasetConfig.ThresholdRule.FIXED && rule.value() == 0.5)) {
        ctx.step("choosing the decision threshold on the validation split (" + rule + ")");
        double trainRate =
            train
                .agg(org.apache.spark.sql.functions.avg(col(Algorithms.LABEL)))
                .head()
                .getDouble(0);
        chosenThreshold = Thresholds.apply(model, validation, rule, trainRate).orElse(null);
      }
      Dataset<Row> scoredValidation = model.transform(validation);
      ctx.step("the winner's metrics on the training split");
      Map<String, Double> trainMetrics = ModelMetrics.all(model.transform(train), binary, nTrain);
      ctx.step("the winner's metrics on the validation split");
      Map<String, Double> validationMetrics =
          ModelMetrics.all(scoredValidation, binary, nValidation);
      ctx.step("the winner's metrics, confusion matrix and curves on the test split");
      // the only place the test split is read
      Dataset<Row> test =
          goldRows
              .where(col(SPLIT).equalTo(TEST))
              .select(col(Algorithms.LABEL), col(Algorithms.WEIGHT), col(Algorithms.FEATURES));
      Dataset<Row> scoredTest = model.transform(test).cache();
      long nTest = scoredTest.count();
      Map<String, Double> testMetrics =
          nTest == 0 ? Map.of() : ModelMetrics.all(scoredTest, binary, nTest);
      long[][] confusion = ModelMetrics.confusion(scoredTest, classes.size());
      // for the report: curves of the test split and what the model learned, so it never needs the
      // model files
      ModelDiagnostics.Curves curves =
          binary && nTest > 0 ? ModelDiagnostics.curves(scoredTest, nTest) : null;
      StructField featureField = goldRows.schema().apply(Algorithms.FEATURES);
      ModelDiagnostics.Importances importances = ModelDiagnostics.importances(model, featureField);
      scoredTest.unpersist();
      ctx.step("measuring permutation importance on the validation split");
      PermutationImportance.Result permutation =
          PermutationImportance.measure(
              model,
              validation,
              featureField,
              binary,
              importances == null ? null : importances.byColumn(),
              tune.seed());

      ctx.step("registering the model");
      // saved with the version by copying prepare's directory of it
      PipelineModel features =
          SavedModels.savedAt(
              SavedModels.load(ctx.spark(), in.featurePipeline()), in.featurePipeline());
      PipelineModel complete =
          new PipelineModel(
              Identifiable.randomUID("lakeml"),
              new Transformer[] {features, model, LabelCoding.decoder(classes)});
      ModelRegistry.Entry entry =
          new ModelRegistry.Entry(
              winner.space().algorithm(),
              winner.params(),
              tune.metric(),
              winner.cvMetric(),
              trainMetrics,
              validationMetrics,
              testMetrics,
              confusion,
              classes,
              chosenThreshold != null ? chosenThreshold : threshold(model, binary),
              nTrain,
              nValidation,
              nTest,
              goldVersion,
              in.silverVersion(),
              in.bronzeVersion(),
              in.featurePipeline(),
              tune.seed(),
              tune.folds(),
              tune.strategy().toString(),
              outcome.trials().size(),
              searchSeconds,
              curves,
              importances,
              classWeights,
              permutation);
      int version = ModelRegistry.register(ctx, entry, complete);

      String validationCaution =
          caution(nValidation, binary ? validationMetrics.get("areaUnderROC") : null).orElse(null);
      JobResult result =
          JobResult.succeeded()
              .metrics(
                  new TuneMetrics(
                      version,
                      why,
                      winner.space().algorithm(),
                      winner.params(),
                      tune.metric(),
                      round(winner.cvMetric()),
                      chosenThreshold != null
                          ? Double.valueOf(round(chosenThreshold))
                          : threshold(model, binary),
                      rounded(byAlgorithm),
                      rounded(testMetrics),
                      tune.strategy().toString(),
                      tune.parallelism(),
                      outcome.trials().size(),
                      outcome.fits(),
                      outcome.iterations(),
                      round(searchSeconds),
                      // this JVM's CPU time (all threads) during the search: in local mode the
                      // executors run in it too
                      round(searchCpuSeconds),
                      nTrain,
                      Math.round(trainCachedMb * 10) / 10.0,
                      cat.modelVersion(ds.name(), version),
                      classWeights,
                      validationCaution,
                      ModelRegistry.suspicion(entry)));
      result.read(gold.name(), goldVersion);
      DeltaTables.version(spark, cat.trials().path())
          .ifPresent(v -> result.wrote(cat.trials().name(), v));
      DeltaTables.version(spark, cat.models().path())
          .ifPresent(v -> result.wrote(cat.models().name(), v));
      return result;
    } finally {
      train.unpersist();
      validation.unpersist();
    }
  }

  /** The table versions and feature pipeline a gold version was built from (commit lineage). */
  record Inputs(long silverVersion, Long bronzeVersion, String featurePipeline) {
    static Inputs at(JobContext ctx, long goldVersion) {
      LakeCatalog cat = ctx.catalog();
      String ds = ctx.dataset().name();
      Lineage.Built g =
          Lineage.at(ctx.spark(), cat.gold(ds).path(), goldVersion)
              .filter(b -> b.extra().containsKey("pipeline"))
              .orElseThrow(
                  () ->
                      new JobFailure(
                          cat.gold(ds).name()
                              + " version "
                              + goldVersion
                              + " carries no prepare lineage (was it written by another tool?). Run 'jobs/lakeml prepare --dataset "
                              + ds
                              + "'."));
      Long bronze =
          Lineage.at(ctx.spark(), cat.silver(ds).path(), g.inputVersion())
              .map(Lineage.Built::inputVersion)
              .orElse(null);
      return new Inputs(g.inputVersion(), bronze, g.extra().get("pipeline"));
    }
  }

  static List<Search.Space> spaces(DatasetConfig.Tune tune) {
    List<Search.Space> spaces = new ArrayList<>();
    List<Algorithm> algorithms = tune.algorithms();
    for (int i = 0; i < algorithms.size(); i++) {
      Algorithm a = algorithms.get(i);
      var estimator = Algorithms.estimator(a.type(), tune.seed());
      boolean random =
          tune.strategy() == DatasetConfig.Strategy.RANDOM
              || (tune.strategy() == DatasetConfig.Strategy.HALVING && !a.ranges().isEmpty());
      List<ParamMap> candidates =
          Algorithms.candidates(estimator, a, random, tune.trials(), tune.seed() + i);
      spaces.add(new Search.Space(a.type(), estimator, candidates));
    }
    return spaces;
  }

  /** Class names by label index, from the label column's nominal metadata written by prepare. */
  static List<String> classes(Dataset<Row> gold) {
    Attribute a = Attribute.fromStructField(gold.schema().apply(Algorithms.LABEL));
    if (a instanceof NominalAttribute n && n.values().isDefined()) {
      return List.of(n.values().get());
    }
    return List.of("0", "1");
  }

  /** The decision threshold the model applies (binary only): its own, or 0.5 on the probability. */
  static Double threshold(Model<?> model, boolean binary) {
    if (!binary) {
      return null;
    }
    if (model.hasParam("threshold") && model.isDefined(model.getParam("threshold"))) {
      return (Double) model.getOrDefault(model.getParam("threshold"));
    }
    return 0.5;
  }

  /** CPU time of this JVM, all threads, in ns. */
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private void writeTrials(
      JobContext ctx,
      DatasetConfig.Tune tune,
      Search.Outcome outcome,
      Map<String, Double> validation,
      Search.Best winner) {
    int lastRung = outcome.trials().stream().mapToInt(Search.Trial::rung).max().orElse(0);
    List<Row> rows = new ArrayList<>();
    Date date = Date.valueOf(ctx.runDate());
    for (Search.Trial t : outcome.trials()) {
      Search.Best best =
          outcome.best().stream()
              .filter(
                  b ->
                      b.space().algorithm().equals(t.algorithm()) && b.candidate() == t.candidate())
              .findFirst()
              .orElse(null);
      boolean isBest = best != null && t.rung() == lastRung;
      rows.add(
          RowFactory.create(
              ctx.dataset().name(),
              ctx.runId(),
              date,
              tune.strategy().toString(),
              t.rung(),
              t.fraction(),
              t.rows(),
              t.algorithm(),
              t.candidate(),
              ModelRegistry.json(t.params()),
              tune.metric(),
              toList(t.foldMetrics()),
              t.mean(),
              t.std(),
              t.seconds(),
              isBest ? validation.get(t.algorithm()) : null,
              isBest && best == winner));
    }
    DeltaTables.appendOnce(
        ctx.spark().createDataFrame(rows, TRIALS_SCHEMA).coalesce(1),
        ctx.catalog().trials().path(),
        "lakeml-trials-" + ctx.runId(),
        0,
        false);
  }

  private static List<Double> toList(double[] values) {
    List<Double> out = new ArrayList<>();
    for (double v : values) {
      out.add(v);
    }
    return out;
  }

  static double round(double v) {
    return Math.round(v * 1e6) / 1e6;
  }

  static Map<String, Double> rounded(Map<String, Double> m) {
    Map<String, Double> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(k, round(v)));
    return out;
  }

  /**
   * Whether a candidate with validation metric {@code v} (cross-validated {@code cv}) beats the one
   * chosen so far. Scores within rounding of each other (two AUCs of the same 15 rows can differ in
   * the 16th digit only) are a tie, decided by the cross-validated metric, which rests on more
   * rows; a full tie keeps the earlier algorithm of the configuration.
   */
  static boolean beats(double v, double cv, double bestV, double bestCv, boolean largerBetter) {
    double sign = largerBetter ? 1 : -1;
    double tolerance = 1e-9 * Math.max(1, Math.abs(bestV));
    if (Math.abs(v - bestV) > tolerance) {
      return sign * (v - bestV) > 0;
    }
    return sign * (cv - bestCv) > 1e-9 * Math.max(1, Math.abs(bestCv));
  }

  /** Fewer validation rows than this, and the summary says the choice of winner is uncertain. */
  static final long SMALL_VALIDATION = 50;

  /** {@link #caution(long, Double)} of the validation split's size alone. */
  static java.util.Optional<String> caution(long validationRows) {
    return caution(validationRows, null);
  }

  /** A validation AUC below this is about what guessing gets (0.5): the summary says so. */
  static final double CHANCE_AUC = 0.55;

  /**
   * The cautions of a new version: a validation split too small to choose between algorithms (on 15
   * rows one row moves an AUC by several hundredths, more than the algorithms usually differ), and
   * a binary model no better than chance, which is still registered and, as a first champion,
   * promoted and scored.
   */
  static java.util.Optional<String> caution(long validationRows, Double validationAuc) {
    List<String> cautions = new ArrayList<>();
    if (validationRows < SMALL_VALIDATION) {
      cautions.add(
          "the validation split holds "
              + validationRows
              + " rows (under "
              + SMALL_VALIDATION
              + "): a metric measured on so few rows changes with every row, so which algorithm won "
              + "and its test metric are uncertain; land more rows before trusting them");
    }
    if (validationAuc != null && validationAuc < CHANCE_AUC) {
      cautions.add(
          String.format(
              java.util.Locale.ROOT,
              "validation areaUnderROC %.4f is about chance (0.5, under %.2f): the features as"
                  + " configured hardly predict the label. Check that the label is the outcome you"
                  + " mean and that the columns that carry the signal are features (a date or time"
                  + " needs a derived feature, dataset.prepare.derived) before relying on its"
                  + " predictions",
              validationAuc,
              CHANCE_AUC));
    }
    return cautions.isEmpty()
        ? java.util.Optional.empty()
        : java.util.Optional.of(String.join("; ", cautions));
  }
}
