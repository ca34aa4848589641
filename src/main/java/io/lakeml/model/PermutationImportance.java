package io.lakeml.model;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.classification.ClassificationModel;
import org.apache.spark.ml.classification.ProbabilisticClassificationModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructField;

/**
 * Permutation importance of any classifier (Breiman; scikit-learn's {@code
 * permutation_importance}): how much the model's score on held-out rows drops when one input
 * column's values are shuffled among the rows, breaking its link with the label while keeping its
 * distribution. A one-hot column moves as one block, so the importance is per column of the
 * dataset, not per slot. The score is AUC for a binary label and accuracy for a multiclass one,
 * computed on the driver over a bounded sample of the validation split with the model's own
 * single-row prediction, so the cost does not grow with the data: at most {@link #MAX_ROWS} rows
 * and {@link #BUDGET} row predictions in all.
 */
public final class PermutationImportance {
  /** Most validation rows scored. */
  static final int MAX_ROWS = 2_000;

  /**
   * Most single-row predictions over all columns and repeats (rows are fewer when columns are
   * many).
   */
  static final long BUDGET = 300_000;

  /** Fewest rows the estimate is made on. */
  static final int MIN_ROWS = 100;

  /** Shuffles per column; the importance is their mean drop. */
  static final int REPEATS = 3;

  /** Most columns measured when a native importance ranks them (the registry keeps that many). */
  static final int MAX_COLUMNS = ModelDiagnostics.MAX_FEATURES;

  /**
   * The mean drop in {@code metric} per input column (largest first), on {@code rows} validation
   * rows.
   */
  public record Result(String metric, int rows, List<Row> byColumn) {}

  private PermutationImportance() {}

  /**
   * Measures the columns of {@code validation}'s feature vector (slots grouped by input column as
   * prepare names them). When there are more than {@link #MAX_COLUMNS} columns and {@code ranking}
   * (a native importance per column) is given, only its top columns are measured; otherwise every
   * column is, on fewer rows. Returns null when the model cannot predict one row at a time or the
   * split holds too few rows of both kinds to score.
   */
  public static Result measure(
      Model<?> model,
      Dataset<Row> validation,
      StructField features,
      boolean binary,
      List<Row> ranking,
      long seed) {
    if (!(model instanceof ClassificationModel<?, ?> classifier)) {
      return null;
    }
    // slots of each input column, in vector order (the model knows the vector's size: no Spark job)
    int size = classifier.numFeatures();
    List<String> names = ModelDiagnostics.names(features, size);
    Map<String, List<Integer>> slots = new LinkedHashMap<>();
    for (int i = 0; i < size; i++) {
      slots.computeIfAbsent(ModelDiagnostics.column(names.get(i)), k -> new ArrayList<>()).add(i);
    }
    List<String> columns = new ArrayList<>(slots.keySet());
    if (columns.size() > MAX_COLUMNS && ranking != null && !ranking.isEmpty()) {
      columns =
          ranking.stream()
              .map(r -> r.getString(0))
              .filter(slots::containsKey)
              .limit(MAX_COLUMNS)
              .toList();
    }
    int rowsWanted =
        (int)
            Math.max(MIN_ROWS, Math.min(MAX_ROWS, BUDGET / ((long) REPEATS * columns.size() + 1)));
    // bounded: at most MAX_ROWS rows of (label, features) for single-row scoring on the driver
    List<Row> sample =
        validation
            .select(col(Algorithms.LABEL), col(Algorithms.FEATURES))
            .limit(rowsWanted)
            .collectAsList();
    int n = sample.size();
    double[] labels = new double[n];
    double[][] x = new double[n][];
    for (int i = 0; i < n; i++) {
      labels[i] = ((Number) sample.get(i).get(0)).doubleValue();
      x[i] = ((Vector) sample.get(i).get(1)).toArray();
    }
    if (n < 2
        || binary
            && (Arrays.stream(labels).allMatch(l -> l == 1.0)
                || Arrays.stream(labels).noneMatch(l -> l == 1.0))) {
      return null;
    }
    @SuppressWarnings("unchecked")
    ClassificationModel<Vector, ?> m = (ClassificationModel<Vector, ?>) classifier;
    double base = score(m, x, labels, binary);
    List<Row> out = new ArrayList<>();
    double[][] shuffled = new double[n][];
    for (int c = 0; c < columns.size(); c++) {
      List<Integer> block = slots.get(columns.get(c));
      double drop = 0;
      for (int r = 0; r < REPEATS; r++) {
        int[] perm = permutation(n, new Random(seed + 1_000_003L * c + r));
        for (int i = 0; i < n; i++) {
          double[] row = x[i].clone();
          for (int s : block) {
            row[s] = x[perm[i]][s];
          }
          shuffled[i] = row;
        }
        drop += base - score(m, shuffled, labels, binary);
      }
      out.add(RowFactory.create(columns.get(c), drop / REPEATS));
    }
    out.sort(Comparator.comparingDouble((Row r) -> -r.getDouble(1)));
    return new Result(
        binary ? "areaUnderROC" : "accuracy", n, out.subList(0, Math.min(MAX_COLUMNS, out.size())));
  }

  private static int[] permutation(int n, Random random) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) { // Fisher–Yates
      int j = random.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /** AUC of the positive class's score (binary) or accuracy of the predicted class (multiclass). */
  static double score(
      ClassificationModel<Vector, ?> m, double[][] x, double[] labels, boolean binary) {
    int n = x.length;
    if (m instanceof BatchPredictor batch) {
      double[][] p = batch.probabilities(x);
      if (binary) {
        return auc(Arrays.stream(p).mapToDouble(row -> row[1]).toArray(), labels);
      }
      int right = 0;
      for (int i = 0; i < n; i++) {
        right += argmax(p[i]) == labels[i] ? 1 : 0;
      }
      return right / (double) n;
    }
    if (!binary) {
      int right = 0;
      for (int i = 0; i < n; i++) {
        right += m.predict(Vectors.dense(x[i])) == labels[i] ? 1 : 0;
      }
      return right / (double) n;
    }
    double[] s = new double[n];
    for (int i = 0; i < n; i++) {
      Vector v = Vectors.dense(x[i]);
      s[i] =
          m instanceof ProbabilisticClassificationModel<Vector, ?> p
              ? p.predictProbability(v).apply(1)
              : m.predictRaw(v).apply(1);
    }
    return auc(s, labels);
  }

  /** Index of the largest value (the first of ties, as MLlib's prediction from probabilities). */
  private static int argmax(double[] p) {
    int best = 0;
    for (int k = 1; k < p.length; k++) {
      if (p[k] > p[best]) {
        best = k;
      }
    }
    return best;
  }

  /** Area under the ROC curve by ranks (Mann–Whitney U), ties counted half. */
  static double auc(double[] scores, double[] labels) {
    int n = scores.length;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingDouble(i -> scores[i]));
    double rankSumPositive = 0;
    long positives = 0;
    int i = 0;
    while (i < n) {
      int j = i;
      while (j + 1 < n && scores[order[j + 1]] == scores[order[i]]) {
        j++;
      }
      double midRank = (i + j) / 2.0 + 1; // ranks are 1-based
      for (int k = i; k <= j; k++) {
        if (labels[order[k]] == 1.0) {
          rankSumPositive += midRank;
          positives++;
        }
      }
      i = j + 1;
    }
    long negatives = n - positives;
    return (rankSumPositive - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
  }
}
