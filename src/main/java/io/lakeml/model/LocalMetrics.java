package io.lakeml.model;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * MLlib's classification metrics computed on the driver, for scored rows few enough to fetch in one
 * Spark job. MLlib's own classes take five to nine Spark jobs per metric call (a keyed count, a
 * sampled sort, cumulative counts, one collect per curve), which on a small dataset is most of
 * their time: titanic's tune made about sixty of them. The arithmetic follows MLlib's step by step
 * (the same curve points, the same trapezoids, the same per-class sums), so the values are MLlib's
 * up to the order of floating-point additions (last digit; ModelMetricsTest compares them).
 */
public final class LocalMetrics {
  /** Scored rows fetched to the driver at most; more, and MLlib's classes compute the metrics. */
  public static final int MAX_ROWS = 100_000;

  private LocalMetrics() {}

  /**
   * Labels, predictions and the positive class's raw score (a vector's second value, or a double as
   * it is) of at most {@link #MAX_ROWS} scored rows (one Spark job), or null when there are more,
   * or a value is null or of another kind (MLlib's classes then decide what that means).
   */
  static Scored fetch(Dataset<?> scored, String label, String prediction, String raw) {
    Dataset<Row> columns =
        scored.select(
            col(label).cast("double"),
            prediction == null ? col(label).cast("double") : col(prediction).cast("double"),
            raw == null ? col(label) : col(raw));
    // bounded: MAX_ROWS + 1 rows of two doubles and a vector, to tell small from large
    List<Row> rows = columns.limit(MAX_ROWS + 1).collectAsList();
    if (rows.size() > MAX_ROWS) {
      return null;
    }
    int n = rows.size();
    double[] y = new double[n];
    double[] p = new double[n];
    double[] s = new double[n];
    for (int i = 0; i < n; i++) {
      Row r = rows.get(i);
      if (r.isNullAt(0) || r.isNullAt(1) || r.isNullAt(2)) {
        return null;
      }
      y[i] = r.getDouble(0);
      p[i] = r.getDouble(1);
      if (raw != null) {
        // MLlib's evaluator takes the positive class's raw score from a vector, or a number as it
        // is
        Object v = r.get(2);
        if (v instanceof Vector vector && vector.size() == 2) {
          s[i] = vector.apply(1);
        } else if (v instanceof Double d) {
          s[i] = d;
        } else {
          return null;
        }
      }
    }
    return new Scored(y, p, s);
  }

  /** Labels, predictions and scores of the same rows, in the same order. */
  record Scored(double[] labels, double[] predictions, double[] scores) {
    int size() {
      return labels.length;
    }
  }

  /**
   * Areas under the ROC and precision-recall curves of unbinned scores, as MLlib's {@code
   * BinaryClassificationMetrics(…, 0)}: the trapezoids between the points of {@link #points}, in
   * order. Null for no rows or a NaN score (MLlib's classes decide).
   */
  static double[] areas(double[] labels, double[] scores) {
    Curves c = points(labels, scores);
    return c == null ? null : new double[] {area(c.roc()), area(c.pr())};
  }

  private static double area(List<double[]> points) {
    double sum = 0;
    for (int i = 1; i < points.size(); i++) {
      double[] a = points.get(i - 1);
      double[] b = points.get(i);
      sum += (b[0] - a[0]) * (b[1] + a[1]) / 2.0;
    }
    return sum;
  }

  /**
   * MLlib's curves of unbinned scores, as {@code BinaryClassificationMetrics(…, bins)} gives them
   * when it does not bin (fewer than twice {@code bins} distinct scores); null when it would bin.
   */
  static Curves curves(double[] labels, double[] scores, int bins) {
    Curves c = points(labels, scores);
    // MLlib bins from two scores per bin on: its bins follow the partitions of a sampled sort
    return c == null || c.thresholds().size() / bins >= 2 ? null : c;
  }

  /**
   * The points MLlib's curves are made of: rows grouped by equal score, highest first, each group a
   * point of cumulative counts; ROC (FPR, recall) from (0, 0) to (1, 1), PR (recall, precision)
   * from (0, the first point's precision). A label above 0.5 is positive, as MLlib counts it. Null
   * for no rows or a NaN score.
   */
  private static Curves points(double[] labels, double[] scores) {
    int n = labels.length;
    if (n == 0) {
      return null;
    }
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      if (Double.isNaN(scores[i])) {
        return null;
      }
      order[i] = i;
    }
    // MLlib counts 0.0 and -0.0 as one score (measured: a positive at -0.0 and a negative at 0.0
    // give an AUC of 0.5); adding 0.0 turns -0.0 into 0.0
    Arrays.sort(order, (a, b) -> Double.compare(scores[b] + 0.0, scores[a] + 0.0));
    double totalPositives = 0;
    double totalNegatives = 0;
    for (double l : labels) {
      if (l > 0.5) {
        totalPositives++;
      } else {
        totalNegatives++;
      }
    }
    List<Double> thresholds = new ArrayList<>();
    List<double[]> roc = new ArrayList<>();
    List<double[]> pr = new ArrayList<>();
    roc.add(new double[] {0.0, 0.0});
    double positives = 0;
    double negatives = 0;
    int i = 0;
    while (i < n) {
      double score = scores[order[i]];
      while (i < n && scores[order[i]] == score) {
        if (labels[order[i]] > 0.5) {
          positives++;
        } else {
          negatives++;
        }
        i++;
      }
      double recall = totalPositives == 0 ? 0.0 : positives / totalPositives;
      double precision = positives + negatives == 0 ? 1.0 : positives / (positives + negatives);
      thresholds.add(score);
      roc.add(new double[] {totalNegatives == 0 ? 0.0 : negatives / totalNegatives, recall});
      if (pr.isEmpty()) {
        pr.add(new double[] {0.0, precision});
      }
      pr.add(new double[] {recall, precision});
    }
    roc.add(new double[] {1.0, 1.0});
    return new Curves(thresholds, roc, pr);
  }

  /** Distinct scores, highest first, and the curves' points as (x, y). */
  record Curves(List<Double> thresholds, List<double[]> roc, List<double[]> pr) {}

  /**
   * MLlib's {@code MulticlassMetrics} of unweighted rows: per class its true positives, false
   * positives and rows, then the weighted means over the classes that occur as labels.
   */
  static final class Multiclass {
    private final Map<Double, double[]> byClass = new TreeMap<>(); // tp, fp, rows
    private final double rows;

    Multiclass(double[] labels, double[] predictions) {
      for (int i = 0; i < labels.length; i++) {
        double[] label = byClass.computeIfAbsent(labels[i], k -> new double[3]);
        label[2]++;
        if (Double.compare(labels[i], predictions[i]) == 0) {
          label[0]++;
        } else {
          byClass.computeIfAbsent(predictions[i], k -> new double[3])[1]++;
        }
      }
      this.rows = labels.length;
    }

    /** Whether {@code label} occurs as a label (MLlib's recall of another is undefined). */
    boolean hasLabel(double label) {
      double[] c = byClass.get(label);
      return c != null && c[2] > 0;
    }

    double precision(double label) {
      double[] c = byClass.getOrDefault(label, new double[3]);
      return c[0] + c[1] == 0 ? 0 : c[0] / (c[0] + c[1]);
    }

    double recall(double label) {
      double[] c = byClass.get(label);
      return c[0] / c[2];
    }

    double fMeasure(double label) {
      double p = precision(label);
      double r = recall(label);
      return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    double accuracy() {
      double tp = 0;
      for (double[] c : byClass.values()) {
        tp += c[0];
      }
      return tp / rows;
    }

    double weightedPrecision() {
      return weighted(this::precision);
    }

    double weightedRecall() {
      return weighted(this::recall);
    }

    double weightedFMeasure() {
      return weighted(this::fMeasure);
    }

    /**
     * A per-class value weighted by each label's share of the rows, as MLlib's weighted metrics.
     */
    private double weighted(java.util.function.DoubleUnaryOperator perClass) {
      double sum = 0;
      for (Map.Entry<Double, double[]> e : byClass.entrySet()) {
        if (e.getValue()[2] > 0) {
          sum += perClass.applyAsDouble(e.getKey()) * e.getValue()[2] / rows;
        }
      }
      return sum;
    }
  }
}
