package io.lakeml.tune;

import static org.apache.spark.sql.functions.col;

import io.lakeml.config.DatasetConfig;
import io.lakeml.core.Job;
import io.lakeml.core.JobContext;
import io.lakeml.core.JobFailure;
import io.lakeml.core.JobResult;
import io.lakeml.core.LakeCatalog;
import io.lakeml.core.MaintenanceMetrics;
import io.lakeml.core.ModelRegistry;
import io.lakeml.model.Algorithms;
import io.lakeml.model.ModelMetrics;
import io.lakeml.tables.ModelsTable.ModelVersion;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.Model;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Retrains a registered model version from what the registry recorded — the gold table at its
 * recorded Delta version (time travel), the algorithm, parameters and seed — and reports whether
 * train, validation and test metrics match the recorded ones. Writes nothing.
 */
public final class ReproduceJob implements Job {
  /** Largest metric difference still counted as a match (floating-point summation order). */
  static final double TOLERANCE = 1e-9;

  private final int version;

  public ReproduceJob(int version) {
    this.version = version;
  }

  @Override
  public String name() {
    return "reproduce";
  }

  @Override
  public JobResult run(JobContext ctx) throws Exception {
    DatasetConfig ds = ctx.dataset();
    SparkSession spark = ctx.spark();
    LakeCatalog cat = ctx.catalog();
    ModelVersion entry =
        ModelRegistry.get(spark, cat, ds.name(), version)
            .orElseThrow(
                () ->
                    new JobFailure(
                        ds.name()
                            + " has no model version "
                            + version
                            + ". List the versions with 'jobs/lakeml models --dataset "
                            + ds.name()
                            + "'."));
    long goldVersion = entry.goldVersion();
    long seed = entry.seed();
    int folds = entry.folds();
    String algorithm = entry.algorithm();
    Map<String, String> params = entry.params();
    boolean binary = entry.binary() && ds.label().map(DatasetConfig.Label::binary).orElse(true);

    ctx.step("reading " + cat.gold(ds.name()).name() + " as of version " + goldVersion);
    Dataset<Row> gold;
    try {
      gold =
          spark
              .read()
              .format("delta")
              .option("versionAsOf", goldVersion)
              .load(cat.gold(ds.name()).path());
      gold.schema();
    } catch (Exception e) {
      throw new JobFailure(
          cat.gold(ds.name()).name()
              + " version "
              + goldVersion
              + " can no longer be read ("
              + e.getMessage()
              + "). VACUUM removes old versions after the retention period; model versions need their gold versions kept.",
          e);
    }
    // the class weights the version was trained with, if any (null in older registries)
    Map<String, Double> classWeights = entry.classWeights();
    Dataset<Row> train =
        Search.trainingSet(
                ClassWeights.apply(
                    gold.where(col(TuneJob.SPLIT).equalTo(TuneJob.TRAIN)), classWeights),
                seed,
                folds,
                ctx.dataset().key())
            .cache();
    try {
      ctx.step("refitting " + algorithm + " " + params);
      Estimator<?> estimator = Algorithms.estimator(algorithm, seed);
      Model<?> model =
          XgboostModel.savable(
              (Model<?>) estimator.fit(train, Algorithms.paramMap(estimator, params)));
      // the threshold tune chose on validation (dataset.tune.threshold) is part of the version
      Double threshold = entry.threshold();
      if (binary
          && threshold != null
          && threshold != 0.5
          && model
              instanceof
              org.apache.spark.ml.classification.ProbabilisticClassificationModel<?, ?> p) {
        p.setThresholds(new double[] {1 - threshold, threshold});
      }
      Map<String, Object> comparison = new LinkedHashMap<>();
      boolean match = true;
      for (String split : List.of(TuneJob.TRAIN, TuneJob.VALIDATION, TuneJob.TEST)) {
        Dataset<Row> rows =
            split.equals(TuneJob.TRAIN) ? train : gold.where(col(TuneJob.SPLIT).equalTo(split));
        Map<String, Double> recorded = new TreeMap<>(entry.metrics(split));
        if (recorded.isEmpty()) {
          continue;
        }
        Map<String, Double> now = ModelMetrics.all(model.transform(rows), binary);
        Map<String, Object> perMetric = new LinkedHashMap<>();
        for (Map.Entry<String, Double> r : recorded.entrySet()) {
          Double v = now.get(r.getKey());
          double diff = v == null ? Double.NaN : Math.abs(v - r.getValue());
          boolean same = diff <= TOLERANCE;
          match &= same;
          perMetric.put(
              r.getKey(),
              Map.of(
                  "recorded",
                  TuneJob.round(r.getValue()),
                  "reproduced",
                  v == null ? "missing" : TuneJob.round(v),
                  "match",
                  same));
        }
        comparison.put(split, perMetric);
      }
      JobResult result =
          match
              ? JobResult.succeeded()
              : JobResult.failed(
                  "version "
                      + version
                      + " did not reproduce: metrics differ beyond "
                      + TOLERANCE
                      + " (see 'metrics')");
      result.metrics(
          new MaintenanceMetrics.Reproduce(
              version,
              algorithm,
              params,
              goldVersion,
              match,
              comparison,
              !ctx.config().modelHash().equals(entry.configHash())));
      result.read(cat.gold(ds.name()).name(), goldVersion);
      return result;
    } finally {
      train.unpersist();
    }
  }
}
