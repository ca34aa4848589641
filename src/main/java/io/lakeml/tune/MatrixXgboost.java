package io.lakeml.tune;

import static org.apache.spark.sql.functions.col;

import io.lakeml.model.Algorithms;
import io.lakeml.model.EarlyStoppingXgboost;
import io.lakeml.model.NativeXgboost;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;
import ml.dmlc.xgboost4j.scala.spark.XGBoostClassifier;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.evaluation.Evaluator;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;

/**
 * Cross-validates XGBoost candidates from one in-memory matrix, in one Spark task: the training
 * rows are read once into one XGBoost matrix, each fold's fits weigh its held-out rows 0 and
 * predict them from the same matrix, and candidates that differ only in {@code numRound} share one
 * booster, scored at each round count (rounds as a path). MLlib's CrossValidator instead converts
 * the rows again for every fit (a profile of a 1M-row search: 10 of 1,241 executor samples were
 * boosting, the rest vector serialization, the shuffle to one partition and the row-to-matrix
 * conversion).
 *
 * <p>The same folds, parameters and metric as the CrossValidator path: areaUnderROC, exact (MLlib's
 * evaluator bins above 1,000 distinct scores), unweighted like the search's evaluator, with the
 * training rows' weights in the fit. One difference: XGBoost's histogram bins are cut from all the
 * training rows' values (no labels) instead of each fold's, so a feature with more than {@code
 * max_bin} distinct values may split at slightly other points than a fit on the fold's rows alone
 * would; with fewer, and without row sampling, a fold's model is the estimator's
 * (MatrixXgboostTest). Likewise a forest's columns that vary ({@link NativeXgboost#forestPerSplit})
 * are those of all the training rows, not of the fold's. Row sampling ({@code subsample}) draws
 * from every row's index, the held-out ones too, so a forest's trees are others than the
 * estimator's on the fold, grown the same way. XGBoost uses every core of the task's executor in
 * local mode and {@code spark.task.cpus} threads on a cluster. The winner is refitted by its
 * estimator ({@link EarlyStoppingXgboost}, itself in one task where the rows fit, {@link
 * NativeXgboost}), so the saved model, {@code reproduce} and scoring are as for any fit. Only where
 * the matrix fits: at most {@link #MAX_VALUES} feature values.
 */
final class MatrixXgboost {
  /**
   * The largest matrix built in one task: {@link NativeXgboost#MAX_NATIVE_VALUES}, since the search
   * knows its rows' count and width and reads them straight into native memory.
   */
  static final long MAX_VALUES = NativeXgboost.MAX_NATIVE_VALUES;

  private MatrixXgboost() {}

  /**
   * What the search needs: per candidate the AUC of each held-out fold, and seconds spent on it;
   * the candidate with the best mean AUC (the first on a tie, as the search picks) and its refit on
   * all the rows ({@code ubj} bytes, null without rows; with the forest's features per split it
   * drew, NaN when its grid set them), trained from the same matrix as {@link NativeXgboost#fit}
   * would train it; and where the task's time went.
   */
  record Result(
      double[][] foldMetrics,
      double[] seconds,
      int boosters,
      int best,
      byte[] refit,
      double perSplit,
      Phases phases)
      implements Serializable {}

  /**
   * Seconds of the task: reading the rows, building XGBoost's matrix of them with its quantized
   * index, boosting (early stopping's probe included), predicting the held-out rows with their AUC,
   * and the refit.
   */
  record Phases(
      double read, double matrix, double boost, double score, double refit, boolean shared)
      implements Serializable {
    @Override
    public String toString() {
      if (shared) {
        return String.format(
            java.util.Locale.ROOT,
            "the rows and matrix of the algorithm before, boosting %.1f s, scoring %.1f s, the refit %.1f s",
            boost,
            score,
            refit);
      }
      return String.format(
          java.util.Locale.ROOT,
          "reading the rows %.1f s, the matrix and its index %.1f s, boosting %.1f s, scoring %.1f s, the refit %.1f s",
          read,
          matrix,
          boost,
          score,
          refit);
    }
  }

  /** One algorithm's candidates, searched in a task that may hold others' too. */
  record Unit(EarlyStoppingXgboost estimator, List<ParamMap> candidates) {}

  /**
   * A unit's candidates as the task boosts them: those whose native parameters are equal ({@code
   * numRound} is not one of them) share a booster; with early stopping each candidate has its own
   * (it decides its round count).
   */
  private record Plan(
      int n,
      int[] rounds,
      List<Map<String, Object>> params,
      int[] patience,
      boolean[] forestPerSplit,
      List<int[]> members)
      implements Serializable {}

  /**
   * Whether two XGBoost estimators can share one task's matrix and folds: early stopping holds out
   * the same rows for both (same seed, features and label columns).
   */
  static boolean canShare(EarlyStoppingXgboost a, EarlyStoppingXgboost b) {
    XGBoostClassifier x = a.xgboost();
    XGBoostClassifier y = b.xgboost();
    return x.getSeed() == y.getSeed()
        && x.getFeaturesCol().equals(y.getFeaturesCol())
        && x.getLabelCol().equals(y.getLabelCol());
  }

  /**
   * Whether these candidates can be searched here: XGBoost, the metric areaUnderROC without
   * weights, and a matrix within {@link #MAX_VALUES}.
   */
  static boolean eligible(
      Search.Space space, List<ParamMap> candidates, Evaluator eval, long rows, int features) {
    if (!(space.estimator() instanceof EarlyStoppingXgboost x)) {
      return false;
    }
    if (!(eval instanceof BinaryClassificationEvaluator b)
        || !"areaUnderROC".equals(b.getMetricName())
        || b.isSet(b.weightCol())) {
      return false;
    }
    return rows * (long) Math.max(1, features) <= MAX_VALUES;
  }

  /**
   * Cross-validates every candidate on {@code data} (label, weight, features and fold columns of
   * the search).
   */
  static Result crossValidate(
      Dataset<Row> data,
      int folds,
      EarlyStoppingXgboost estimator,
      List<ParamMap> candidates,
      int threads,
      long count,
      int width) {
    return crossValidate(
            data, folds, List.of(new Unit(estimator, candidates)), threads, count, width)
        .get(0);
  }

  /**
   * Cross-validates every unit's candidates in one task: the rows are read, and XGBoost's matrix of
   * them built with its quantized index, once for all of them and for their refits. The units must
   * {@link #canShare}; one result per unit, in their order, each what {@link
   * #crossValidate(Dataset, int, EarlyStoppingXgboost, List, int, long, int) the unit alone} gives.
   */
  static List<Result> crossValidate(
      Dataset<Row> data, int folds, List<Unit> units, int threads, long count, int width) {
    List<Plan> plans = new ArrayList<>();
    for (Unit u : units) {
      if (!canShare(units.get(0).estimator(), u.estimator())) {
        throw new IllegalArgumentException("XGBoost searches that hold out different rows");
      }
      plans.add(plan(data, u, threads));
    }
    EarlyStoppingXgboost first = units.get(0).estimator();
    XGBoostClassifier x = first.xgboost();
    long seed = x.getSeed();
    // the rows early stopping holds out, as EarlyStoppingXgboost picks them in each fit
    JavaRDD<InternalRow> one =
        NativeXgboost.Rows.internal(
            data.select(
                col(Algorithms.LABEL).cast("double"),
                col(Algorithms.WEIGHT).cast("double"),
                col(Algorithms.FEATURES),
                col(Search.FOLD),
                EarlyStoppingXgboost.heldOut(data, seed, x.getFeaturesCol(), x.getLabelCol())
                    .as("_stop")));
    // bounded: one result (candidates × folds numbers per unit) from the one task
    List<List<Result>> out =
        one.mapPartitions(
                (Iterator<InternalRow> rows) ->
                    List.of(run(rows, count, width, folds, plans)).iterator())
            .collect();
    return out.get(0);
  }

  private static Plan plan(Dataset<Row> data, Unit unit, int threads) {
    List<ParamMap> candidates = unit.candidates();
    int n = candidates.size();
    int[] rounds = new int[n];
    record Group(Map<String, Object> params, int patience, int candidate, boolean perSplit) {}
    Map<Group, List<Integer>> groups = new LinkedHashMap<>();
    EarlyStoppingXgboost forRows = unit.estimator().forRows(data);
    for (int c = 0; c < n; c++) {
      boolean perSplit = unit.estimator().copy(candidates.get(c)).forestPerSplit();
      XGBoostClassifier x = forRows.copy(candidates.get(c)).xgboost();
      rounds[c] = x.getNumRound();
      Map<String, Object> p =
          new HashMap<>(scala.jdk.javaapi.CollectionConverters.asJava(x.getXGBoostParams()));
      p.putIfAbsent("objective", "binary:logistic");
      p.put("nthread", threads);
      int patience = Math.max(0, x.getNumEarlyStoppingRounds());
      groups
          .computeIfAbsent(
              new Group(p, patience, patience > 0 ? c : -1, perSplit), k -> new ArrayList<>())
          .add(c);
    }
    return new Plan(
        n,
        rounds,
        groups.keySet().stream().map(Group::params).toList(),
        groups.keySet().stream().mapToInt(Group::patience).toArray(),
        perSplit(groups.keySet().stream().map(Group::perSplit).toList()),
        groups.values().stream()
            .map(l -> l.stream().mapToInt(Integer::intValue).toArray())
            .toList());
  }

  private static boolean[] perSplit(List<Boolean> flags) {
    boolean[] out = new boolean[flags.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = flags.get(i);
    }
    return out;
  }

  /** The task: the matrix, then every fold and, per fold, every unit's groups of candidates. */
  private static List<Result> run(
      Iterator<InternalRow> rows, long count, int width, int folds, List<Plan> plans)
      throws XGBoostError {
    long start = System.nanoTime();
    NativeXgboost.Rows read = NativeXgboost.Rows.read(rows, 0, 1, 2, 3, 4, count, width);
    if (read == null) {
      throw new IllegalStateException("more than " + MAX_VALUES + " values for one matrix");
    }
    int units = plans.size();
    double[][][] metrics = new double[units][][];
    double[][] seconds = new double[units][];
    for (int u = 0; u < units; u++) {
      metrics[u] = new double[plans.get(u).n()][folds];
      seconds[u] = new double[plans.get(u).n()];
    }
    int m = read.labels.length;
    if (m == 0) {
      read.release();
      List<Result> none = new ArrayList<>();
      for (int u = 0; u < units; u++) {
        for (double[] row : metrics[u]) {
          Arrays.fill(row, Double.NaN);
        }
        none.add(
            new Result(
                metrics[u],
                seconds[u],
                0,
                0,
                null,
                Double.NaN,
                new Phases(u == 0 ? (System.nanoTime() - start) / 1e9 : 0, 0, 0, 0, 0, u > 0)));
      }
      return none;
    }
    // a forest's features per split from the columns that vary in these rows, which the
    // matrices weigh (NativeXgboost#forestPerSplit)
    List<List<Map<String, Object>>> used = new ArrayList<>();
    for (Plan plan : plans) {
      List<Map<String, Object>> params = new ArrayList<>();
      for (int g = 0; g < plan.params().size(); g++) {
        params.add(
            plan.forestPerSplit()[g]
                ? NativeXgboost.forestPerSplit(plan.params().get(g), read)
                : plan.params().get(g));
      }
      used.add(params);
    }
    long built = System.nanoTime();
    float[] y = read.labels;
    int[] fold = read.folds;
    int[] boosters = new int[units];
    long[] boosting = new long[units];
    long[] scoring = new long[units];
    // One matrix of all the rows for every fold's fits and every refit: a fold's held-out rows
    // weigh 0 in its fits, so they add nothing to the gradients, the hessians or the
    // intercept, and are predicted from the same matrix. At 10M rows building a matrix of each
    // fold's rows (copying them, then XGBoost's single-threaded conversion and its quantized
    // index) was 13 s of a 52 s task, and the index another 3 s per fold.
    DMatrix all = null;
    try {
      all = read.matrix();
      // XGBoost's quantized index of the rows, cached in the matrix, is built on the first fit:
      // built here with the rows' own weights, so the refits bin the rows as the estimator's fit
      // on all of them does, and every fold's fit uses the same bins (LightGBM's cv shares them
      // the same way). A grid that varies max_bin rebuilds it, under a fold's weights; the refits
      // then get a matrix of their own.
      boolean oneIndex = indexOnce(all, plans);
      long indexed = System.nanoTime();
      for (int k = 0; k < folds; k++) {
        final int f = k;
        int[] held = IntStream.range(0, m).filter(i -> fold[i] == f).toArray();
        if (held.length == 0 || held.length == m) {
          for (double[][] unit : metrics) {
            for (double[] row : unit) {
              row[k] = Double.NaN; // a fold without rows has no AUC, as in MLlib
            }
          }
          continue;
        }
        float[] weights = read.weights.clone();
        float[] truth = new float[held.length];
        for (int i = 0; i < held.length; i++) {
          weights[held[i]] = 0f;
          truth[i] = y[held[i]];
        }
        all.setWeight(weights);
        int[] fit = null; // the fold's training rows, for early stopping's own matrices only
        for (int u = 0; u < units; u++) {
          Plan plan = plans.get(u);
          for (int g = 0; g < plan.params().size(); g++) {
            int[] group = plan.members().get(g);
            int most = Arrays.stream(group).map(c -> plan.rounds()[c]).max().orElseThrow();
            int patience = plan.patience()[g];
            long t0 = System.nanoTime();
            // with early stopping, the fit's rows less a tenth find the round count (on matrices
            // of those rows, as the estimator's fit does), then all of them get that many
            if (patience > 0 && fit == null) {
              fit = IntStream.range(0, m).filter(i -> fold[i] != f).toArray();
            }
            int stopped =
                patience > 0
                    ? NativeXgboost.stoppedAt(read, fit, used.get(u).get(g), most, patience)
                    : 0;
            Booster b =
                XGBoost.train(
                    all,
                    used.get(u).get(g),
                    patience > 0 ? stopped : most,
                    new HashMap<>(),
                    null,
                    null);
            boosters[u] += patience > 0 ? 2 : 1;
            boosting[u] += System.nanoTime() - t0;
            try {
              for (int c : group) {
                long t1 = System.nanoTime();
                float[][] p = b.predict(all, false, patience > 0 ? stopped : plan.rounds()[c]);
                float[] scores = new float[held.length];
                for (int i = 0; i < held.length; i++) {
                  scores[i] = p[held[i]][0];
                }
                metrics[u][c][k] = auc(truth, scores);
                long t2 = System.nanoTime();
                seconds[u][c] += (t2 - t1) / 1e9;
                scoring[u] += t2 - t1;
              }
            } finally {
              b.dispose();
            }
            double shared = (System.nanoTime() - t0) / 1e9;
            for (int c : group) {
              seconds[u][c] += shared / group.length;
            }
          }
        }
      }
      // each unit's pick (Search#record), then its refit: the rows, order, weights and
      // early-stopping flags EarlyStoppingXgboost's fit would read, so the same model
      all.setWeight(read.weights);
      long folded = System.nanoTime();
      List<Result> out = new ArrayList<>();
      DMatrix refits = oneIndex ? all : read.matrix();
      try {
        for (int u = 0; u < units; u++) {
          Plan plan = plans.get(u);
          int best = 0;
          double[] mean = new double[plan.n()];
          for (int c = 0; c < plan.n(); c++) {
            mean[c] = Arrays.stream(metrics[u][c]).average().orElse(Double.NaN);
            if (mean[c] > mean[best]) {
              best = c;
            }
          }
          int g = 0;
          while (!contains(plan.members().get(g), best)) {
            g++;
          }
          byte[] refit =
              NativeXgboost.trainAll(
                  refits, read, used.get(u).get(g), plan.rounds()[best], plan.patience()[g]);
          long refitted = System.nanoTime();
          out.add(
              new Result(
                  metrics[u],
                  seconds[u],
                  boosters[u],
                  best,
                  refit,
                  plan.forestPerSplit()[g]
                      ? ((Number) used.get(u).get(g).get("colsample_bynode")).doubleValue()
                      : Double.NaN,
                  new Phases(
                      u == 0 ? (built - start) / 1e9 : 0,
                      u == 0 ? (indexed - built) / 1e9 : 0,
                      boosting[u] / 1e9,
                      scoring[u] / 1e9,
                      (refitted - folded) / 1e9,
                      u > 0)));
          folded = refitted;
        }
      } finally {
        if (refits != all) {
          refits.dispose();
        }
      }
      return out;
    } finally {
      if (all != null) {
        all.dispose();
      }
      read.release();
    }
  }

  /**
   * Builds {@code all}'s quantized index with the rows' own weights (one round of one stump); true
   * when every candidate bins the rows alike (one {@code max_bin}), so that no fit rebuilds it.
   */
  private static boolean indexOnce(DMatrix all, List<Plan> plans) throws XGBoostError {
    java.util.Set<Object> bins = new java.util.HashSet<>();
    for (Plan plan : plans) {
      for (Map<String, Object> p : plan.params()) {
        bins.add(String.valueOf(p.getOrDefault("max_bin", "")));
      }
    }
    Map<String, Object> stump = new HashMap<>(plans.get(0).params().get(0));
    stump.put("max_depth", 1);
    stump.put("num_parallel_tree", 1);
    stump.put("subsample", 1.0);
    XGBoost.train(all, stump, 1, new HashMap<>(), null, null).dispose();
    return bins.size() == 1;
  }

  private static boolean contains(int[] a, int v) {
    return Arrays.stream(a).anyMatch(x -> x == v);
  }

  /**
   * Exact area under the ROC curve of the positive class's scores (label 1), ties counted half:
   * what MLlib's {@code BinaryClassificationMetrics} computes when it does not bin. NaN with one
   * class.
   */
  static double auc(float[] truth, float[] scores) {
    int n = truth.length;
    // rows ordered by score in one primitive sort (a boxed comparator sort of 200,000 indexes per
    // fold was a visible part of the search): each key is the score's bits, made to order as the
    // floats do, above the row's index
    long[] keyed = new long[n];
    double positives = 0;
    for (int i = 0; i < n; i++) {
      // -0.0 is the score 0.0, as in MLlib's metrics (their bits differ)
      int bits = Float.floatToIntBits(scores[i] == 0f ? 0f : scores[i]);
      bits ^= (bits >> 31) & 0x7fffffff;
      keyed[i] = ((long) bits << 32) | i;
      positives += truth[i] == 1f ? 1 : 0;
    }
    double negatives = n - positives;
    if (positives == 0 || negatives == 0) {
      return Double.NaN;
    }
    Arrays.sort(keyed);
    double area = 0;
    double tp = 0;
    int i = n - 1; // highest score first
    while (i >= 0) {
      long score = keyed[i] >> 32;
      double dtp = 0;
      double dfp = 0;
      while (i >= 0 && keyed[i] >> 32 == score) {
        if (truth[(int) keyed[i]] == 1f) {
          dtp++;
        } else {
          dfp++;
        }
        i--;
      }
      area += dfp * (tp + dtp / 2);
      tp += dtp;
    }
    return area / (positives * negatives);
  }
}
