package io.lakeml.tune;

import io.lakeml.model.Algorithms;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.evaluation.Evaluator;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * Cross-validation of a logistic-regression grid in shared passes over the rows, instead of one
 * MLlib fit per candidate and fold. MLlib's {@code CrossValidator} fits every candidate on every
 * fold separately, and each fit makes its own passes: a feature summary, stacking rows into blocks,
 * one Spark job per L-BFGS step, and a sort to evaluate (80% of a fit's time at 1M rows, measured
 * in docs/benchmarks). Here all candidates × folds are optimized at once: one pass gives every
 * fold's feature statistics, each pass after that evaluates the loss and gradient of every
 * optimizer that is still running (each row counts for the folds it trains in), and one last pass
 * scores every candidate on its held-out fold for an exact AUC.
 *
 * <p>The objective is MLlib's for binary logistic regression with L2 regularization and
 * standardization: weighted mean log-loss plus {@code regParam / 2 · ‖β‖²} on the coefficients of
 * the standardized features (unbiased weighted standard deviation, as MLlib's summarizer computes
 * it), intercept fitted and not penalized, minimized by L-BFGS with MLlib's history (10), {@code
 * tol}, {@code maxIter} and stopping rules ({@link Lbfgs}), started where MLlib starts (zero
 * coefficients, the intercept at the training rows' log odds). Each pass serves every optimizer
 * still running.
 *
 * <p>The winner is not taken from here: the caller refits it with MLlib's own estimator, so the
 * model that is saved, scored and served is MLlib's.
 */
final class SharedPassLogistic {
  /** MLlib's L-BFGS history length for logistic regression. */
  private static final int HISTORY = 10;

  /**
   * Per candidate: the AUC on each held-out fold ({@code foldMetrics[candidate][fold]}) and the
   * L-BFGS iterations summed over folds; per fold and candidate the fitted coefficients on the raw
   * features with the intercept last; and how many loss passes ran.
   */
  record Result(double[][] foldMetrics, int[] iterations, double[][][] coefficients, int passes) {}

  /** Told after each shared pass: how many optimizers it served. */
  interface PassListener {
    void passed(int pass, int optimizers);
  }

  private SharedPassLogistic() {}

  /**
   * Whether these candidates can be cross-validated here: every one a binary logistic regression
   * with only L2 regularization (elasticNetParam 0), an intercept, standardization and no bounds,
   * and the metric areaUnderROC without weights (what MLlib's evaluator computes in the search; a
   * binary metric implies a binary label, checked when the configuration is read).
   */
  static boolean eligible(Search.Space space, List<ParamMap> candidates, Evaluator eval) {
    if (!(space.estimator() instanceof LogisticRegression lr)) {
      return false;
    }
    if (!(eval instanceof BinaryClassificationEvaluator b)
        || !"areaUnderROC".equals(b.getMetricName())
        || b.isSet(b.weightCol())) {
      return false;
    }
    for (ParamMap m : candidates) {
      LogisticRegression c = lr.copy(m);
      if (c.getElasticNetParam() != 0.0
          || !c.getFitIntercept()
          || !c.getStandardization()
          || "multinomial".equals(c.getFamily())
          || c.isSet(c.lowerBoundsOnCoefficients())
          || c.isSet(c.upperBoundsOnCoefficients())
          || c.isSet(c.lowerBoundsOnIntercepts())
          || c.isSet(c.upperBoundsOnIntercepts())) {
        return false;
      }
    }
    return true;
  }

  /**
   * Cross-validates the candidates on {@code data} (label 0/1, weight, features and the fold column
   * {@link Search#FOLD} in [0, folds)).
   */
  static Result crossValidate(
      Dataset<Row> data,
      int folds,
      LogisticRegression estimator,
      List<ParamMap> candidates,
      PassListener listener) {
    return crossValidate(data, folds, estimator, candidates, listener, Block.ROWS);
  }

  /** As above, with at most {@code blockRows} rows per block (tests use small blocks). */
  static Result crossValidate(
      Dataset<Row> data,
      int folds,
      LogisticRegression estimator,
      List<ParamMap> candidates,
      PassListener listener,
      int blockRows) {
    JavaRDD<Block> blocks =
        data.select(Algorithms.LABEL, Algorithms.WEIGHT, Algorithms.FEATURES, Search.FOLD)
            .toJavaRDD()
            .mapPartitions(rows -> Block.split(rows, blockRows))
            .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      FoldStats stats = FoldStats.of(blocks, folds);
      int c = candidates.size();
      LogisticRegression[] settings = new LogisticRegression[c];
      for (int j = 0; j < c; j++) {
        settings[j] = estimator.copy(candidates.get(j));
      }
      // one optimizer per (fold, candidate); every pass evaluates all that are still running
      Lbfgs[] optimizers = new Lbfgs[folds * c];
      for (int f = 0; f < folds; f++) {
        // MLlib starts from zero coefficients and the intercept at the log odds of the training
        // rows
        double logOdds = Math.log(stats.positives[f] / (stats.weight[f] - stats.positives[f]));
        for (int j = 0; j < c; j++) {
          double[] start = new double[stats.d + 1];
          start[stats.d] =
              Double.isFinite(logOdds)
                  ? logOdds
                  : 0; // a fold trained on one class only: MLlib's AUC is NaN too
          optimizers[f * c + j] =
              new Lbfgs(start, HISTORY, settings[j].getMaxIter(), settings[j].getTol());
        }
      }
      int passes = 0;
      while (true) {
        int[] running =
            java.util.stream.IntStream.range(0, optimizers.length)
                .filter(k -> !optimizers[k].done())
                .toArray();
        if (running.length == 0) {
          break;
        }
        int[] fold = new int[running.length];
        double[][] thetas = new double[running.length][];
        for (int q = 0; q < running.length; q++) {
          fold[q] = running[q] / c;
          thetas[q] = optimizers[running[q]].point();
        }
        double[][] sums = pass(blocks, stats, fold, thetas);
        for (int q = 0; q < running.length; q++) {
          double[] grad = new double[stats.d + 1];
          double loss =
              objective(
                  stats, fold[q], settings[running[q] % c].getRegParam(), thetas[q], sums[q], grad);
          optimizers[running[q]].tell(loss, grad);
        }
        listener.passed(++passes, running.length);
      }
      double[][][] raw = new double[folds][c][];
      int[] iterations = new int[c];
      for (int f = 0; f < folds; f++) {
        for (int j = 0; j < c; j++) {
          raw[f][j] = stats.onRawFeatures(f, optimizers[f * c + j].solution());
          iterations[j] += optimizers[f * c + j].iterations();
        }
      }
      return new Result(auc(data.sparkSession(), blocks, raw, folds, c), iterations, raw, passes);
    } finally {
      blocks.unpersist(false);
    }
  }

  /**
   * Exact area under the ROC curve of every candidate on every held-out fold, as MLlib's evaluator
   * defines it (unweighted; tied scores count half): one pass scores the rows, and one shuffle
   * brings each (fold, candidate)'s counts of positives and negatives per distinct score together,
   * sorted, where a running sum gives the negatives ranked below. (Scores are never NaN: the
   * coefficients are finite, or the optimizer would have stopped on the line search.)
   */
  private static double[][] auc(
      SparkSession spark, JavaRDD<Block> blocks, double[][][] raw, int folds, int c) {
    // each block sorts its own scores per (fold, candidate) and sends one row per distinct score
    // with its positive and negative counts: far fewer rows to shuffle when scores repeat (equal
    // feature vectors), and never more than one per row
    JavaRDD<Row> scores = blocks.flatMap(b -> new ScoreCounts(b, raw, folds, c));
    StructType schema =
        new StructType()
            .add("f", DataTypes.IntegerType)
            .add("c", DataTypes.IntegerType)
            .add("m", DataTypes.DoubleType)
            .add("pos", DataTypes.LongType)
            .add("neg", DataTypes.LongType);
    StructType areaSchema =
        new StructType()
            .add("f", DataTypes.IntegerType)
            .add("c", DataTypes.IntegerType)
            .add("u", DataTypes.DoubleType)
            .add("p", DataTypes.LongType)
            .add("n", DataTypes.LongType);
    // one shuffle: each (fold, candidate) lands whole in one partition, sorted by score, and one
    // scan
    // merges equal scores and keeps the running count of negatives below. An aggregation and a
    // window
    // shuffled every row twice: 3.6 s against 1.9 s at 1M rows in a fresh JVM (docs/benchmarks)
    List<Row> areas =
        spark
            .createDataFrame(scores, schema)
            .repartition(
                org.apache.spark.sql.functions.col("f"), org.apache.spark.sql.functions.col("c"))
            .sortWithinPartitions("f", "c", "m")
            .mapPartitions(
                (org.apache.spark.api.java.function.MapPartitionsFunction<Row, Row>)
                    SharedPassLogistic::areas,
                org.apache.spark.sql.Encoders.row(areaSchema))
            // bounded: one row per (fold, candidate)
            .collectAsList();
    double[][] out = new double[c][folds];
    for (double[] row : out) {
      java.util.Arrays.fill(row, Double.NaN); // a fold without rows has no AUC
    }
    for (Row r : areas) {
      double p = ((Number) r.getAs("p")).doubleValue();
      double n = ((Number) r.getAs("n")).doubleValue();
      out[r.<Integer>getAs("c")][r.<Integer>getAs("f")] =
          p == 0 || n == 0 ? Double.NaN : ((Number) r.getAs("u")).doubleValue() / (p * n);
    }
    return out;
  }

  /**
   * Mann-Whitney U of each (fold, candidate) in one partition of score counts sorted by (fold,
   * candidate, score): the positives at each distinct score times the negatives below it, ties
   * counting half; one row (f, c, u, positives, negatives) per group.
   */
  private static Iterator<Row> areas(Iterator<Row> sorted) {
    List<Row> out = new ArrayList<>();
    int f = -1;
    int c = -1;
    double m = Double.NaN;
    long pos = 0; // at the current score
    long neg = 0;
    long below = 0; // negatives at lower scores of the current group
    long p = 0;
    double u = 0;
    while (true) {
      Row r = sorted.hasNext() ? sorted.next() : null;
      boolean sameGroup = r != null && r.getInt(0) == f && r.getInt(1) == c;
      if (f >= 0 && !(sameGroup && r.getDouble(2) == m)) { // the current score is complete
        u += pos * (below + 0.5 * neg);
        p += pos;
        below += neg;
        pos = 0;
        neg = 0;
      }
      if (f >= 0 && !sameGroup) {
        out.add(RowFactory.create(f, c, u, p, below));
        u = 0;
        p = 0;
        below = 0;
      }
      if (r == null) {
        return out.iterator();
      }
      f = r.getInt(0);
      c = r.getInt(1);
      m = r.getDouble(2);
      pos += r.getLong(3);
      neg += r.getLong(4);
    }
  }

  /**
   * One partition's rows in flat arrays, features as compressed rows (non-zero values only), filled
   * straight from the row iterator so no list of rows is held.
   */
  /**
   * One block's rows per (fold, candidate, distinct score) with their positive and negative counts,
   * made one candidate at a time as Spark pulls them: the block's held-out scores of one candidate
   * are sorted per fold, and equal scores merge into one row (never more rows than the block has).
   * Made lazily because a list of every candidate's rows was tens of MB per task at 10M rows, on
   * the heap but outside Spark's memory accounting, while the shuffle's pages took the rest.
   */
  private static final class ScoreCounts implements Iterator<Row> {
    private final Block b;
    private final double[][][] raw;
    private final int folds;
    private final int c;
    private final int d;
    private final int[][] count;
    private int j = -1;
    private int f;
    private double[][] positive;
    private double[][] negative;
    private int x;
    private int z;

    ScoreCounts(Block b, double[][][] raw, int folds, int c) {
      this.b = b;
      this.raw = raw;
      this.folds = folds;
      this.c = c;
      this.d = raw[0][0].length - 1;
      this.count = new int[folds][2];
      for (int i = 0; i < b.n; i++) {
        count[b.fold[i]][b.y[i] > 0.5 ? 1 : 0]++;
      }
      this.f = folds; // no candidate scored yet
    }

    @Override
    public boolean hasNext() {
      while (true) {
        if (f < folds && (x < positive[f].length || z < negative[f].length)) {
          return true;
        }
        if (f < folds) {
          f++;
          x = 0;
          z = 0;
        } else if (j + 1 < c) {
          score(++j);
          f = 0;
          x = 0;
          z = 0;
        } else {
          positive = null;
          negative = null;
          return false;
        }
      }
    }

    /** The block's scores under candidate {@code j}, sorted per fold and label. */
    private void score(int j) {
      positive = new double[folds][];
      negative = new double[folds][];
      int[][] filled = new int[folds][2];
      for (int k = 0; k < folds; k++) {
        positive[k] = new double[count[k][1]];
        negative[k] = new double[count[k][0]];
      }
      for (int i = 0; i < b.n; i++) {
        int k = b.fold[i];
        double m = raw[k][j][d] + b.dot(i, raw[k][j]);
        if (b.y[i] > 0.5) {
          positive[k][filled[k][1]++] = m;
        } else {
          negative[k][filled[k][0]++] = m;
        }
      }
      for (int k = 0; k < folds; k++) {
        java.util.Arrays.sort(positive[k]);
        java.util.Arrays.sort(negative[k]);
      }
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new java.util.NoSuchElementException();
      }
      double[] p = positive[f];
      double[] q = negative[f];
      double m = x == p.length ? q[z] : z == q.length ? p[x] : Math.min(p[x], q[z]);
      long pos = 0;
      long neg = 0;
      while (x < p.length && p[x] == m) {
        x++;
        pos++;
      }
      while (z < q.length && q[z] == m) {
        z++;
        neg++;
      }
      return RowFactory.create(f, j, m, pos, neg);
    }
  }

  static final class Block implements Serializable {
    /**
     * Rows per block. Small enough that building one never needs much memory at once and that the
     * cache can keep some blocks in memory and spill others to disk (one block per partition ran a
     * 2 GB driver out of heap at 10M rows); large enough that a pass is a loop over arrays.
     */
    static final int ROWS = 1 << 16;

    final int n;
    final int d;
    final double[] y;
    final double[] w;
    final int[] fold;
    final int[] start;
    final int[] index;
    final double[] value;

    private Block(
        int n,
        int d,
        double[] y,
        double[] w,
        int[] fold,
        int[] start,
        int[] index,
        double[] value) {
      this.n = n;
      this.d = d;
      this.y = y;
      this.w = w;
      this.fold = fold;
      this.start = start;
      this.index = index;
      this.value = value;
    }

    /** A partition's rows as blocks of at most {@code max} rows, made as they are read. */
    static Iterator<Block> split(Iterator<Row> rows, int max) {
      return new Iterator<>() {
        @Override
        public boolean hasNext() {
          return rows.hasNext();
        }

        @Override
        public Block next() {
          return of(rows, max);
        }
      };
    }

    /** The next (at most {@code max}) rows. */
    static Block of(Iterator<Row> rows, int max) {
      double[] y = new double[1024];
      double[] w = new double[1024];
      int[] fold = new int[1024];
      int[] start = new int[1025];
      int[] index = new int[4096];
      double[] value = new double[4096];
      int n = 0;
      int k = 0;
      int d = 0;
      while (n < max && rows.hasNext()) {
        Row r = rows.next();
        if (n == y.length) {
          y = java.util.Arrays.copyOf(y, 2 * n);
          w = java.util.Arrays.copyOf(w, 2 * n);
          fold = java.util.Arrays.copyOf(fold, 2 * n);
          start = java.util.Arrays.copyOf(start, 2 * n + 1);
        }
        y[n] = ((Number) r.get(0)).doubleValue();
        w[n] = r.isNullAt(1) ? 1.0 : ((Number) r.get(1)).doubleValue();
        fold[n] = r.getInt(3);
        Vector v = (Vector) r.get(2);
        d = v.size();
        if (k + v.numActives() > index.length) {
          int grown = Math.max(2 * index.length, k + v.numActives());
          index = java.util.Arrays.copyOf(index, grown);
          value = java.util.Arrays.copyOf(value, grown);
        }
        start[n] = k;
        SparseVector sv = v.toSparse();
        System.arraycopy(sv.indices(), 0, index, k, sv.indices().length);
        System.arraycopy(sv.values(), 0, value, k, sv.values().length);
        k += sv.indices().length;
        n++;
      }
      start[n] = k;
      return new Block(
          n,
          d,
          java.util.Arrays.copyOf(y, n),
          java.util.Arrays.copyOf(w, n),
          java.util.Arrays.copyOf(fold, n),
          java.util.Arrays.copyOf(start, n + 1),
          java.util.Arrays.copyOf(index, k),
          java.util.Arrays.copyOf(value, k));
    }

    double dot(int i, double[] beta) {
      double s = 0;
      for (int k = start[i]; k < start[i + 1]; k++) {
        s += value[k] * beta[index[k]];
      }
      return s;
    }

    /** g[offset + j] += a · x_ij for every non-zero feature j of row i. */
    void axpy(int i, double a, double[] g, int offset) {
      for (int k = start[i]; k < start[i + 1]; k++) {
        g[offset + index[k]] += a * value[k];
      }
    }
  }

  /**
   * Per fold, the weighted statistics of that fold's training rows (all rows not in it): total
   * weight, positive weight, feature means and unbiased standard deviations.
   */
  static final class FoldStats implements Serializable {
    final int d;
    final double[] weight;
    final double[] positives;
    final double[][] mean;
    final double[][] invStd;

    private FoldStats(
        int d, double[] weight, double[] positives, double[][] mean, double[][] invStd) {
      this.d = d;
      this.weight = weight;
      this.positives = positives;
      this.mean = mean;
      this.invStd = invStd;
    }

    static FoldStats of(JavaRDD<Block> blocks, int folds) {
      int d = blocks.map(b -> b.d).reduce(Math::max);
      int width = 3 + 2 * d; // weight, weight², positive weight, Σ w·x, Σ w·x²
      double[] sums =
          blocks
              .mapPartitions(
                  it -> {
                    double[] a = new double[folds * width];
                    while (it.hasNext()) {
                      Block b = it.next();
                      for (int i = 0; i < b.n; i++) {
                        int o = b.fold[i] * width;
                        double w = b.w[i];
                        a[o] += w;
                        a[o + 1] += w * w;
                        a[o + 2] += w * b.y[i];
                        for (int k = b.start[i]; k < b.start[i + 1]; k++) {
                          a[o + 3 + b.index[k]] += w * b.value[k];
                          a[o + 3 + d + b.index[k]] += w * b.value[k] * b.value[k];
                        }
                      }
                    }
                    return List.of(a).iterator();
                  })
              // bounded: one array per partition
              .collect()
              .stream()
              .reduce(SharedPassLogistic::add)
              .orElseThrow();
      double[] weight = new double[folds];
      double[] positives = new double[folds];
      double[][] mean = new double[folds][d];
      double[][] invStd = new double[folds][d];
      for (int f = 0; f < folds; f++) {
        // the training rows of fold f: every fold but f
        double[] t = new double[width];
        for (int g = 0; g < folds; g++) {
          if (g != f) {
            for (int k = 0; k < width; k++) {
              t[k] += sums[g * width + k];
            }
          }
        }
        weight[f] = t[0];
        positives[f] = t[2];
        double denominator = t[0] - t[1] / t[0];
        for (int j = 0; j < d; j++) {
          mean[f][j] = t[3 + j] / t[0];
          double variance =
              denominator > 0
                  ? Math.max(0, (t[3 + d + j] - t[0] * mean[f][j] * mean[f][j]) / denominator)
                  : 0;
          double std = Math.sqrt(variance);
          invStd[f][j] = std > 0 ? 1 / std : 0;
        }
      }
      return new FoldStats(d, weight, positives, mean, invStd);
    }

    /**
     * A solution θ of fold f (coefficients of the standardized, centered features, intercept last)
     * as coefficients on the raw features, intercept last: β_j = θ_j / σ_j, b = θ_d − Σ β_j μ_j.
     */
    double[] onRawFeatures(int f, double[] theta) {
      double[] out = new double[d + 1];
      double b = theta[d];
      for (int j = 0; j < d; j++) {
        out[j] = theta[j] * invStd[f][j];
        b -= out[j] * mean[f][j];
      }
      out[d] = b;
      return out;
    }
  }

  /**
   * Sums partial sums; applied to a collected list, in partition order, so the same partitions give
   * the same floating-point sums on every run (a tree or fold reduce adds in task completion
   * order).
   */
  private static double[] add(double[] a, double[] b) {
    for (int i = 0; i < a.length; i++) {
      a[i] += b[i];
    }
    return a;
  }

  /**
   * MLlib's objective for one fold at θ (coefficients of the standardized, centered features,
   * intercept last), from the pass's sums over that fold's training rows: its value and gradient.
   */
  private static double objective(
      FoldStats stats, int fold, double regParam, double[] theta, double[] sums, double[] grad) {
    int d = stats.d;
    double w = stats.weight[fold];
    double loss = sums[0] / w;
    double multipliers = sums[d + 1];
    for (int j = 0; j < d; j++) {
      grad[j] =
          stats.invStd[fold][j] * (sums[1 + j] - stats.mean[fold][j] * multipliers) / w
              + regParam * theta[j];
      loss += 0.5 * regParam * theta[j] * theta[j];
    }
    grad[d] = multipliers / w;
    return loss;
  }

  /**
   * One Spark job: for each optimizer q (its fold and θ), Σ loss, Σ r·x and Σ r over its fold's
   * training rows, with r = w·(σ(m) − y) and m the row's margin.
   */
  private static double[][] pass(
      JavaRDD<Block> blocks, FoldStats stats, int[] fold, double[][] thetas) {
    int r = fold.length;
    int d = stats.d;
    double[][] model = new double[r][];
    for (int q = 0; q < r; q++) {
      model[q] = stats.onRawFeatures(fold[q], thetas[q]);
    }
    int width = d + 2;
    double[] sums =
        blocks
            .mapPartitions(
                it -> {
                  double[] a = new double[r * width];
                  while (it.hasNext()) {
                    Block b = it.next();
                    for (int i = 0; i < b.n; i++) {
                      int g = b.fold[i];
                      double y = b.y[i];
                      double w = b.w[i];
                      for (int q = 0; q < r; q++) {
                        if (fold[q] == g) {
                          continue; // row i is held out from this optimizer's fold
                        }
                        double m = model[q][d] + b.dot(i, model[q]);
                        int o = q * width;
                        // log(1 + e^m) − y·m, computed without overflow
                        a[o] +=
                            w
                                * ((m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m)))
                                    - y * m);
                        double mult = w * (1.0 / (1.0 + Math.exp(-m)) - y);
                        b.axpy(i, mult, a, o + 1);
                        a[o + 1 + d] += mult;
                      }
                    }
                  }
                  return List.of(a).iterator();
                })
            // bounded: one array per partition
            .collect()
            .stream()
            .reduce(SharedPassLogistic::add)
            .orElseThrow();
    double[][] out = new double[r][];
    for (int q = 0; q < r; q++) {
      out[q] = java.util.Arrays.copyOfRange(sums, q * width, (q + 1) * width);
    }
    return out;
  }
}
