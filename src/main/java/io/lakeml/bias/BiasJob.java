package io.lakeml.bias;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.monotonically_increasing_id;
import static org.apache.spark.sql.functions.xxhash64;

import io.lakeml.config.DatasetConfig;
import io.lakeml.core.DeltaTables;
import io.lakeml.core.FairnessMetrics;
import io.lakeml.core.Job;
import io.lakeml.core.JobContext;
import io.lakeml.core.JobFailure;
import io.lakeml.core.JobResult;
import io.lakeml.core.LakeCatalog;
import io.lakeml.core.Lineage;
import io.lakeml.core.ModelRegistry;
import io.lakeml.core.SavedModels;
import io.lakeml.model.Algorithms;
import io.lakeml.model.LabelCoding;
import io.lakeml.model.ModelMetrics;
import io.lakeml.tables.BiasTable;
import io.lakeml.tables.GoldTable;
import io.lakeml.tables.ModelsTable;
import java.sql.Date;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.Transformer;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * Fairness of the data before training ({@link Stage#PRE}: gold's labels per sensitive group) and
 * of a model version after training ({@link Stage#POST}: its predictions on the test split),
 * written to {@code _system.bias}. The post-training stage applies the gate policy and records the
 * decision on the model version; with {@code block}, a violating version is marked {@code blocked}
 * and can never be promoted. See {@link BiasMetrics} for definitions and the sign convention.
 */
public final class BiasJob implements Job {
  /** Which side of training is analysed. */
  public enum Stage {
    PRE,
    POST;

    @Override
    public String toString() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  static final StructType SCHEMA = BiasTable.SCHEMA;

  private final Stage stage;
  private final Integer version;

  /**
   * @param version model version for the post-training stage; null = the latest
   */
  public BiasJob(Stage stage, Integer version) {
    this.stage = stage;
    this.version = version;
  }

  @Override
  public String name() {
    return "bias-" + stage;
  }

  /** The nightly's run (the latest version); not one asked for a given model version. */
  @Override
  public boolean skipsWhenLakeUnchanged(io.lakeml.config.LakemlConfig config) {
    return version == null;
  }

  @Override
  public JobResult run(JobContext ctx) throws Exception {
    DatasetConfig ds = ctx.dataset();
    if (ds.sensitive().isEmpty()) {
      return JobResult.skipped(
          "dataset '"
              + ds.name()
              + "' declares no sensitive attribute (dataset.sensitive), so there is no fairness to measure");
    }
    DatasetConfig.Label label =
        ds.label()
            .orElseThrow(() -> new JobFailure("dataset '" + ds.name() + "' declares no label."));
    if (!label.binary()) {
      return JobResult.skipped(
          "the label of '"
              + ds.name()
              + "' is multiclass; fairness metrics are defined for a binary favorable outcome");
    }
    // gold's label is 1.0 for the positive class; the favorable outcome may be the other one
    double favorable = label.favorable().equals(label.positive()) ? 1.0 : 0.0;
    return stage == Stage.PRE ? pre(ctx, ds, favorable) : post(ctx, ds, favorable);
  }

  private JobResult pre(JobContext ctx, DatasetConfig ds, double favorable) {
    SparkSession spark = ctx.spark();
    LakeCatalog cat = ctx.catalog();
    LakeCatalog.Table gold = cat.gold(ds.name());
    long goldVersion = Lineage.requireInput(ctx, gold, "prepare");
    if (alreadyDone(ctx, BiasTable.GOLD_VERSION, goldVersion)) {
      return JobResult.skipped(
              "pre-training bias of "
                  + gold.name()
                  + " version "
                  + goldVersion
                  + " is already measured with this configuration")
          .read(gold.name(), goldVersion);
    }
    Dataset<Row> rows = goldAt(ctx, goldVersion);
    List<BiasMetrics.Grouping> groupings = BiasMetrics.groupings(ds);
    Column favLabel = col(Algorithms.LABEL).equalTo(favorable);
    ctx.step(
        "measuring label bias of "
            + gold.name()
            + " version "
            + goldVersion
            + " per sensitive group");
    List<BiasMetrics.Metric> data =
        BiasMetrics.pre(
            BiasMetrics.counts(rows, groupings, favLabel, null, lit(1.0)),
            groupings,
            ds.bias().minGroupSize());
    List<Row> out = new ArrayList<>(rows(ctx, "data", null, goldVersion, data, Map.of()));
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("data", comparison(data));
    List<BiasMetrics.Metric> learned = data;
    if (ds.bias().reweigh()) {
      // the weighted training split is what the model learns from: reweighing makes its DI 1
      Dataset<Row> train = rows.where(col(GoldTable.SPLIT).equalTo(GoldTable.TRAIN));
      List<BiasMetrics.Metric> weighted =
          BiasMetrics.pre(
              BiasMetrics.counts(train, groupings, favLabel, null, col(Algorithms.WEIGHT)),
              groupings,
              ds.bias().minGroupSize());
      out.addAll(rows(ctx, "reweighed", null, goldVersion, weighted, Map.of()));
      summary.put("reweighedTrain", comparison(weighted));
      learned = weighted;
    }
    write(ctx, out, BiasTable.GOLD_VERSION + " = " + goldVersion);
    // the data's own finding (the model gate of bias-post repeats it): labels outside the policy
    List<String> found = violations(ds, learned, false);
    JobResult r =
        JobResult.succeeded()
            .metrics(
                new FairnessMetrics.Pre(
                    FairnessMetrics.CONVENTION,
                    ds.label().get().favorable().get(),
                    summary,
                    found.isEmpty()
                        ? "passed"
                        : ds.bias().action() == DatasetConfig.GateAction.BLOCK
                            ? ModelRegistry.BLOCKED
                            : "warned",
                    found.isEmpty()
                        ? null
                        : String.join("; ", found)
                            + (ds.bias().reweigh()
                                ? ""
                                : "; dataset.bias.reweigh = true would equalise the training data's favorable rates (Kamiran & Calders reweighing)")));
    r.read(gold.name(), goldVersion);
    DeltaTables.version(spark, cat.bias().path()).ifPresent(v -> r.wrote(cat.bias().name(), v));
    return r;
  }

  private JobResult post(JobContext ctx, DatasetConfig ds, double favorable) throws Exception {
    SparkSession spark = ctx.spark();
    LakeCatalog cat = ctx.catalog();
    Optional<ModelsTable.ModelVersion> entry =
        version == null
            ? ModelRegistry.latest(spark, cat, ds.name())
            : ModelRegistry.get(spark, cat, ds.name(), version);
    if (entry.isEmpty()) {
      if (version != null) {
        throw new JobFailure(
            ds.name()
                + " has no model version "
                + version
                + ". List the versions with 'jobs/lakeml models --dataset "
                + ds.name()
                + "'.");
      }
      return JobResult.skipped(
          "no model version of "
              + ds.name()
              + " yet; run 'jobs/lakeml tune --dataset "
              + ds.name()
              + "' first");
    }
    ModelsTable.ModelVersion e = entry.get();
    int v = e.version();
    long goldVersion = e.goldVersion();
    if (alreadyDone(ctx, BiasTable.MODEL_VERSION, v)) {
      return JobResult.skipped(
              "post-training bias of model version "
                  + v
                  + " is already measured with this configuration")
          .metric("version", v);
    }
    Dataset<Row> gold = goldAt(ctx, goldVersion);
    Dataset<Row> test = gold.where(col(GoldTable.SPLIT).equalTo(GoldTable.TEST));
    Transformer model = LabelCoding.classifier(SavedModels.load(ctx.spark(), e.path()));
    List<BiasMetrics.Grouping> groupings = BiasMetrics.groupings(ds);
    Column favLabel = col(Algorithms.LABEL).equalTo(favorable);
    Column favPred = col("prediction").equalTo(favorable);

    ctx.step(
        "measuring model version "
            + v
            + " on the test split of "
            + cat.gold(ds.name()).name()
            + " version "
            + goldVersion);
    Dataset<Row> scored = model.transform(test).cache();
    try {
      List<BiasMetrics.Metric> metrics =
          BiasMetrics.post(
              BiasMetrics.counts(scored, groupings, favLabel, favPred, lit(1.0)),
              groupings,
              ds.bias().minGroupSize());
      Map<String, Map<String, double[]>> cis = Map.of();
      if (ds.bias().bootstrap() > 0) {
        ctx.step(ds.bias().bootstrap() + " bootstrap resamples for DI and SPD");
        Column rowId =
            ds.key().isEmpty()
                ? monotonically_increasing_id()
                : xxhash64(
                    ds.key().stream()
                        .map(org.apache.spark.sql.functions::col)
                        .toArray(Column[]::new));
        cis =
            BiasMetrics.bootstrap(
                scored,
                groupings,
                favPred,
                rowId,
                ds.bias().bootstrap(),
                ds.bias().seed(),
                ds.bias().confidence());
      }
      List<Row> out = new ArrayList<>(rows(ctx, "model", v, goldVersion, metrics, cis));
      Map<String, Object> summary = new LinkedHashMap<>();
      summary.put("model", comparison(metrics));

      if (ds.bias().reweigh()) {
        // the same algorithm and parameters without the weights: the price and the effect of
        // reweighing, side by side
        ctx.step("refitting " + e.algorithm() + " without reweighing for comparison");
        Estimator<?> est = Algorithms.estimator(e.algorithm(), e.seed());
        Map<String, String> params = e.params();
        Model<?> plain =
            (Model<?>)
                est.fit(
                    gold.where(col(GoldTable.SPLIT).equalTo(GoldTable.TRAIN))
                        .withColumn(Algorithms.WEIGHT, lit(1.0)),
                    Algorithms.paramMap(est, params));
        Dataset<Row> plainScored = plain.transform(test).cache();
        List<BiasMetrics.Metric> plainMetrics =
            BiasMetrics.post(
                BiasMetrics.counts(plainScored, groupings, favLabel, favPred, lit(1.0)),
                groupings,
                ds.bias().minGroupSize());
        out.addAll(rows(ctx, "plain", v, goldVersion, plainMetrics, Map.of()));
        Map<String, Double> perfModel = ModelMetrics.all(scored, true);
        Map<String, Double> perfPlain = ModelMetrics.all(plainScored, true);
        plainScored.unpersist();
        out.addAll(rows(ctx, "model", v, goldVersion, performance(perfModel), Map.of()));
        out.addAll(rows(ctx, "plain", v, goldVersion, performance(perfPlain), Map.of()));
        summary.put("plain", comparison(plainMetrics));
        summary.put("performance", Map.of("model", perfModel, "plain", perfPlain));
      }

      Gate gate = gate(ds, metrics, dataMetrics(ds, gold, groupings, favLabel));
      write(ctx, out, BiasTable.MODEL_VERSION + " = " + v);
      ModelRegistry.recordGate(spark, cat, ds.name(), v, gate.decision(), gate.reason());
      JobResult r =
          JobResult.succeeded()
              .metrics(
                  new FairnessMetrics.Post(
                      v,
                      FairnessMetrics.CONVENTION,
                      ds.label().get().favorable().get(),
                      summary,
                      gate.decision(),
                      gate.reason()));
      r.read(cat.gold(ds.name()).name(), goldVersion);
      DeltaTables.version(spark, cat.bias().path()).ifPresent(x -> r.wrote(cat.bias().name(), x));
      DeltaTables.version(spark, cat.models().path())
          .ifPresent(x -> r.wrote(cat.models().name(), x));
      return r;
    } finally {
      scored.unpersist();
    }
  }

  /** The gate's decision: passed, warned or blocked, with the violations that decided it. */
  record Gate(String decision, String reason) {}

  /**
   * The gate on the declared (single) sensitive attributes: the model's test predictions (pooled DI
   * and EOD, and per unprivileged group where there are several) and, when {@code data} is given,
   * the labels the model learned from (DI pooled and per group). Either outside the policy decides
   * per {@code policy.action}.
   */
  static Gate gate(
      DatasetConfig ds, List<BiasMetrics.Metric> model, List<BiasMetrics.Metric> data) {
    DatasetConfig.Bias b = ds.bias();
    List<String> violations = new ArrayList<>(violations(ds, model, true));
    List<String> dataViolations = data == null ? List.of() : violations(ds, data, false);
    if (!dataViolations.isEmpty()) {
      violations.add(
          "data ("
              + (b.reweigh() ? "the reweighed training split" : "gold's labels, before training")
              + "): "
              + String.join(", ", dataViolations)
              + (b.reweigh()
                  ? ""
                  : " (dataset.bias.reweigh = true would equalise the training data's favorable rates: Kamiran & Calders reweighing)"));
    }
    if (violations.isEmpty()) {
      return new Gate(
          "passed",
          String.format(
              java.util.Locale.ROOT,
              "DI within [%s, %s] and |EOD| <= %s for %s%s",
              b.diMin(),
              b.diMax(),
              b.eodMax(),
              ds.sensitive().stream().map(DatasetConfig.Sensitive::column).toList(),
              data == null ? "" : ", for the model and the data"));
    }
    String reason = "bias gate (" + b.action() + "): " + String.join("; ", violations);
    return new Gate(
        b.action() == DatasetConfig.GateAction.BLOCK ? ModelRegistry.BLOCKED : "warned", reason);
  }

  private static List<String> violations(
      DatasetConfig ds, List<BiasMetrics.Metric> metrics, boolean ofModel) {
    DatasetConfig.Bias b = ds.bias();
    List<String> out = new ArrayList<>();
    for (DatasetConfig.Sensitive s : ds.sensitive()) {
      for (BiasMetrics.Metric m : metrics) {
        if (!m.attribute().equals(s.column())) {
          continue;
        }
        boolean pooled = m.group().equals(BiasMetrics.COMPARISON);
        String who = pooled ? s.column() : s.column() + " = " + m.group();
        if (m.metric().equals("di")) {
          if (m.value() == null) {
            // undefined on the data too: the attribute cannot be judged (e.g. a privileged value
            // that never occurs), which is a finding, not a pass
            if (pooled) {
              out.add(
                  who
                      + " DI "
                      + m.note()
                      + (ofModel
                          ? ""
                          : "; check dataset.sensitive's privileged values for " + s.column()));
            }
          } else if (m.value() < b.diMin() || m.value() > b.diMax()) {
            out.add(
                String.format(
                    java.util.Locale.ROOT,
                    "%s DI %.3f outside [%s, %s]",
                    who,
                    m.value(),
                    b.diMin(),
                    b.diMax()));
          }
        } else if (ofModel
            && m.metric().equals("eod")
            && m.value() != null
            && Math.abs(m.value()) > b.eodMax()) {
          out.add(
              String.format(
                  java.util.Locale.ROOT,
                  "%s |EOD| %.3f > %s",
                  who,
                  Math.abs(m.value()),
                  b.eodMax()));
        }
      }
    }
    return out;
  }

  /**
   * Pre-training metrics of what the model learns from: the reweighed training split, or all of
   * gold's labels.
   */
  private static List<BiasMetrics.Metric> dataMetrics(
      DatasetConfig ds, Dataset<Row> gold, List<BiasMetrics.Grouping> groupings, Column favLabel) {
    return ds.bias().reweigh()
        ? BiasMetrics.pre(
            BiasMetrics.counts(
                gold.where(col(GoldTable.SPLIT).equalTo(GoldTable.TRAIN)),
                groupings,
                favLabel,
                null,
                col(Algorithms.WEIGHT)),
            groupings,
            ds.bias().minGroupSize())
        : BiasMetrics.pre(
            BiasMetrics.counts(gold, groupings, favLabel, null, lit(1.0)),
            groupings,
            ds.bias().minGroupSize());
  }

  private static List<BiasMetrics.Metric> performance(Map<String, Double> perf) {
    List<BiasMetrics.Metric> out = new ArrayList<>();
    perf.forEach((k, val) -> out.add(new BiasMetrics.Metric("(all rows)", "all", k, val, null)));
    return out;
  }

  /**
   * Attribute-level comparison values for the summary: attribute → metric → value (or the note).
   */
  private static Map<String, Map<String, Object>> comparison(List<BiasMetrics.Metric> metrics) {
    Map<String, Map<String, Object>> out = new LinkedHashMap<>();
    for (BiasMetrics.Metric m : metrics) {
      if (m.group().equals(BiasMetrics.COMPARISON)) {
        out.computeIfAbsent(m.attribute(), k -> new LinkedHashMap<>())
            .put(m.metric(), m.value() == null ? m.note() : Math.round(m.value() * 1e6) / 1e6);
      }
    }
    return out;
  }

  private Dataset<Row> goldAt(JobContext ctx, long goldVersion) {
    Dataset<Row> gold =
        ctx.spark()
            .read()
            .format("delta")
            .option("versionAsOf", goldVersion)
            .load(ctx.catalog().gold(ctx.dataset().name()).path());
    List<String> present = List.of(gold.columns());
    List<String> missing =
        ctx.dataset().sensitive().stream()
            .map(DatasetConfig.Sensitive::column)
            .filter(c -> !present.contains(c))
            .toList();
    if (!missing.isEmpty()) {
      throw new JobFailure(
          ctx.catalog().gold(ctx.dataset().name()).name()
              + " version "
              + goldVersion
              + " has no column "
              + missing
              + " (declared sensitive after it was prepared). Run 'jobs/lakeml prepare --dataset "
              + ctx.dataset().name()
              + "' again.");
    }
    return gold;
  }

  /**
   * Whether this stage already measured the given gold or model version under this configuration:
   * one look at the dataset's bias rows, read on the driver (no Spark job).
   */
  private boolean alreadyDone(JobContext ctx, String column, long value) {
    String hash = ctx.config().datasetHash();
    return io.lakeml.core.SmallTables.of(ctx.spark())
        .rows(
            ctx.catalog().bias().path(),
            java.util.OptionalLong.empty(),
            ctx.dataset().name(),
            List.of(BiasTable.STAGE, column, BiasTable.CONFIG_HASH))
        .stream()
        .anyMatch(
            r ->
                stage.toString().equals(r.get(BiasTable.STAGE))
                    && r.get(column) instanceof Number n
                    && n.longValue() == value
                    && hash.equals(r.get(BiasTable.CONFIG_HASH)));
  }

  private List<Row> rows(
      JobContext ctx,
      String variant,
      Integer modelVersion,
      long goldVersion,
      List<BiasMetrics.Metric> metrics,
      Map<String, Map<String, double[]>> cis) {
    List<Row> out = new ArrayList<>();
    Date date = Date.valueOf(ctx.runDate());
    for (BiasMetrics.Metric m : metrics) {
      double[] ci =
          m.group().equals(BiasMetrics.COMPARISON)
              ? cis.getOrDefault(m.attribute(), Map.of()).get(m.metric())
              : null;
      out.add(
          RowFactory.create(
              ctx.dataset().name(),
              date,
              ctx.runId(),
              stage.toString(),
              variant,
              modelVersion,
              goldVersion,
              m.attribute(),
              m.group(),
              m.metric(),
              m.value(),
              ci == null ? null : ci[0],
              ci == null ? null : ci[1],
              m.note(),
              ctx.config().datasetHash()));
    }
    return out;
  }

  /**
   * Replaces this stage's earlier rows for the same gold or model version: reruns do not duplicate.
   */
  private void write(JobContext ctx, List<Row> rows, String condition) {
    DeltaTables.replace(
        ctx.spark().createDataFrame(rows, SCHEMA).coalesce(1),
        ctx.catalog().bias().path(),
        BiasTable.DATASET
            + " = '"
            + ctx.dataset().name()
            + "' AND "
            + BiasTable.STAGE
            + " = '"
            + stage
            + "' AND "
            + condition);
  }
}
