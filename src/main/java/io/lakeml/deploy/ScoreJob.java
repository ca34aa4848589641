package io.lakeml.deploy;

import static org.apache.spark.sql.functions.array_max;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.when;

import io.lakeml.config.DatasetConfig;
import io.lakeml.core.Columns;
import io.lakeml.core.DeltaTables;
import io.lakeml.core.Job;
import io.lakeml.core.JobContext;
import io.lakeml.core.JobFailure;
import io.lakeml.core.JobResult;
import io.lakeml.core.LakeCatalog;
import io.lakeml.core.Lineage;
import io.lakeml.core.ModelRegistry;
import io.lakeml.core.Quarantine;
import io.lakeml.core.SavedModels;
import io.lakeml.core.ScoreMetrics;
import io.lakeml.model.LabelCoding;
import io.lakeml.tables.ModelsTable.ModelVersion;
import io.lakeml.tables.PredictionsTable;
import java.sql.Date;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Batch prediction with the champion: silver rows (all, or those ingested on the run date) through
 * the champion's complete PipelineModel into {@code predictions.<dataset>} — key, predicted class,
 * probability, model version, run id and date. Idempotent per run date: a rerun replaces that
 * date's predictions, and is SKIPPED when the champion and the silver version are the ones already
 * scored. Rows the model cannot score go to quarantine with the reason.
 */
public final class ScoreJob implements Job {
  public static final String PREDICTION = PredictionsTable.PREDICTION;
  public static final String PROBABILITY = PredictionsTable.PROBABILITY;
  public static final String MODEL_VERSION = PredictionsTable.MODEL_VERSION;
  public static final String SILVER_VERSION = PredictionsTable.SILVER_VERSION;

  @Override
  public String name() {
    return "score";
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
      return JobResult.skipped(
          "no champion model for " + ds.name() + " yet (tune, then promote); nothing scored");
    }
    ModelVersion model = champion.get();
    int version = model.version();
    LakeCatalog.Table silver = cat.silver(ds.name());
    long silverVersion = Lineage.requireInput(ctx, silver, "etl");
    LakeCatalog.Table out = cat.predictions(ds.name());
    String thisDate = PredictionsTable.RUN_DATE + " = DATE'" + ctx.runDate() + "'";
    if (DeltaTables.exists(spark, out.path())
        && !spark
            .read()
            .format("delta")
            .load(out.path())
            .where(
                thisDate
                    + " AND "
                    + MODEL_VERSION
                    + " = "
                    + version
                    + " AND "
                    + SILVER_VERSION
                    + " = "
                    + silverVersion)
            .limit(1)
            .isEmpty()) {
      return JobResult.skipped(
              "predictions for "
                  + ctx.runDate()
                  + " are already made by version "
                  + version
                  + " from "
                  + silver.name()
                  + " version "
                  + silverVersion)
          .metric("version", version);
    }

    Dataset<Row> rows =
        spark.read().format("delta").option("versionAsOf", silverVersion).load(silver.path());
    List<String> missing =
        ds.columnNames().stream().filter(c -> !List.of(rows.columns()).contains(c)).toList();
    if (!missing.isEmpty()) {
      throw new JobFailure(
          silver.name()
              + " version "
              + silverVersion
              + " has no column "
              + missing
              + " that the model needs; nothing was scored. Check dataset.schema against the data, then rerun etl.");
    }
    Dataset<Row> input =
        ds.deploy().scoreAll()
            ? rows
            : rows.where(
                to_date(col(Columns.INGESTED_AT)).equalTo(lit(Date.valueOf(ctx.runDate()))));

    // the feature pipeline drops rows missing a 'drop'-policy feature at training time; here they
    // are quarantined
    List<String> dropPolicy = ds.featuresDroppedWhenMissing();
    Column reason = lit("");
    for (String c : dropPolicy) {
      reason =
          concat_ws(
              "; ",
              reason,
              when(col(c).isNull(), lit("feature " + c + " is null (missing-value policy drop)")));
    }
    // Not cached: silver's version is pinned, so each pass reads the same rows. The cache held
    // every column of every row only for this count (10M rows in a 2 GB heap; the stage took as
    // long without it, docs/benchmarks). Without a 'drop' feature no row can be rejected, and the
    // count is not made at all.
    Dataset<Row> accepted = input;
    long quarantined = 0;
    if (!dropPolicy.isEmpty()) {
      Dataset<Row> flagged =
          input.withColumn(
              "_reason", org.apache.spark.sql.functions.regexp_replace(reason, "^(; )+", ""));
      Dataset<Row> rejected = flagged.where(col("_reason").notEqual(""));
      quarantined = rejected.count();
      if (quarantined > 0) {
        Quarantine.append(
            ctx,
            name(),
            rejected.select(
                lit(silver.name()).as(Columns.SOURCE_FILE),
                col("_reason").as(Quarantine.REASON),
                to_json(
                        struct(
                            ds.columnNames().stream()
                                .map(org.apache.spark.sql.functions::col)
                                .toArray(Column[]::new)))
                    .as(Quarantine.RAW_RECORD)),
            "lakeml-score-" + ds.name() + "-" + ctx.runDate(),
            silverVersion * 100_000L + version);
      }
      accepted = flagged.where(col("_reason").equalTo("")).drop("_reason");
    }
    ctx.step(
        "scoring "
            + silver.name()
            + " version "
            + silverVersion
            + " with champion version "
            + version);
    PipelineModel pipeline = SavedModels.load(ctx.spark(), model.path());
    Dataset<Row> scored = pipeline.transform(accepted);
    List<String> classes = model.classes();
    Column className = className(scored, classes);
    boolean hasProbability = List.of(scored.columns()).contains(PROBABILITY);
    Column probs = org.apache.spark.ml.functions.vector_to_array(col(PROBABILITY), "float64");
    Column probability =
        !hasProbability
            ? lit(null).cast("double")
            : classes.size() == 2 ? element_at(probs, 2) : array_max(probs);
    List<Column> cols = new ArrayList<>();
    for (String k : ds.key().isEmpty() ? ds.columnNames() : ds.key()) {
      cols.add(col(k));
    }
    cols.add(className.as(PREDICTION));
    cols.add(probability.as(PROBABILITY));
    cols.add(lit(version).as(MODEL_VERSION));
    cols.add(lit(silverVersion).as(SILVER_VERSION));
    cols.add(lit(ctx.runId()).as(PredictionsTable.RUN_ID));
    cols.add(lit(Date.valueOf(ctx.runDate())).as(PredictionsTable.RUN_DATE));
    Dataset<Row> predictions = scored.select(cols.toArray(new Column[0]));
    DeltaTables.replace(predictions, out.path(), thisDate);
    long written = spark.read().format("delta").load(out.path()).where(thisDate).count();
    JobResult r =
        JobResult.succeeded()
            .metrics(
                new ScoreMetrics(
                    version, written, quarantined, ds.deploy().scoreAll() ? "all" : "run-date"));
    r.read(silver.name(), silverVersion);
    DeltaTables.version(spark, out.path()).ifPresent(x -> r.wrote(out.name(), x));
    return r;
  }

  /**
   * The predicted class's name of each scored row: from the version's own decoder, or for versions
   * saved before they had one, from the classes the registry recorded.
   */
  static Column className(Dataset<Row> scored, List<String> classes) {
    return List.of(scored.columns()).contains(LabelCoding.PREDICTED_CLASS)
        ? col(LabelCoding.PREDICTED_CLASS)
        : LabelCoding.decode(col(PREDICTION), classes);
  }
}
