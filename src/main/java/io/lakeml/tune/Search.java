package io.lakeml.tune;

import static java.util.stream.Collectors.joining;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.xxhash64;

import io.lakeml.config.DatasetConfig;
import io.lakeml.config.DatasetConfig.Strategy;
import io.lakeml.core.JobContext;
import io.lakeml.model.Algorithms;
import io.lakeml.model.EarlyStoppingXgboost;
import io.lakeml.model.NativeXgboost;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.evaluation.Evaluator;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.CrossValidatorModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Hyperparameter search on the training split with MLlib's {@link CrossValidator}: grid, random
 * draws, or successive halving (all candidates on a fraction of the rows, the best 1/eta on eta
 * times more, until the full split). Every candidate's fold metrics go into {@link Trial}s.
 * Logistic-regression grids that {@link SharedPassLogistic} can take are cross-validated there
 * instead (same folds and metric, far fewer Spark passes), unless {@code dataset.tune.shared-pass}
 * is false.
 */
final class Search {
  /** Fold number column CrossValidator uses ({@code foldCol}). */
  static final String FOLD = "_fold";

  /** Uniform number in [0, 1) per row, fixed by the seed: halving's row fractions. */
  static final String UNIFORM = Algorithms.ROW_UNIFORM;

  /**
   * About how many progress lines one cross-validation prints (one per fit when there are fewer
   * fits).
   */
  static final int PROGRESS_LINES = 20;

  /** One algorithm's candidates. */
  record Space(String algorithm, Estimator<?> estimator, List<ParamMap> candidates) {}

  /** One candidate evaluated by cross-validation on one rung. */
  record Trial(
      String algorithm,
      int candidate,
      int rung,
      double fraction,
      long rows,
      Map<String, String> params,
      double[] foldMetrics,
      double mean,
      double std,
      double seconds) {}

  /** The best candidate of one algorithm in the last rung, refitted on the whole training split. */
  record Best(Space space, int candidate, Model<?> model, double cvMetric) {
    Map<String, String> params() {
      return Algorithms.describe(space.candidates().get(candidate));
    }
  }

  /**
   * All trials and the best model per algorithm; {@code fits} counts model fits (folds and refits),
   * {@code iterations} the optimizer iterations of those fits that report them (logistic
   * regression, linear SVC).
   */
  record Outcome(List<Trial> trials, List<Best> best, int fits, long iterations) {}

  /**
   * Fits and iterations counted over every cross-validation of one search, and the features' width.
   */
  private static final class Tally {
    int fits;
    long iterations;
    private int width = -1;

    /**
     * The feature vectors' size: one Spark job for the whole search, not one per algorithm and
     * rung.
     */
    int width(Dataset<Row> data) {
      if (width < 0) {
        width =
            ((org.apache.spark.ml.linalg.Vector) data.select(Algorithms.FEATURES).first().get(0))
                .size();
      }
      return width;
    }
  }

  private Search() {}

  /**
   * The training rows with a fold number and the halving fraction column, both a seeded hash of the
   * row's key (so the same rows get the same folds on any cluster, from any partitioning). Never of
   * the label: with repeated feature vectors (census data has many) a hash of features and label
   * sent the "yes" and "no" rows of one vector to different folds, so every validation fold held
   * the label the training folds lacked, and cross-validated AUC fell to about 0.5. Without a key,
   * rows with the same features share a fold (grouped folds: no leak, a slightly pessimistic
   * estimate). Narrow: partitions stay those of the read, which keeps refits reproducible from the
   * same table version.
   */
  static Dataset<Row> trainingSet(Dataset<Row> train, long seed, int folds, List<String> key) {
    java.util.Set<String> present = java.util.Set.of(train.columns());
    List<Column> identity = new ArrayList<>();
    if (!key.isEmpty() && present.containsAll(key)) {
      key.forEach(k -> identity.add(col(k)));
    } else {
      identity.add(col(Algorithms.FEATURES));
    }
    Column[] withSeed = new Column[identity.size() + 1];
    withSeed[0] = lit(seed);
    for (int i = 0; i < identity.size(); i++) {
      withSeed[i + 1] = identity.get(i);
    }
    Column[] withOtherSeed = withSeed.clone();
    withOtherSeed[0] = lit(seed + 7919);
    return train.select(
        col(Algorithms.LABEL),
        col(Algorithms.WEIGHT),
        col(Algorithms.FEATURES),
        pmod(xxhash64(withSeed), lit(folds)).cast("int").as(FOLD),
        pmod(xxhash64(withOtherSeed), lit(1_000_000L)).divide(1_000_000.0).as(UNIFORM));
  }

  static Outcome run(
      JobContext ctx,
      DatasetConfig.Tune tune,
      List<Space> spaces,
      Dataset<Row> train,
      long trainRows,
      Evaluator eval) {
    List<Trial> trials = new ArrayList<>();
    List<Best> best = new ArrayList<>();
    Tally fits = new Tally();
    if (tune.strategy() != Strategy.HALVING) {
      // XGBoost algorithms whose searches can share one task's matrix and folds
      List<Integer> together = shareOneMatrix(tune, spaces, train, trainRows, eval, fits);
      Best[] bySpace = new Best[spaces.size()];
      for (int k = 0; k < spaces.size(); k++) {
        Space s = spaces.get(k);
        List<Integer> all = everyCandidate(s);
        if (together.size() > 1 && together.contains(k)) {
          if (k == together.get(0)) {
            ctx.step(
                "algorithms "
                    + together.stream().map(i -> String.valueOf(i + 1)).collect(joining(", "))
                    + "/"
                    + spaces.size()
                    + ": cross-validating "
                    + together.stream()
                        .map(i -> spaces.get(i).algorithm())
                        .collect(joining(" and "))
                    + ", "
                    + together.stream()
                        .map(i -> String.valueOf(spaces.get(i).candidates().size()))
                        .collect(joining(" + "))
                    + " candidate(s) × "
                    + tune.folds()
                    + " folds from one matrix",
                "rows",
                trainRows);
            List<Best> shared =
                matrix(
                    ctx,
                    tune,
                    together.stream().map(spaces::get).toList(),
                    together.stream().map(t -> everyCandidate(spaces.get(t))).toList(),
                    train,
                    0,
                    1.0,
                    trainRows,
                    trials,
                    fits);
            for (int j = 0; j < together.size(); j++) {
              bySpace[together.get(j)] = shared.get(j);
            }
          }
          continue;
        }
        ctx.step(
            "algorithm "
                + (k + 1)
                + "/"
                + spaces.size()
                + ": cross-validating "
                + s.algorithm()
                + ", "
                + all.size()
                + " candidate(s) × "
                + tune.folds()
                + " folds"
                + (tune.sharedPass() && SharedPassLogistic.eligible(s, s.candidates(), eval)
                    ? " in shared passes"
                    : ""),
            "rows",
            trainRows);
        bySpace[k] = crossValidate(ctx, tune, s, all, train, 0, 1.0, trainRows, eval, trials, fits);
      }
      best.addAll(java.util.Arrays.asList(bySpace));
      return new Outcome(trials, best, fits.fits, fits.iterations);
    }
    // successive halving: pool every algorithm's candidates, keep the best 1/eta per rung
    record Pick(int space, int candidate, double mean) {}
    List<Pick> alive = new ArrayList<>();
    for (int s = 0; s < spaces.size(); s++) {
      for (int i = 0; i < spaces.get(s).candidates().size(); i++) {
        alive.add(new Pick(s, i, Double.NaN));
      }
    }
    double fraction = tune.minFraction();
    for (int rung = 0; ; rung++) {
      boolean last = fraction >= 1.0 || alive.size() == 1;
      double f = last ? 1.0 : fraction;
      Dataset<Row> data = last ? train : train.where(col(UNIFORM).lt(f));
      long rows = last ? trainRows : data.count();
      List<Pick> scored = new ArrayList<>();
      for (int s = 0; s < spaces.size(); s++) {
        final int si = s;
        List<Integer> idx =
            alive.stream().filter(p -> p.space() == si).map(Pick::candidate).toList();
        if (idx.isEmpty()) {
          continue;
        }
        Space space = spaces.get(s);
        ctx.step(
            "halving rung "
                + rung
                + " ("
                + Math.round(100 * f)
                + "% of train, "
                + rows
                + " rows): "
                + space.algorithm()
                + ", "
                + idx.size()
                + " candidate(s)");
        int before = trials.size();
        Best b = crossValidate(ctx, tune, space, idx, data, rung, f, rows, eval, trials, fits);
        if (last) {
          best.add(b);
        }
        for (Trial t : trials.subList(before, trials.size())) {
          scored.add(new Pick(s, t.candidate(), t.mean()));
        }
      }
      if (last) {
        return new Outcome(trials, best, fits.fits, fits.iterations);
      }
      Comparator<Pick> order = Comparator.comparingDouble(Pick::mean);
      scored.sort(eval.isLargerBetter() ? order.reversed() : order);
      int keep = Math.max(1, (int) Math.ceil(scored.size() / (double) tune.eta()));
      alive = new ArrayList<>(scored.subList(0, keep));
      fraction = fraction * tune.eta();
    }
  }

  private static Best crossValidate(
      JobContext ctx,
      DatasetConfig.Tune tune,
      Space s,
      List<Integer> idx,
      Dataset<Row> data,
      int rung,
      double fraction,
      long rows,
      Evaluator eval,
      List<Trial> trials,
      Tally fits) {
    List<ParamMap> maps = idx.stream().map(i -> s.candidates().get(i)).toList();
    if (tune.sharedPass() && SharedPassLogistic.eligible(s, maps, eval)) {
      return sharedPass(ctx, tune, s, idx, maps, data, rung, fraction, rows, trials, fits);
    }
    if (takesMatrix(tune, s, maps, data, rows, eval, fits)) {
      return matrix(ctx, tune, List.of(s), List.of(idx), data, rung, fraction, rows, trials, fits)
          .get(0);
    }
    // a progress line per fit (candidates × folds of this algorithm and rung); at most about 20 for
    // large grids
    java.util.concurrent.atomic.AtomicInteger done =
        new java.util.concurrent.atomic.AtomicInteger();
    int total = maps.size() * tune.folds();
    int every = Math.max(1, total / PROGRESS_LINES);
    TrialRecorder rec =
        new TrialRecorder(
            maps,
            tune.folds(),
            data,
            (candidate, fold, metric) -> {
              int n = done.incrementAndGet();
              if (n % every == 0 || n == total) {
                ctx.progress(
                    "fit "
                        + n
                        + "/"
                        + total
                        + " "
                        + s.algorithm()
                        + " candidate "
                        + (candidate + 1)
                        + "/"
                        + maps.size()
                        + " fold "
                        + (fold + 1)
                        + "/"
                        + tune.folds()
                        + (fraction < 1.0 ? " rung " + rung : ""),
                    "rows",
                    rows,
                    "metric",
                    metric);
              }
            });
    CrossValidator cv =
        new CrossValidator()
            .setEstimator(rec.wrap(s.estimator()))
            .setEstimatorParamMaps(maps.toArray(new ParamMap[0]))
            .setEvaluator(rec.wrap(eval))
            .setNumFolds(tune.folds())
            .setFoldCol(FOLD)
            .setParallelism(tune.parallelism())
            .setSeed(tune.seed());
    CrossValidatorModel m = cv.fit(data);
    double[] avg = m.avgMetrics();
    double[][] foldMetrics = new double[maps.size()][];
    double[] seconds = new double[maps.size()];
    for (int j = 0; j < maps.size(); j++) {
      foldMetrics[j] = rec.foldMetrics(j);
      seconds[j] = rec.seconds(j);
    }
    int bestLocal =
        record(
            s,
            idx,
            maps,
            rung,
            fraction,
            rows,
            foldMetrics,
            avg,
            seconds,
            eval.isLargerBetter(),
            trials);
    fits.fits += maps.size() * tune.folds() + 1;
    fits.iterations += rec.iterations();
    Model<?> model = ((TrialRecorder.RecordingModel) m.bestModel()).inner();
    return new Best(s, idx.get(bestLocal), model, avg[bestLocal]);
  }

  /**
   * The same cross-validation as {@link #crossValidate} (same folds, candidates and metric) in
   * {@link SharedPassLogistic}'s shared passes; the winner is refitted on all of {@code data} by
   * MLlib, as CrossValidator does. A trial's seconds are the search's, shared equally.
   */
  private static Best sharedPass(
      JobContext ctx,
      DatasetConfig.Tune tune,
      Space s,
      List<Integer> idx,
      List<ParamMap> maps,
      Dataset<Row> data,
      int rung,
      double fraction,
      long rows,
      List<Trial> trials,
      Tally fits) {
    long t0 = System.nanoTime();
    SharedPassLogistic.Result r =
        SharedPassLogistic.crossValidate(
            data,
            tune.folds(),
            (org.apache.spark.ml.classification.LogisticRegression) s.estimator(),
            maps,
            (pass, optimizers) -> {
              if (pass <= PROGRESS_LINES || pass % 10 == 0) {
                ctx.progress(
                    "shared pass "
                        + pass
                        + ": "
                        + optimizers
                        + " of "
                        + maps.size() * tune.folds()
                        + " "
                        + s.algorithm()
                        + " fits still optimizing"
                        + (fraction < 1.0 ? " rung " + rung : ""),
                    "rows",
                    rows);
              }
            });
    double[] seconds = new double[maps.size()];
    java.util.Arrays.fill(seconds, (System.nanoTime() - t0) / 1e9 / maps.size());
    double[] mean = new double[maps.size()];
    for (int j = 0; j < maps.size(); j++) {
      mean[j] = java.util.Arrays.stream(r.foldMetrics()[j]).average().orElse(Double.NaN);
    }
    int bestLocal =
        record(s, idx, maps, rung, fraction, rows, r.foldMetrics(), mean, seconds, true, trials);
    ctx.progress(
        r.passes()
            + " shared passes and the held-out AUCs done; MLlib refits candidate "
            + (bestLocal + 1)
            + "/"
            + maps.size()
            + " on all "
            + rows
            + " rows",
        "metric",
        mean[bestLocal]);
    Model<?> model = (Model<?>) s.estimator().fit(data, maps.get(bestLocal));
    fits.fits += maps.size() * tune.folds() + 1;
    fits.iterations +=
        java.util.Arrays.stream(r.iterations()).sum() + TrialRecorder.iterationsOf(model);
    return new Best(s, idx.get(bestLocal), model, mean[bestLocal]);
  }

  /**
   * The XGBoost algorithms (indexes into {@code spaces}) whose whole grids {@link MatrixXgboost}
   * takes, that can {@link MatrixXgboost#canShare share} the first one's matrix; they are searched
   * in one task when there are two or more.
   */
  private static List<Integer> shareOneMatrix(
      DatasetConfig.Tune tune,
      List<Space> spaces,
      Dataset<Row> train,
      long rows,
      Evaluator eval,
      Tally fits) {
    List<Integer> out = new ArrayList<>();
    for (int k = 0; k < spaces.size(); k++) {
      Space s = spaces.get(k);
      if (takesMatrix(tune, s, s.candidates(), train, rows, eval, fits)
          && (out.isEmpty()
              || MatrixXgboost.canShare(
                  (EarlyStoppingXgboost) spaces.get(out.get(0)).estimator(),
                  (EarlyStoppingXgboost) s.estimator()))) {
        out.add(k);
      }
    }
    return out;
  }

  /** The indexes of all of {@code s}'s candidates. */
  private static List<Integer> everyCandidate(Space s) {
    return java.util.stream.IntStream.range(0, s.candidates().size()).boxed().toList();
  }

  /**
   * Whether {@link MatrixXgboost} cross-validates these candidates of {@code s} on {@code data}.
   */
  private static boolean takesMatrix(
      DatasetConfig.Tune tune,
      Space s,
      List<ParamMap> maps,
      Dataset<Row> data,
      long rows,
      Evaluator eval,
      Tally fits) {
    // (eligible checks that the estimator is XGBoost's, which the shared grouping's casts rely on)
    return tune.sharedPass()
        && rows > 0
        && MatrixXgboost.eligible(s, maps, eval, rows, fits.width(data));
  }

  /**
   * The same cross-validation as {@link #crossValidate} for XGBoost, from one in-memory matrix in
   * one task ({@link MatrixXgboost}): the candidates {@code idx} of each of {@code spaces}, which
   * share the task's rows and folds; each winner is refitted on all of {@code data} by its
   * estimator (in the task, from the same matrix), as CrossValidator does. Their bests in {@code
   * spaces}' order.
   */
  private static List<Best> matrix(
      JobContext ctx,
      DatasetConfig.Tune tune,
      List<Space> spaces,
      List<List<Integer>> idx,
      Dataset<Row> data,
      int rung,
      double fraction,
      long rows,
      List<Trial> trials,
      Tally fits) {
    int threads = NativeXgboost.threads(ctx.spark().sparkContext());
    List<List<ParamMap>> maps = new ArrayList<>();
    List<String> what = new ArrayList<>();
    for (int k = 0; k < spaces.size(); k++) {
      Space s = spaces.get(k);
      maps.add(idx.get(k).stream().map(i -> s.candidates().get(i)).toList());
      what.add(
          idx.get(k).size() + (spaces.size() > 1 ? " " + s.algorithm() : "") + " candidate(s)");
    }
    ctx.progress(
        "one matrix of "
            + rows
            + " rows in one task, "
            + threads
            + " XGBoost thread(s): "
            + String.join(" and ", what)
            + " × "
            + tune.folds()
            + " folds"
            + (fraction < 1.0 ? " rung " + rung : ""),
        "rows",
        rows);
    List<MatrixXgboost.Unit> units = new ArrayList<>();
    for (int k = 0; k < spaces.size(); k++) {
      units.add(
          new MatrixXgboost.Unit((EarlyStoppingXgboost) spaces.get(k).estimator(), maps.get(k)));
    }
    List<MatrixXgboost.Result> results =
        MatrixXgboost.crossValidate(data, tune.folds(), units, threads, rows, fits.width(data));
    List<Best> out = new ArrayList<>();
    for (int k = 0; k < spaces.size(); k++) {
      out.add(
          matrixBest(
              ctx,
              tune,
              spaces.get(k),
              idx.get(k),
              maps.get(k),
              data,
              rung,
              fraction,
              rows,
              trials,
              fits,
              results.get(k)));
    }
    return out;
  }

  /** Records a matrix search's trials and returns its best, with the task's refit as the model. */
  private static Best matrixBest(
      JobContext ctx,
      DatasetConfig.Tune tune,
      Space s,
      List<Integer> idx,
      List<ParamMap> maps,
      Dataset<Row> data,
      int rung,
      double fraction,
      long rows,
      List<Trial> trials,
      Tally fits,
      MatrixXgboost.Result r) {
    double[] mean = new double[maps.size()];
    for (int j = 0; j < maps.size(); j++) {
      mean[j] = java.util.Arrays.stream(r.foldMetrics()[j]).average().orElse(Double.NaN);
    }
    int bestLocal =
        record(
            s, idx, maps, rung, fraction, rows, r.foldMetrics(), mean, r.seconds(), true, trials);
    ctx.progress(
        s.algorithm()
            + ": "
            + r.boosters()
            + " boosters for "
            + maps.size() * tune.folds()
            + " fits and the refit of candidate "
            + (bestLocal + 1)
            + "/"
            + maps.size()
            + " on all "
            + rows
            + " rows (in the task: "
            + r.phases()
            + ")",
        "metric",
        mean[bestLocal]);
    // the task refitted the same pick from its matrix: what the estimator's fit would give (one
    // read of the rows fewer); lakeml's stage around it: dense vectors when predicting, MLlib's
    // threshold rule, saving
    Model<?> fitted =
        r.best() == bestLocal && r.refit() != null
            ? NativeXgboost.model(
                NativeXgboost.withPerSplit(
                    ((EarlyStoppingXgboost) s.estimator()).copy(maps.get(bestLocal)).xgboost(data),
                    r.perSplit()),
                r.refit())
            : (Model<?>) s.estimator().fit(data, maps.get(bestLocal));
    Model<?> model = XgboostModel.savable(fitted);
    fits.fits += maps.size() * tune.folds() + 1;
    return new Best(s, idx.get(bestLocal), model, mean[bestLocal]);
  }

  /**
   * Adds one {@link Trial} per candidate (fold metrics, their mean and standard deviation, seconds)
   * and returns the index of the best mean, the first one on a tie, as CrossValidator picks.
   */
  private static int record(
      Space s,
      List<Integer> idx,
      List<ParamMap> maps,
      int rung,
      double fraction,
      long rows,
      double[][] foldMetrics,
      double[] mean,
      double[] seconds,
      boolean largerIsBetter,
      List<Trial> trials) {
    int best = 0;
    for (int j = 0; j < maps.size(); j++) {
      double std = 0;
      for (double v : foldMetrics[j]) {
        std += (v - mean[j]) * (v - mean[j]);
      }
      std = Math.sqrt(std / foldMetrics[j].length);
      trials.add(
          new Trial(
              s.algorithm(),
              idx.get(j),
              rung,
              fraction,
              rows,
              Algorithms.describe(maps.get(j)),
              foldMetrics[j],
              mean[j],
              std,
              seconds[j]));
      if (largerIsBetter ? mean[j] > mean[best] : mean[j] < mean[best]) {
        best = j;
      }
    }
    return best;
  }
}
