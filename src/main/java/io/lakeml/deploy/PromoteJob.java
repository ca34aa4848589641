package io.lakeml.deploy;

import static org.apache.spark.sql.functions.col;

import io.lakeml.config.DatasetConfig;
import io.lakeml.core.DeltaTables;
import io.lakeml.core.Job;
import io.lakeml.core.JobContext;
import io.lakeml.core.JobFailure;
import io.lakeml.core.JobResult;
import io.lakeml.core.LakeCatalog;
import io.lakeml.core.ModelRegistry;
import io.lakeml.core.PromoteMetrics;
import io.lakeml.tables.ChampionsTable;
import io.lakeml.tables.ModelsTable.ModelVersion;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * Champion promotion. Automatic (nightly): the latest candidate becomes champion only if it meets
 * the dataset's test-metric requirements, passed (or was not blocked by) the bias gate, is better
 * than chance (a binary model's validation AUC at least {@code min-validation-auc}), and beats the
 * champion's validation metric by the configured margin. A person can promote a version by hand
 * (requirements and margin waived, the bias block never) or roll back to the previous champion;
 * every change is one registry commit plus a row in {@code _system.champions} saying who, when,
 * why.
 */
public final class PromoteJob implements Job {
  /** What kind of champion change. */
  public enum Mode {
    AUTOMATIC,
    MANUAL,
    ROLLBACK
  }

  private final Mode mode;
  private final Integer version;

  public PromoteJob(Mode mode, Integer version) {
    this.mode = mode;
    this.version = version;
  }

  @Override
  public String name() {
    return mode == Mode.ROLLBACK ? "rollback" : "promote";
  }

  /** The nightly's automatic promotion only: a promotion by hand or a rollback is always done. */
  @Override
  public boolean skipsWhenLakeUnchanged(io.lakeml.config.LakemlConfig config) {
    return mode == Mode.AUTOMATIC;
  }

  @Override
  public JobResult run(JobContext ctx) {
    return switch (mode) {
      case AUTOMATIC -> automatic(ctx);
      case MANUAL -> manual(ctx);
      case ROLLBACK -> rollback(ctx);
    };
  }

  private JobResult automatic(JobContext ctx) {
    SparkSession spark = ctx.spark();
    LakeCatalog cat = ctx.catalog();
    DatasetConfig ds = ctx.dataset();
    Optional<ModelVersion> latest = ModelRegistry.latest(spark, cat, ds.name());
    if (latest.isEmpty()) {
      return JobResult.skipped("no model version of " + ds.name() + " yet; run tune first");
    }
    ModelVersion cand = latest.get();
    int v = cand.version();
    String status = cand.status();
    if (!ModelRegistry.CANDIDATE.equals(status)) {
      return JobResult.skipped(
              "latest version "
                  + v
                  + " is "
                  + status
                  + (cand.statusReason() == null ? "" : " (" + cand.statusReason() + ")"))
          .metric("version", v)
          .metric("promoted", false);
    }
    List<String> refusals = new ArrayList<>();
    if (!ds.sensitive().isEmpty() && cand.biasGate() == null) {
      refusals.add(
          "the bias gate has not evaluated it (run 'jobs/lakeml bias --dataset "
              + ds.name()
              + " --stage post')");
    }
    Map<String, Double> test = cand.testMetrics();
    for (Map.Entry<String, Double> req : ds.deploy().requirements().entrySet()) {
      Double got = test.get(req.getKey());
      if (got == null || got < req.getValue()) {
        refusals.add(
            String.format(
                java.util.Locale.ROOT,
                "test %s %s < required %s",
                req.getKey(),
                got == null ? "missing" : String.format(java.util.Locale.ROOT, "%.4f", got),
                req.getValue()));
      }
    }
    Double auc = cand.validationMetrics().get("areaUnderROC");
    double floor = ds.deploy().minValidationAuc();
    if (cand.binary() && auc != null && auc < floor) {
      refusals.add(
          String.format(
              java.util.Locale.ROOT,
              "validation areaUnderROC %.4f is below dataset.deploy.min-validation-auc %s: about "
                  + "chance (0.5), its predictions are hardly better than coin flips; check the "
                  + "label and the features (dates need derived ones), or promote it by hand with "
                  + "'promote --version %d'",
              auc,
              floor,
              v));
    }
    String metric = cand.selectionMetric();
    double mine = cand.validationMetrics().getOrDefault(metric, Double.NaN);
    Optional<ModelVersion> champion = ModelRegistry.champion(spark, cat, ds.name());
    Integer previous = null;
    String comparison = ", first champion";
    if (champion.isPresent()) {
      previous = champion.get().version();
      Double theirs = champion.get().validationMetrics().get(metric);
      comparison =
          theirs == null
              // e.g. the label became binary: the champion was selected on another metric
              ? ", replacing v" + previous + ", which has no validation " + metric + " to compare"
              : String.format(
                  java.util.Locale.ROOT,
                  mine > theirs
                      ? " beats v%d's %.4f"
                      : " equals v%d's %.4f (with margin 0 the newer version wins)",
                  previous,
                  theirs);
      if (theirs != null && !(mine >= theirs + ds.deploy().margin())) {
        refusals.add(
            String.format(
                java.util.Locale.ROOT,
                "validation %s %.4f does not beat champion v%d's %.4f by the margin %s",
                metric,
                mine,
                previous,
                theirs,
                ds.deploy().margin()));
      }
    }
    if (!refusals.isEmpty()) {
      String reason = "not promoted: " + String.join("; ", refusals);
      ModelRegistry.explain(spark, cat, ds.name(), v, reason);
      JobResult r = JobResult.succeeded().metrics(new PromoteMetrics.Refused(v, reason, previous));
      DeltaTables.version(spark, cat.models().path())
          .ifPresent(x -> r.wrote(cat.models().name(), x));
      return r;
    }
    String reason =
        String.format(
            java.util.Locale.ROOT,
            "validation %s %.4f%s; requirements %s met; bias gate %s",
            metric,
            mine,
            comparison,
            ds.deploy().requirements(),
            cand.biasGate() == null ? "not applicable" : cand.biasGate());
    return change(ctx, v, previous, ChampionsTable.PROMOTE, reason, "lakeml");
  }

  private JobResult manual(JobContext ctx) {
    SparkSession spark = ctx.spark();
    LakeCatalog cat = ctx.catalog();
    String ds = ctx.dataset().name();
    ModelVersion row =
        ModelRegistry.get(spark, cat, ds, version)
            .orElseThrow(
                () ->
                    new JobFailure(
                        ds
                            + " has no model version "
                            + version
                            + ". List the versions with 'jobs/lakeml models --dataset "
                            + ds
                            + "'."));
    String status = row.status();
    if (ModelRegistry.BLOCKED.equals(status)) {
      throw new JobFailure(
          "version "
              + version
              + " is blocked by the bias gate and can never be champion: "
              + row.statusReason());
    }
    if (ModelRegistry.CHAMPION.equals(status)) {
      return JobResult.skipped("version " + version + " is already the champion")
          .metric("version", version);
    }
    Integer previous =
        ModelRegistry.champion(spark, cat, ds).map(ModelVersion::version).orElse(null);
    return change(
        ctx,
        version,
        previous,
        ChampionsTable.MANUAL_PROMOTE,
        "promoted by hand (requirements and margin not applied)",
        actor());
  }

  private JobResult rollback(JobContext ctx) {
    SparkSession spark = ctx.spark();
    LakeCatalog cat = ctx.catalog();
    String ds = ctx.dataset().name();
    ModelVersion current =
        ModelRegistry.champion(spark, cat, ds)
            .orElseThrow(() -> new JobFailure(ds + " has no champion to roll back."));
    int now = current.version();
    // champions form a stack: promotions push, rollbacks pop; the target is the one below the top
    List<Row> history =
        DeltaTables.exists(spark, cat.champions().path())
            ? spark
                .read()
                .format("delta")
                .load(cat.champions().path())
                .where(col(ChampionsTable.DATASET).equalTo(ds))
                // bounded: one row per champion change of one dataset
                .orderBy(col(ChampionsTable.AT), col(ChampionsTable.VERSION))
                .select(ChampionsTable.VERSION, ChampionsTable.ACTION)
                .collectAsList()
            : List.of();
    java.util.Deque<Integer> stack = new java.util.ArrayDeque<>();
    for (Row h : history) {
      if (h.getString(1).equals(ChampionsTable.ROLLBACK)) {
        stack.pop();
      } else {
        stack.push(h.getInt(0));
      }
    }
    if (stack.size() < 2 || stack.peek() != now) {
      throw new JobFailure(
          "version "
              + now
              + " of "
              + ds
              + " has no previous champion to roll back to. Promote a version by hand: "
              + "'jobs/lakeml promote --dataset "
              + ds
              + " --version N'.");
    }
    stack.pop();
    int back = stack.peek();
    ModelVersion target = ModelRegistry.get(spark, cat, ds, back).orElseThrow();
    if (ModelRegistry.BLOCKED.equals(target.status())) {
      throw new JobFailure(
          "the previous champion, version "
              + back
              + ", is now blocked by the bias gate: "
              + target.statusReason());
    }
    return change(
        ctx, back, now, ChampionsTable.ROLLBACK, "rolled back from version " + now, actor());
  }

  private JobResult change(
      JobContext ctx, int v, Integer previous, String action, String reason, String actor) {
    SparkSession spark = ctx.spark();
    LakeCatalog cat = ctx.catalog();
    String ds = ctx.dataset().name();
    ctx.step(
        action
            + ": version "
            + v
            + " becomes champion"
            + (previous == null ? "" : ", version " + previous + " is archived"));
    ModelRegistry.makeChampion(spark, cat, ds, v, reason);
    Row h =
        RowFactory.create(
            ds,
            v,
            previous,
            action,
            reason,
            actor,
            ctx.runId(),
            new Timestamp(System.currentTimeMillis()));
    DeltaTables.appendOnce(
        spark.createDataFrame(List.of(h), ChampionsTable.SCHEMA).coalesce(1),
        cat.champions().path(),
        "lakeml-champions-" + ctx.runId(),
        0,
        false);
    JobResult r =
        JobResult.succeeded().metrics(new PromoteMetrics.Promoted(v, action, previous, reason));
    DeltaTables.version(spark, cat.models().path()).ifPresent(x -> r.wrote(cat.models().name(), x));
    DeltaTables.version(spark, cat.champions().path())
        .ifPresent(x -> r.wrote(cat.champions().name(), x));
    return r;
  }

  private static String actor() {
    return System.getProperty("user.name", "unknown");
  }
}
