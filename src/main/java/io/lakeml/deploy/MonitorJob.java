package io.lakeml.deploy;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.when;

import io.lakeml.config.DatasetConfig;
import io.lakeml.core.DeltaTables;
import io.lakeml.core.Job;
import io.lakeml.core.JobContext;
import io.lakeml.core.JobResult;
import io.lakeml.core.LakeCatalog;
import io.lakeml.core.ModelRegistry;
import io.lakeml.core.MonitorMetrics;
import io.lakeml.core.TrainingReference;
import io.lakeml.model.Algorithms;
import io.lakeml.model.Drift;
import io.lakeml.model.LabelCoding;
import io.lakeml.tables.GoldTable;
import io.lakeml.tables.ModelsTable.ModelVersion;
import io.lakeml.tables.MonitorTable;
import io.lakeml.tables.PredictionsTable;
import java.sql.Date;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.StructType;

/**
 * Drift of the rows scored on the run date against the champion's training rows (its gold version's
 * training split, by key, in the silver version it was trained from): population stability index
 * per feature — numeric features binned on the training deciles, categorical ones by category — and
 * of the predicted classes against the champion's test-split predictions; and, when the scored rows
 * carry labels, the champion's metric on them against its test metric. A breach sets the retraining
 * signal (in the summary and in {@code _system.monitor}); the next tune trains even if its inputs
 * did not change.
 */
public final class MonitorJob implements Job {
  static final StructType SCHEMA = MonitorTable.SCHEMA;

  @Override
  public String name() {
    return "monitor";
  }

  @Override
  public boolean skipsWhenLakeUnchanged(io.lakeml.config.LakemlConfig config) {
    return true;
  }

  @Override
  public JobResult run(JobContext ctx) {
    DatasetConfig ds = ctx.dataset();
    SparkSession spark = ctx.spark();
    LakeCatalog cat = ctx.catalog();
    Optional<ModelVersion> champion = ModelRegistry.champion(spark, cat, ds.name());
    if (champion.isEmpty()) {
      return JobResult.skipped("no champion model for " + ds.name() + " yet; nothing to monitor");
    }
    ModelVersion model = champion.get();
    int version = model.version();
    LakeCatalog.Table predictions = cat.predictions(ds.name());
    String thisDate = MonitorTable.RUN_DATE + " = DATE'" + ctx.runDate() + "'";
    List<Row> scoredOn =
        DeltaTables.exists(spark, predictions.path())
            ? spark
                .read()
                .format("delta")
                .load(predictions.path())
                .where(thisDate)
                .select(ScoreJob.SILVER_VERSION, ScoreJob.MODEL_VERSION)
                // bounded: distinct (silver version, model version) pairs of one run date
                .distinct()
                .collectAsList()
            : List.of();
    if (scoredOn.isEmpty()) {
      return JobResult.skipped("nothing was scored on " + ctx.runDate() + "; run score first");
    }
    long scoredSilver = scoredOn.get(0).getLong(0);
    LakeCatalog.Table t = cat.monitor();
    LakeCatalog.Table labels = cat.silver(ds.deploy().labels().from().orElse(ds.name()));
    java.util.OptionalLong labelsVersion = DeltaTables.version(spark, labels.path());
    // monitored already, with the labels known now (labels arriving later make it worth a rerun)
    String done =
        MonitorTable.DATASET
            + " = '"
            + ds.name()
            + "' AND "
            + thisDate
            + " AND "
            + MonitorTable.MODEL_VERSION
            + " = "
            + version
            + " AND "
            + MonitorTable.SILVER_VERSION
            + " = "
            + scoredSilver;
    String sameLabels =
        labelsVersion.isEmpty()
            ? ""
            : " AND "
                + MonitorTable.KIND
                + " = '"
                + MonitorTable.LABELS
                + "' AND "
                + MonitorTable.NAME
                + " = '"
                + labels.name()
                + "' AND "
                + MonitorTable.VALUE
                + " = "
                + labelsVersion.getAsLong();
    if (DeltaTables.exists(spark, t.path())
        && !spark
            .read()
            .format("delta")
            .load(t.path())
            .where(done + sameLabels)
            .limit(1)
            .isEmpty()) {
      return JobResult.skipped(
              "the predictions of "
                  + ctx.runDate()
                  + " (version "
                  + version
                  + ", silver version "
                  + scoredSilver
                  + (labelsVersion.isEmpty()
                      ? ""
                      : ", labels " + labels.name() + " version " + labelsVersion.getAsLong())
                  + ") are already monitored")
          .metric("version", version);
    }
    Long trainedSilver = model.silverVersion();
    LakeCatalog.Table silver = cat.silver(ds.name());
    Dataset<Row> scoredPredictions =
        spark.read().format("delta").load(predictions.path()).where(thisDate);
    Dataset<Row> current =
        spark.read().format("delta").option("versionAsOf", scoredSilver).load(silver.path());
    // With score.rows = all and nothing quarantined, the run date's predictions are every row of
    // that silver version (one per key: etl keeps keys unique, score replaces the date), so the
    // join below would return silver itself; at 10M rows it was a third of the stability check.
    boolean everyRowScored =
        !ds.key().isEmpty() && scoredOn.size() == 1 && scoredPredictions.count() == current.count();
    if (!ds.key().isEmpty() && !everyRowScored) {
      current =
          current.join(
              scoredPredictions.select(
                  ds.key().stream()
                      .map(org.apache.spark.sql.functions::col)
                      .toArray(Column[]::new)),
              scala.jdk.javaapi.CollectionConverters.asScala(ds.key()).toSeq());
    }
    double psiThreshold = ds.deploy().psiThreshold();
    List<Row> out = new ArrayList<>();
    Map<String, Double> psi = new LinkedHashMap<>();
    boolean retrain = false;
    List<String> reasons = new ArrayList<>();
    Date date = Date.valueOf(ctx.runDate());

    ctx.step(
        "population stability of "
            + (ds.features().numeric().size() + ds.features().categorical().size())
            + " feature(s)");
    Map<String, Boolean> features = Drift.features(ds);
    long referenceSilver = trainedSilver == null ? scoredSilver : trainedSilver;
    // one file per gold version: prepare writes it with gold (a keyed dataset's training rows are
    // at hand there); otherwise the first night that needs it computes and stores it
    String stored = cat.trainingReference(ds.name(), model.goldVersion());
    TrainingReference ref =
        TrainingReference.read(spark, stored)
            .filter(r -> r.matches(referenceSilver, model.goldVersion(), ds.key(), features))
            .orElse(null);
    if (ref == null) {
      // Every feature's bins in one pass over each side (one job per side, not two per feature);
      // the reference is read twice (the numeric features' deciles, then every feature's bins):
      // cached, so silver and the semi-join with gold's training keys run once
      Dataset<Row> referenceFeatures =
          trainingRows(spark, cat, ds, model, referenceSilver)
              .select(features.keySet().stream().map(c -> col(c)).toArray(Column[]::new))
              .persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK());
      try {
        ref =
            TrainingReference.of(
                referenceSilver,
                model.goldVersion(),
                ds.key(),
                features,
                Drift.expected(referenceFeatures, features));
      } finally {
        referenceFeatures.unpersist();
      }
      ref.write(spark, stored);
    } else {
      ctx.progress(
          "the training rows' distributions of gold version "
              + model.goldVersion()
              + " from "
              + stored);
    }
    Map<String, Map<String, Double>> expected = ref.expected();
    Map<String, Column> bins = Drift.binColumns(features, ref.edges());
    Map<String, Map<String, Double>> actual = Drift.distributions(current, bins);
    for (String f : features.keySet()) {
      double v = Drift.psi(expected.getOrDefault(f, Map.of()), actual.getOrDefault(f, Map.of()));
      psi.put(f, round(v));
      boolean breach = v > psiThreshold;
      retrain |= breach;
      if (breach) {
        reasons.add(String.format(java.util.Locale.ROOT, "%s PSI %.3f > %s", f, v, psiThreshold));
      }
      out.add(
          RowFactory.create(
              ds.name(),
              date,
              ctx.runId(),
              version,
              scoredSilver,
              MonitorTable.FEATURE,
              f,
              v,
              psiThreshold,
              breach));
    }

    // predicted classes today against the champion's predictions on its test split (confusion
    // matrix columns)
    double predictionPsi = predictionPsi(model, scoredPredictions);
    boolean predictionBreach = predictionPsi > psiThreshold;
    retrain |= predictionBreach;
    if (predictionBreach) {
      reasons.add(
          String.format(
              java.util.Locale.ROOT, "prediction PSI %.3f > %s", predictionPsi, psiThreshold));
    }
    out.add(
        RowFactory.create(
            ds.name(),
            date,
            ctx.runId(),
            version,
            scoredSilver,
            MonitorTable.PREDICTION,
            "predicted class",
            predictionPsi,
            psiThreshold,
            predictionBreach));

    MonitorMetrics.Performance performance = null;
    if (labelsVersion.isPresent()) {
      ctx.step(
          "performance on labels from " + labels.name() + " version " + labelsVersion.getAsLong());
      // the labels are this silver version's own and the run date scored every row of it by the
      // champion: the latest prediction of each labelled key is the run date's
      boolean latestAreToday =
          everyRowScored
              && labels.path().equals(silver.path())
              && labelsVersion.getAsLong() == scoredSilver
              && scoredOn.get(0).getInt(1) == version;
      performance = performance(ctx, ds, model, labels, labelsVersion.getAsLong(), latestAreToday);
      out.add(
          RowFactory.create(
              ds.name(),
              date,
              ctx.runId(),
              version,
              scoredSilver,
              MonitorTable.LABELS,
              labels.name(),
              (double) labelsVersion.getAsLong(),
              null,
              false));
    }
    if (performance != null) {
      double drop = performance.drop();
      boolean breach = drop > ds.deploy().metricDrop();
      retrain |= breach;
      if (breach) {
        reasons.add(
            String.format(
                java.util.Locale.ROOT,
                "%s fell by %.3f (> %s) on labelled scored rows",
                performance.metric(),
                drop,
                ds.deploy().metricDrop()));
      }
      out.add(
          RowFactory.create(
              ds.name(),
              date,
              ctx.runId(),
              version,
              scoredSilver,
              MonitorTable.PERFORMANCE,
              performance.metric(),
              performance.value(),
              ds.deploy().metricDrop(),
              breach));
    }
    out.add(
        RowFactory.create(
            ds.name(),
            date,
            ctx.runId(),
            version,
            scoredSilver,
            MonitorTable.SIGNAL,
            "retrain",
            retrain ? 1.0 : 0.0,
            null,
            retrain));
    DeltaTables.replace(
        spark.createDataFrame(out, SCHEMA).coalesce(1),
        t.path(),
        MonitorTable.DATASET + " = '" + ds.name() + "' AND " + thisDate);
    JobResult r =
        JobResult.succeeded()
            .metrics(
                new MonitorMetrics(
                    version,
                    psi,
                    round(predictionPsi),
                    retrain,
                    performance,
                    retrain ? String.join("; ", reasons) : null));
    DeltaTables.version(spark, t.path()).ifPresent(x -> r.wrote(t.name(), x));
    return r;
  }

  /**
   * The champion's training rows in silver: its gold version's training split, by key, in the
   * silver version it was trained from (all of that version without a key).
   */
  private static Dataset<Row> trainingRows(
      SparkSession spark,
      LakeCatalog cat,
      DatasetConfig ds,
      ModelVersion model,
      long silverVersion) {
    Dataset<Row> reference =
        spark
            .read()
            .format("delta")
            .option("versionAsOf", silverVersion)
            .load(cat.silver(ds.name()).path());
    if (!ds.key().isEmpty()) {
      // the champion's training rows, not all of that silver version: rows that landed without a
      // label (left out of gold) were in it, and scoring that same silver then showed a PSI of 0
      // for every feature, a new category in 30 of 300 new rows included
      reference =
          reference.join(
              spark
                  .read()
                  .format("delta")
                  .option("versionAsOf", model.goldVersion())
                  .load(cat.gold(ds.name()).path())
                  .where(col(GoldTable.SPLIT).equalTo(GoldTable.TRAIN))
                  .select(
                      ds.key().stream()
                          .map(org.apache.spark.sql.functions::col)
                          .toArray(Column[]::new)),
              scala.jdk.javaapi.CollectionConverters.asScala(ds.key()).toSeq(),
              "left_semi");
    }
    return reference;
  }

  /**
   * Share of rows per value of column "v" (null counted as its own value); at most a few thousand
   * values reach the driver.
   */
  private static Map<String, Double> distribution(Dataset<Row> values) {
    return Drift.distributions(values, Map.of("v", col("v").cast("string")))
        .getOrDefault("v", Map.of());
  }

  private static double predictionPsi(ModelVersion model, Dataset<Row> scored) {
    List<String> classes = model.classes();
    Map<String, Double> expected = new LinkedHashMap<>();
    try {
      Map<?, ?> cm = io.lakeml.config.Json.MAPPER.readValue(model.confusionMatrix(), Map.class);
      List<?> matrix = (List<?>) cm.get("matrix");
      double total = 0;
      double[] predicted = new double[classes.size()];
      for (Object rowObj : matrix) {
        List<?> row = (List<?>) rowObj;
        for (int j = 0; j < row.size() && j < predicted.length; j++) {
          predicted[j] += ((Number) row.get(j)).doubleValue();
          total += ((Number) row.get(j)).doubleValue();
        }
      }
      for (int j = 0; j < predicted.length; j++) {
        expected.put(classes.get(j), total == 0 ? 0 : predicted[j] / total);
      }
    } catch (java.io.IOException e) {
      throw new IllegalStateException(
          "unreadable confusion matrix of version " + model.version(), e);
    }
    return Drift.psi(expected, distribution(scored.select(col(ScoreJob.PREDICTION).as("v"))));
  }

  /**
   * The champion's selection metric on its predictions of the last lookback days whose labels are
   * known now in the labels table (latest prediction per key), against its test metric; null when
   * no prediction has a label yet.
   */
  private static final String SEEN = "_seen_in_training";

  private static MonitorMetrics.Performance performance(
      JobContext ctx,
      DatasetConfig ds,
      ModelVersion model,
      LakeCatalog.Table labelsTable,
      long labelsVersion,
      boolean latestAreToday) {
    if (ds.label().isEmpty()) {
      return null;
    }
    if (ds.key().isEmpty()) {
      ctx.step(
          "no performance measured: the dataset has no key, so predictions cannot be matched with "
              + "labels (declare dataset.key)");
      return null;
    }
    SparkSession spark = ctx.spark();
    DatasetConfig.Label label = ds.label().get();
    DatasetConfig.Labels source = ds.deploy().labels();
    String truth = "_truth";
    String labelColumn = source.column().orElse(label.column());
    Dataset<Row> known =
        spark.read().format("delta").option("versionAsOf", labelsVersion).load(labelsTable.path());
    List<String> missing =
        java.util.stream.Stream.concat(ds.key().stream(), java.util.stream.Stream.of(labelColumn))
            .filter(c -> !List.of(known.columns()).contains(c))
            .toList();
    if (!missing.isEmpty()) {
      throw new io.lakeml.core.JobFailure(
          "the labels table "
              + labelsTable.name()
              + " has no column(s) "
              + missing
              + " (its columns: "
              + List.of(known.columns())
              + "). Set dataset.deploy.monitor.labels.column, or load a table with the key "
              + ds.key()
              + " and the label.");
    }
    Column[] keys =
        ds.key().stream().map(org.apache.spark.sql.functions::col).toArray(Column[]::new);
    int version = model.version();
    Dataset<Row> byChampion =
        spark
            .read()
            .format("delta")
            .load(ctx.catalog().predictions(ds.name()).path())
            .where(col(ScoreJob.MODEL_VERSION).equalTo(version));
    Dataset<Row> recent;
    if (latestAreToday && source.lookbackDays() > 0) {
      // no window over every prediction of the lookback days: with score.rows = all that is a full
      // copy of silver per night, a month of them at 10M rows
      recent =
          byChampion.where(
              col(PredictionsTable.RUN_DATE).equalTo(lit(Date.valueOf(ctx.runDate()))));
    } else {
      recent =
          byChampion
              .where(
                  col(PredictionsTable.RUN_DATE)
                      .gt(lit(Date.valueOf(ctx.runDate().minusDays(source.lookbackDays()))))
                      .and(col(PredictionsTable.RUN_DATE).leq(lit(Date.valueOf(ctx.runDate())))))
              .withColumn(
                  "_latest",
                  row_number()
                      .over(
                          Window.partitionBy(keys).orderBy(col(PredictionsTable.RUN_DATE).desc())))
              .where(col("_latest").equalTo(1));
    }
    Dataset<Row> labelled =
        recent
            .join(
                known.select(
                    java.util.stream.Stream.concat(
                            ds.key().stream().map(org.apache.spark.sql.functions::col),
                            java.util.stream.Stream.of(col(labelColumn).as(truth)))
                        .toArray(Column[]::new)),
                scala.jdk.javaapi.CollectionConverters.asScala(ds.key()).toSeq())
            .where(col(truth).isNotNull());
    // Rows the model was fitted or selected on say little about how it does on new rows: with
    // score.rows = all, most labelled predictions are gold's training rows, and their metric sat
    // above the test metric (a helper's sample: 0.72 against a test AUC of 0.48), hiding a drop.
    // Gold's keys are unique (its rows are silver's, which etl deduplicates by key), as the
    // predictions' and labels' keys the join above matches are: no distinct(). At 10M rows its two
    // hash aggregations over 8M keys spilled in a 2 GB heap, and the step took 3 s longer.
    Dataset<Row> seen =
        spark
            .read()
            .format("delta")
            .option("versionAsOf", model.goldVersion())
            .load(ctx.catalog().gold(ds.name()).path())
            .where(col(GoldTable.SPLIT).isin(GoldTable.TRAIN, GoldTable.VALIDATION))
            .select(keys)
            .withColumn(SEEN, lit(true));
    Dataset<Row> flagged =
        labelled.join(
            seen, scala.jdk.javaapi.CollectionConverters.asScala(ds.key()).toSeq(), "left");
    List<String> classes = model.classes();
    Column actual = LabelCoding.encode(col(truth), label, classes);
    Column predicted = LabelCoding.indexOf(col(ScoreJob.PREDICTION), classes);
    // The window and the two joins run once: both counts come from the cached rows and the metric
    // reads them filtered. Counting the seen rows from the uncached join first made a 10M-row
    // monitor run the whole query twice.
    Dataset<Row> flaggedEval =
        flagged
            .select(
                actual.as(Algorithms.LABEL),
                predicted.as("prediction"),
                col(ScoreJob.PROBABILITY).as("rawPrediction"),
                col(SEEN).isNotNull().as(SEEN))
            .cache();
    try {
      Row counts = flaggedEval.agg(count(lit(1)), count(when(col(SEEN), lit(1)))).first();
      long seenRows = counts.getLong(1);
      long unseenRows = counts.getLong(0) - seenRows;
      Dataset<Row> eval = flaggedEval.where(not(col(SEEN)));
      if (unseenRows == 0) {
        if (seenRows > 0) {
          ctx.step(
              "no performance measured: all "
                  + seenRows
                  + " labelled prediction(s) are rows version "
                  + version
                  + " was trained or selected on");
        }
        return null;
      }
      String metric = model.selectionMetric();
      // the evaluator the test metric came from (unbinned curves), so that on the champion's own
      // test rows the two agree: MLlib's default binning gave values 3e-6 apart on the same 2M
      // rows, depending on how the query partitioned them
      double value = io.lakeml.model.ModelMetrics.evaluator(metric, unseenRows).evaluate(eval);
      Double test = model.testMetrics().get(metric);
      return new MonitorMetrics.Performance(
          metric,
          value,
          test,
          test == null ? 0.0 : test - value,
          unseenRows,
          seenRows,
          labelsTable.name() + "@" + labelsVersion,
          source.lookbackDays());
    } finally {
      flaggedEval.unpersist();
    }
  }

  private static double round(double v) {
    return Math.round(v * 1e6) / 1e6;
  }
}
