package io.lakeml.prepare;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;

import io.lakeml.config.DatasetConfig;
import io.lakeml.config.DatasetConfig.Action;
import io.lakeml.core.Columns;
import io.lakeml.core.DeltaTables;
import io.lakeml.core.Hooks;
import io.lakeml.core.Job;
import io.lakeml.core.JobContext;
import io.lakeml.core.JobFailure;
import io.lakeml.core.JobResult;
import io.lakeml.core.LakeCatalog;
import io.lakeml.core.Lineage;
import io.lakeml.core.PrepareMetrics;
import io.lakeml.core.Quarantine;
import io.lakeml.core.SavedModels;
import io.lakeml.core.TrainingReference;
import io.lakeml.model.Drift;
import io.lakeml.model.LabelCoding;
import io.lakeml.tables.GoldTable;
import io.lakeml.tables.QualityTable;
import io.lakeml.tables.QuarantineTable;
import java.sql.Date;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * silver → gold: validation rules (warn / drop / fail), profiling, a deterministic split, and the
 * feature pipeline fitted on the training split only. Gold holds key, sensitive attributes, label,
 * weight, split and the feature vector; the fitted pipeline is saved under models/ and named in the
 * gold commit. Gold is a function of (silver version, dataset configuration), recorded with each
 * gold commit ({@link Lineage}): the same pair again is SKIPPED.
 */
public final class PrepareJob implements Job {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PrepareJob.class);

  /** Gold column names ({@link GoldTable}). */
  public static final String LABEL = GoldTable.LABEL;

  public static final String WEIGHT = GoldTable.WEIGHT;
  public static final String SPLIT = GoldTable.SPLIT;
  public static final String FEATURES = GoldTable.FEATURES;

  /** Most classes a multiclass label may have. */
  static final int MAX_CLASSES = 1000;

  private static boolean isNumber(Dataset<Row> rows, String column) {
    return rows.schema().apply(column).dataType() instanceof org.apache.spark.sql.types.NumericType;
  }

  /** A numeric multiclass label with more values than this is probably a quantity, not classes. */
  static final int MANY_NUMERIC_CLASSES = 10;

  /**
   * A caution for a multiclass label that is a number with many values (rounded prices, ages):
   * trained as unordered classes, a model neither knows that 200,000 lies between 175,000 and
   * 225,000 nor is scored by how far it is off.
   */
  static String numberAsClasses(Dataset<Row> rows, DatasetConfig.Label label, int classes) {
    if (label.binary() || !isNumber(rows, label.column()) || classes <= MANY_NUMERIC_CLASSES) {
      return null;
    }
    return "label "
        + label.column()
        + " is a number with "
        + classes
        + " values, trained as "
        + classes
        + " unordered classes: a model of them does not know their order, and its metrics count"
        + " a near miss as wrong as a far one. If it is a quantity (a price, an age), that is a"
        + " regression target, which lakeml does not train: label a column of a few bands instead";
  }

  static final StructType QUALITY_SCHEMA = QualityTable.SCHEMA;

  @Override
  public String name() {
    return "prepare";
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
    LakeCatalog.Table silver = cat.silver(ds.name());
    LakeCatalog.Table gold = cat.gold(ds.name());
    long silverVersion = Lineage.requireInput(ctx, silver, "etl");
    DatasetConfig.Label label =
        ds.label()
            .orElseThrow(
                () ->
                    new JobFailure(
                        "dataset '"
                            + ds.name()
                            + "' declares no label, so there is nothing to prepare for training. Add dataset.label { column, positive }."));
    FeaturePipeline.Inputs inputs = FeaturePipeline.inputs(ds);
    if (inputs.numeric().isEmpty() && inputs.categorical().isEmpty()) {
      throw new JobFailure(
          "dataset '"
              + ds.name()
              + "' declares no features. Add dataset.features { numeric = [...], categorical = [...] }.");
    }
    java.util.Optional<JobResult> skip =
        Lineage.skipIfCurrent(ctx, name(), silver, silverVersion, gold, ctx.config().goldHash());
    if (skip.isPresent()) {
      return skip.get();
    }

    ctx.step("validating " + silver.name() + " version " + silverVersion);
    List<String> dataCols = ds.columnNames();
    Dataset<Row> input =
        spark
            .read()
            .format("delta")
            .option("versionAsOf", silverVersion)
            .load(silver.path())
            .select(
                dataCols.stream().map(org.apache.spark.sql.functions::col).toArray(Column[]::new));
    QualityRules.Evaluation eval = QualityRules.evaluate(input, ds);
    try {
      long rowsIn = eval.rowCount();
      writeQuality(ctx, eval.results());
      List<String> failures = new ArrayList<>();
      long violated = 0;
      for (QualityRules.Result r : eval.results()) {
        if (!r.passed() && r.rule().action() == Action.FAIL) {
          failures.add(r.describe() + ": " + failureText(r));
        } else if (!r.passed()) {
          violated++;
        }
      }
      if (!failures.isEmpty()) {
        throw new JobFailure(
            "validation failed, no gold version written: "
                + String.join("; ", failures)
                + ". Results are in _system.quality; fix the data or the rule (dataset.validation.rules).");
      }
      // rows dropped by rules go to quarantine; rows without a label or with a missing 'drop'
      // feature are left out
      return prepare(ctx, eval, rowsIn, silverVersion, label, inputs, violated);
    } finally {
      eval.release();
    }
  }

  private JobResult prepare(
      JobContext ctx,
      QualityRules.Evaluation eval,
      long rowsIn,
      long silverVersion,
      DatasetConfig.Label label,
      FeaturePipeline.Inputs inputs,
      long violated) {
    DatasetConfig ds = ctx.dataset();
    SparkSession spark = ctx.spark();
    LakeCatalog cat = ctx.catalog();
    List<String> dataCols = ds.columnNames();
    Dataset<Row> flagged = eval.rows();
    Column dropped = col(QualityRules.DROP_REASON).notEqual("");
    Dataset<Row> rejected = flagged.where(dropped);
    long quarantined = rejected.count();
    if (quarantined > 0) {
      ctx.step("quarantining " + quarantined + " row(s) dropped by validation rules");
      Dataset<Row> q =
          rejected.select(
              lit(ctx.catalog().silver(ds.name()).name()).as(Columns.SOURCE_FILE),
              col(QualityRules.DROP_REASON).as(Quarantine.REASON),
              to_json(
                      struct(
                          dataCols.stream()
                              .map(org.apache.spark.sql.functions::col)
                              .toArray(Column[]::new)))
                  .as(Quarantine.RAW_RECORD));
      Quarantine.append(
          ctx,
          name(),
          q,
          "lakeml-prepare-" + ds.name() + "-" + ctx.config().goldHash().substring(0, 16),
          silverVersion);
    }
    Column usable = col(label.column()).isNotNull();
    for (String c : ds.featuresDroppedWhenMissing()) {
      usable = usable.and(col(c).isNotNull());
    }
    Dataset<Row> kept = flagged.where(dropped.unary_$bang());
    Dataset<Row> labelled = kept.where(usable);
    Classes found = classes(labelled, label);
    List<String> classes = found.names();
    String labelCaution = numberAsClasses(labelled, label, classes.size());
    // the label's nominal metadata names the classes (index → value); classifiers read the class
    // count from it
    org.apache.spark.sql.types.Metadata labelMeta =
        org.apache.spark.ml.attribute.NominalAttribute.defaultAttr()
            .withName(LABEL)
            .withValues(classes.toArray(new String[0]))
            .toMetadata();
    Column labelValue = LabelCoding.encode(col(label.column()), label, classes);
    Dataset<Row> ready = labelled.withColumn(LABEL, labelValue.as(LABEL, labelMeta));

    ctx.step(
        "splitting "
            + String.format(
                "%.0f/%.0f/%.0f",
                100 * ds.prepare().split().train(),
                100 * ds.prepare().split().validation(),
                100 * ds.prepare().split().test()));
    // A ranked split shuffles and sorts, so it is cached, and the validated rows are freed once it
    // is. A split by each row's own hash is a projection of the validated rows, which are cached
    // already: caching it too took 10 s at 10M rows (a second columnar copy, and its memory).
    boolean ranked = Splitter.ranked(ds, rowsIn);
    Dataset<Row> assigned = Splitter.assign(ready, ds, dataCols, rowsIn);
    Dataset<Row> split = ranked ? assigned.persist() : assigned;
    try {
      Map<String, PrepareMetrics.SplitSize> splits = new LinkedHashMap<>();
      Map<String, double[]> positives = new LinkedHashMap<>(); // split → {rows, positive rows}
      long usableRows = 0;
      // numeric features whose missing values are imputed from the training rows: one without a
      // value in any of them leaves nothing to impute from (MLlib's Imputer then fails with
      // "surrogate cannot be computed")
      List<String> imputedNumeric =
          ds.features().numeric().stream()
              .filter(
                  c ->
                      switch (ds.prepare().missingFor(c, true).policy()) {
                        case MEAN, MEDIAN, MODE -> true;
                        default -> false;
                      })
              .toList();
      List<Column> aggs = new ArrayList<>(List.of(avg(col(LABEL))));
      imputedNumeric.forEach(c -> aggs.add(count(col(c))));
      List<String> valueless = new ArrayList<>();
      // bounded: one row per split
      for (Row r :
          split
              .groupBy(SPLIT)
              .agg(count(lit(1)), aggs.toArray(new Column[0]))
              .orderBy(SPLIT)
              .collectAsList()) {
        if (r.getString(0).equals(Splitter.TRAIN)) {
          for (int i = 0; i < imputedNumeric.size(); i++) {
            if (r.getLong(3 + i) == 0) {
              valueless.add(imputedNumeric.get(i));
            }
          }
        }
        positives.put(
            r.getString(0), new double[] {r.getLong(1), Math.round(r.getLong(1) * r.getDouble(2))});
        // a multiclass label's mean is a mean class index, no rate: only the rows
        splits.put(
            r.getString(0),
            new PrepareMetrics.SplitSize(
                r.getLong(1),
                label.binary() ? Math.round(r.getDouble(2) * 10000) / 10000.0 : null));
        usableRows += r.getLong(1);
      }
      if (ranked) {
        // the split is cached now, and nothing below reads the validated rows again
        eval.release();
      }
      if (rowsIn == 0) {
        throw new JobFailure(
            cat.silver(ds.name()).name()
                + " is empty: no row of "
                + ds.name()
                + " got through ingest and etl"
                + quarantinedUpstream(ctx, ds.name())
                + ". See why with: jobs/lakeml sql \"SELECT "
                + String.join(
                    ", ", QuarantineTable.STAGE, QuarantineTable.REASON, QuarantineTable.RAW_RECORD)
                + " FROM "
                + cat.quarantine().name()
                + " WHERE "
                + QuarantineTable.DATASET
                + " = '"
                + ds.name()
                + "' LIMIT 20\"");
      }
      if (!splits.containsKey(Splitter.TRAIN)) {
        throw new JobFailure(
            "no usable training rows in "
                + cat.silver(ds.name()).name()
                + " ("
                + rowsIn
                + " rows, "
                + quarantined
                + " dropped by rules). Check the label column and the validation rules.");
      }

      if (!valueless.isEmpty()) {
        throw new JobFailure(
            "numeric feature(s) "
                + valueless
                + " have no value in any of the "
                + splits.get(Splitter.TRAIN).rows()
                + " training rows, so there is nothing to impute their missing values from."
                + " Remove them from dataset.features.numeric, or check that the files fill them:"
                + " a column renamed with landed-as on a lake that ingested it under its old name"
                + " is empty in silver until the dataset's bronze, silver and gold folders are"
                + " removed and the landing files ingested again. No gold version written.");
      }
      if (label.binary()) {
        requireBothClasses(
            positives, label, classes, ds.prepare().split(), usableRows, found.spellings());
      }

      List<Map<String, Object>> association = leakageGuard(ctx, split, inputs, label);

      ctx.step("fitting the feature pipeline on the training split");
      PipelineModel model =
          FeaturePipeline.build(ds).fit(split.where(col(SPLIT).equalTo(Splitter.TRAIN)));
      String modelPath = cat.featurePipeline(ds.name(), ctx.runId());
      try {
        model.write().overwrite().save(modelPath);
        SavedModels.saved(ctx.spark(), modelPath, model);
      } catch (java.io.IOException e) {
        throw new JobFailure(
            "cannot save the feature pipeline to " + modelPath + ": " + e.getMessage(), e);
      }

      List<Column> goldCols = new ArrayList<>();
      for (String k : ds.key()) {
        goldCols.add(col(k));
      }
      for (DatasetConfig.Sensitive s : ds.sensitive()) {
        if (!ds.key().contains(s.column())) {
          goldCols.add(col(s.column()));
        }
      }
      goldCols.add(col(LABEL));
      goldCols.add(col(WEIGHT));
      goldCols.add(col(SPLIT));
      goldCols.add(col(FEATURES));
      Dataset<Row> weighted = split.withColumn(WEIGHT, lit(1.0));
      Map<String, Double> weights = null;
      if (ds.bias().reweigh()) {
        ctx.step(
            "reweighing (Kamiran & Calders) by "
                + ds.sensitive().stream().map(DatasetConfig.Sensitive::column).toList()
                + " on the training split");
        Reweighing.Result rw =
            Reweighing.apply(split, ds, LABEL, WEIGHT, col(SPLIT).equalTo(Splitter.TRAIN));
        weighted = rw.rows();
        weights = rw.weights();
      }
      Dataset<Row> goldRows = model.transform(weighted).select(goldCols.toArray(new Column[0]));
      goldRows =
          goldRows.withColumn(
              FEATURES,
              col(FEATURES)
                  .as(
                      FEATURES,
                      FeaturePipeline.readableNames(goldRows.schema().apply(FEATURES), inputs)));

      // Monitor compares scored rows with the training rows' distributions; they are here, in
      // the split, so they are computed now rather than on monitor's first night from a semi-join
      // of
      // silver with gold's training keys (20 s at 10M rows). Without a key monitor's reference is
      // all of silver, not the training split, so it stays monitor's.
      Map<String, Boolean> driftFeatures = Drift.features(ds);
      Drift.Expected trainingDistributions = null;
      if (!ds.key().isEmpty()) {
        ctx.step("the training rows' distributions for monitor");
        trainingDistributions =
            Drift.expected(
                split
                    .where(col(SPLIT).equalTo(Splitter.TRAIN))
                    .select(
                        driftFeatures.keySet().stream()
                            .map(org.apache.spark.sql.functions::col)
                            .toArray(Column[]::new)),
                driftFeatures);
      }

      // the profile first, gold last: gold's commit is what makes a rerun skip, so a run that dies
      // in
      // between (out of memory while profiling a wide table, say) is redone whole, never left
      // without its profile
      ctx.step("profiling");
      Dataset<Row> profile = Profiler.profile(spark, split, ds, LABEL, ctx.runId(), ctx.runDate());
      replaceRunDate(ctx, profile, cat.profile());

      ctx.step("writing " + cat.gold(ds.name()).name());
      goldRows
          .write()
          .format("delta")
          .mode("overwrite")
          .option("overwriteSchema", "true")
          .option(
              "userMetadata",
              Lineage.tag(
                  name(),
                  silverVersion,
                  ctx.config().goldHash(),
                  java.util.Map.of("pipeline", modelPath)))
          .save(cat.gold(ds.name()).path());
      long goldVersion = DeltaTables.version(spark, cat.gold(ds.name()).path()).getAsLong();
      ctx.hook(Hooks.Point.GOLD_COMMITTED, goldVersion);
      if (trainingDistributions != null) {
        // after gold's commit, whose version names it; a run that dies before this leaves monitor
        // to compute it
        TrainingReference.of(
                silverVersion, goldVersion, ds.key(), driftFeatures, trainingDistributions)
            .write(spark, cat.trainingReference(ds.name(), goldVersion));
      }
      // the assembler's output metadata knows the vector size: no need to read gold back
      int featureCount =
          org.apache.spark.ml.attribute.AttributeGroup.fromStructField(
                  goldRows.schema().apply(FEATURES))
              .size();

      JobResult result =
          JobResult.succeeded()
              .metrics(
                  new PrepareMetrics(
                      rowsIn,
                      quarantined,
                      rowsIn - quarantined - usableRows,
                      usableRows,
                      violated,
                      splits,
                      featureCount,
                      association,
                      modelPath,
                      weights,
                      labelCaution));
      result
          .read(cat.silver(ds.name()).name(), silverVersion)
          .wrote(cat.gold(ds.name()).name(), goldVersion);
      for (LakeCatalog.Table t : List.of(cat.quality(), cat.profile())) {
        DeltaTables.version(spark, t.path()).ifPresent(v -> result.wrote(t.name(), v));
      }
      if (quarantined > 0) {
        DeltaTables.version(spark, cat.quarantine().path())
            .ifPresent(v -> result.wrote(cat.quarantine().name(), v));
      }
      return result;
    } finally {
      if (ranked) {
        split.unpersist();
      }
    }
  }

  /**
   * Scores every feature alone against a binary label (see {@link Leakage}) and fails the job,
   * before anything is fitted or written, when one separates it almost perfectly. Returns the five
   * strongest associations for the summary.
   */
  private List<Map<String, Object>> leakageGuard(
      JobContext ctx,
      Dataset<Row> split,
      FeaturePipeline.Inputs inputs,
      DatasetConfig.Label label) {
    DatasetConfig.Leakage guard = ctx.dataset().prepare().leakage();
    if (!label.binary() || guard.action() == DatasetConfig.LeakageAction.OFF) {
      return List.of();
    }
    ctx.step("scoring each feature alone against the label (leakage guard)");
    Dataset<Row> rows = split;
    for (DatasetConfig.Derived d : ctx.dataset().prepare().derived()) {
      rows = rows.withColumn(d.name(), org.apache.spark.sql.functions.expr(d.expression()));
    }
    Dataset<Row> train = rows.where(col(SPLIT).equalTo(Splitter.TRAIN));
    Dataset<Row> held =
        ctx.dataset().prepare().split().validation() > 0
            ? rows.where(col(SPLIT).equalTo(Splitter.VALIDATION))
            : train;
    List<Leakage.Association> found =
        Leakage.measure(train, held, LABEL, inputs.numeric(), inputs.categorical());
    List<Leakage.Association> leaks =
        found.stream().filter(a -> a.strength() >= guard.maxAuc()).toList();
    if (!leaks.isEmpty()) {
      String what =
          String.join(
              "; ",
              leaks.stream()
                  .map(
                      a ->
                          String.format(
                              java.util.Locale.ROOT,
                              "%s (%s, AUC %.4f on %d %s rows)",
                              a.feature(),
                              a.kind(),
                              a.auc(),
                              a.rows(),
                              a.kind().equals("numeric") || held == train
                                  ? "training"
                                  : "validation"))
                  .toList());
      String message =
          "feature(s) that alone separate the label "
              + label.column()
              + " almost perfectly (max(AUC, 1 - AUC) >= "
              + guard.maxAuc()
              + "): "
              + what
              + ". Such a feature is usually the label under another name or a value known only after the outcome;"
              + " a model trained with it looks perfect and is useless. Remove it from dataset.features"
              + (guard.action() == DatasetConfig.LeakageAction.FAIL
                  ? ", or set dataset.prepare.leakage.action = warn if it truly is known when predicting."
                  : " (dataset.prepare.leakage.action = warn: continuing).");
      if (guard.action() == DatasetConfig.LeakageAction.FAIL) {
        throw new JobFailure("leakage guard: " + message + " No gold version written.");
      }
      LOG.warn("leakage guard: {}", message);
    }
    List<Map<String, Object>> top = new ArrayList<>();
    for (Leakage.Association a : found.subList(0, Math.min(5, found.size()))) {
      top.add(
          Map.of(
              "feature",
              a.feature(),
              "auc",
              Math.round(a.auc() * 1e6) / 1e6,
              // max(AUC, 1 - AUC): 0.254 is as strong as 0.746, only inverse
              "strength",
              Math.round(a.strength() * 1e6) / 1e6,
              "leak",
              a.strength() >= guard.maxAuc()));
    }
    return top;
  }

  /**
   * Class names by label index: [other, positive] for a binary label; sorted distinct values for a
   * multiclass one.
   */
  /** Distinct spellings of a binary label read to name its classes (more: "not <positive>"). */
  private static final int MAX_SPELLINGS = 50;

  /**
   * A binary label needs both classes in every split: tune picks the model on validation and
   * measures it once on test, and neither an AUC nor the positive class's precision and recall
   * exists for a split without one of them (MLlib's metrics then failed with "key not found: 1.0"
   * deep in tune). Says how many rows of each class there are and what to change.
   */
  static void requireBothClasses(
      Map<String, double[]> bySplit,
      DatasetConfig.Label label,
      List<String> classes,
      DatasetConfig.Split fractions,
      long usableRows,
      List<String> labelValues) {
    long positive = 0;
    for (double[] v : bySplit.values()) {
      positive += (long) v[1];
    }
    long negative = usableRows - positive;
    Map<String, Double> share =
        Map.of(
            Splitter.TRAIN,
            fractions.train(),
            Splitter.VALIDATION,
            fractions.validation(),
            Splitter.TEST,
            fractions.test());
    for (String s : List.of(Splitter.TRAIN, Splitter.VALIDATION, Splitter.TEST)) {
      double[] v = bySplit.getOrDefault(s, new double[] {0, 0});
      String missing = v[1] == 0 ? classes.get(1) : v[1] == v[0] ? classes.get(0) : null;
      if (missing == null) {
        continue;
      }
      long ofMissing = missing.equals(classes.get(1)) ? positive : negative;
      if (ofMissing == 0 && missing.equals(classes.get(1))) {
        // not a matter of rows: the positive class is spelled otherwise in the data, or absent
        throw new JobFailure(
            String.format(
                java.util.Locale.ROOT,
                "none of the %d usable rows has %s = \"%s\", the positive class of"
                    + " dataset.label.positive; the data's values of %s are %s. Set"
                    + " dataset.label.positive to the value that means the positive outcome (case,"
                    + " surrounding spaces and a final full stop are ignored). No gold version"
                    + " written.",
                usableRows,
                label.column(),
                label.positive().orElse(missing),
                label.column(),
                labelValues));
      }
      throw new JobFailure(
          String.format(
              java.util.Locale.ROOT,
              "the %s split has no row of the class \"%s\" of %s: %d of the %d usable rows are"
                  + " \"%s\", and the split gives %s about %.0f %% of each class (%.1f of them)."
                  + " Tune chooses the model on validation and measures it once on test, which"
                  + " needs both classes in every split. Land more labelled rows (at least 5 of"
                  + " each class; a few dozen of each give metrics worth reading), or give %s a"
                  + " larger share with dataset.prepare.split. No gold version written.",
              s,
              missing,
              label.column(),
              ofMissing,
              usableRows,
              missing,
              s,
              100 * share.get(s),
              ofMissing * share.get(s),
              s));
    }
  }

  /**
   * The label's classes in index order, and the label's values as the data spells them (a binary
   * label's first {@code MAX_SPELLINGS}, sorted; a multiclass label's are its classes).
   */
  private record Classes(List<String> names, List<String> spellings) {}

  private static Classes classes(Dataset<Row> rows, DatasetConfig.Label label) {
    if (label.binary()) {
      String positive = label.positive().get();
      Column value = col(label.column()).cast("string");
      // bounded: at most MAX_SPELLINGS distinct values
      List<String> values =
          rows.select(value.as("c"))
              .where(col("c").isNotNull())
              .distinct()
              .orderBy(col("c"))
              .limit(MAX_SPELLINGS)
              .as(org.apache.spark.sql.Encoders.STRING())
              .collectAsList();
      String norm = LabelCoding.normalized(positive);
      List<String> asPositive =
          values.stream().filter(v -> LabelCoding.normalized(v).equals(norm)).toList();
      java.util.Set<String> others = new java.util.TreeSet<>();
      values.stream()
          .filter(v -> !asPositive.contains(v))
          .forEach(v -> others.add(LabelCoding.normalized(v)));
      if (asPositive.stream().anyMatch(v -> !v.equals(positive))) {
        LOG.warn(
            "label {}: {} count as the positive class \"{}\" (case, surrounding spaces and a final full stop are ignored)",
            label.column(),
            asPositive,
            positive);
      }
      if (others.size() > 1) {
        // every answer but the positive one is the other class; say which, since a second
        // spelling of the positive answer (">50K" against ">50K+") would be read as negative
        LOG.warn(
            "label {}: {} answers count as the other class, not \"{}\": {}. If one of them means"
                + " the positive class, make the files write it as \"{}\" (case, surrounding spaces"
                + " and a final full stop are ignored), or filter the rows with a validation rule",
            label.column(),
            others.size(),
            positive,
            others,
            positive);
      }
      // the other class by its own name when the data has exactly one ("0" for a 0/1 label), so
      // predictions read as the data does; "not <positive>" when it has several or none
      List<String> otherSpellings = values.stream().filter(v -> !asPositive.contains(v)).toList();
      String other =
          others.size() != 1 || values.size() >= MAX_SPELLINGS
              ? "not " + positive
              : otherSpellings.size() == 1 ? otherSpellings.get(0) : others.iterator().next();
      return new Classes(List.of(other, positive), values);
    }
    List<String> values =
        rows.select(col(label.column()).cast("string").as("c"))
            .distinct()
            .orderBy(col("c"))
            // bounded: limit MAX_CLASSES + 1
            .limit(MAX_CLASSES + 1)
            .as(org.apache.spark.sql.Encoders.STRING())
            .collectAsList();
    if (values.size() > MAX_CLASSES) {
      boolean numeric = isNumber(rows, label.column());
      throw new JobFailure(
          "label "
              + label.column()
              + " has more than "
              + MAX_CLASSES
              + " distinct values; a multiclass label needs fewer. "
              + (numeric
                  ? "A number with this many values is a regression target (a price, an amount), and lakeml"
                      + " trains classifiers only: choose another label, or land a column of classes"
                      + " (e.g. bands of it) and label that."
                  : "Set dataset.label.positive for a binary label (that value against all the others)."));
    }
    if (values.size() < 2) {
      throw new JobFailure(
          "label "
              + label.column()
              + " has "
              + values.size()
              + " distinct value(s) "
              + values
              + "; a classifier needs at least two classes.");
    }
    return new Classes(values, values);
  }

  private static String failureText(QualityRules.Result r) {
    return switch (r.rule().check()) {
      case ROW_COUNT ->
          r.rowsChecked()
              + " rows, expected "
              + r.rule().min().map(m -> "at least " + m.longValue()).orElse("")
              + (r.rule().min().isPresent() && r.rule().max().isPresent() ? " and " : "")
              + r.rule().max().map(m -> "at most " + m.longValue()).orElse("");
      case NOT_NULL ->
          r.rowsFailed()
              + " of "
              + r.rowsChecked()
              + " rows are null"
              + r.rule()
                  .maxNullRatio()
                  .map(m -> String.format(" (%.2f%%, allowed %.2f%%)", 100 * r.ratio(), 100 * m))
                  .orElse("");
      default -> r.rowsFailed() + " of " + r.rowsChecked() + " rows violate it";
    };
  }

  private void writeQuality(JobContext ctx, List<QualityRules.Result> results) {
    List<Row> rows = new ArrayList<>();
    Date date = Date.valueOf(ctx.runDate());
    for (QualityRules.Result r : results) {
      rows.add(
          RowFactory.create(
              ctx.dataset().name(),
              date,
              ctx.runId(),
              r.rule().id(),
              r.rule().check().toString(),
              r.rule().column().orElse(null),
              r.rule().action().toString(),
              r.rowsChecked(),
              r.rowsFailed(),
              r.ratio(),
              r.observed(),
              r.passed()));
    }
    replaceRunDate(ctx, ctx.spark().createDataFrame(rows, QUALITY_SCHEMA), ctx.catalog().quality());
  }

  /**
   * Writes a run's rows for (dataset, run date), replacing an earlier run of the same date
   * (idempotent reruns). Quality and profile rows share these two key columns.
   */
  private static void replaceRunDate(JobContext ctx, Dataset<Row> rows, LakeCatalog.Table table) {
    String condition =
        QualityTable.DATASET
            + " = '"
            + ctx.dataset().name()
            + "' AND "
            + QualityTable.RUN_DATE
            + " = DATE'"
            + ctx.runDate()
            + "'";
    DeltaTables.replace(rows.coalesce(1), table.path(), condition);
  }

  /**
   * ", where ingest quarantined N rows and etl M" from {@code _system.quarantine}, or nothing when
   * it holds none of the dataset's rows: read only when silver came out empty, to say where they
   * went.
   */
  private static String quarantinedUpstream(JobContext ctx, String dataset) {
    String path = ctx.catalog().quarantine().path();
    if (!DeltaTables.exists(ctx.spark(), path)) {
      return "";
    }
    List<String> parts = new ArrayList<>();
    // bounded: one row per stage
    for (Row r :
        ctx.spark()
            .read()
            .format("delta")
            .load(path)
            .where(col(QuarantineTable.DATASET).equalTo(dataset))
            .groupBy(QuarantineTable.STAGE)
            .count()
            .orderBy(QuarantineTable.STAGE)
            .collectAsList()) {
      parts.add(r.getString(0) + " quarantined " + r.getLong(1) + " row(s)");
    }
    return parts.isEmpty() ? "" : " (" + String.join(", ", parts) + ")";
  }
}
