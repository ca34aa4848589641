package io.lakeml.model;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.evaluation.Evaluator;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.mllib.evaluation.BinaryClassificationMetrics;
import org.apache.spark.mllib.evaluation.MulticlassMetrics;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Classification metrics computed by MLlib's own evaluators, so the numbers in the registry mean
 * exactly what the cross-validation metric means.
 */
public final class ModelMetrics {
  static final List<String> BINARY = List.of("areaUnderROC", "areaUnderPR");
  static final List<String> MULTICLASS =
      List.of("f1", "accuracy", "weightedPrecision", "weightedRecall");

  private ModelMetrics() {}

  /**
   * The evaluator for a selection metric. Binary curves unbinned (numBins 0): MLlib's default bins
   * more than 1,000 distinct scores within the partitions of a sampled sort, so the same
   * predictions gave AUCs 1e-5 apart from run to run, and reproduce of a 1M-row version failed its
   * 1e-9 check.
   */
  public static Evaluator evaluator(String metric) {
    if (BINARY.contains(metric)) {
      return new BinaryClassificationEvaluator()
          .setMetricName(metric)
          .setLabelCol(Algorithms.LABEL)
          .setRawPredictionCol("rawPrediction")
          .setNumBins(0);
    }
    String byLabel = POSITIVE.get(metric);
    if (byLabel != null) {
      return new MulticlassClassificationEvaluator()
          .setMetricName(byLabel)
          .setMetricLabel(1.0)
          .setLabelCol(Algorithms.LABEL)
          .setPredictionCol("prediction");
    }
    return new MulticlassClassificationEvaluator()
        .setMetricName(metric)
        .setLabelCol(Algorithms.LABEL)
        .setPredictionCol("prediction");
  }

  /** The positive class's own metrics of a binary label, by MLlib's per-label metric names. */
  static final Map<String, String> POSITIVE =
      Map.of(
          "positiveF1", "fMeasureByLabel",
          "positivePrecision", "precisionByLabel",
          "positiveRecall", "recallByLabel");

  /**
   * Every applicable metric of scored rows (rows with label, prediction and rawPrediction). One
   * {@code getMetrics} per evaluator, as {@code evaluate} itself does, so the values are the
   * evaluators' to the last digit; but one sort for both binary metrics and one confusion count for
   * the four multiclass ones, instead of a pass per metric.
   */
  public static Map<String, Double> all(Dataset<Row> scored, boolean binary) {
    Dataset<Row> cached =
        scored.select(col(Algorithms.LABEL), col("prediction"), col("rawPrediction")).cache();
    try {
      Map<String, Double> out = new LinkedHashMap<>();
      if (binary) {
        BinaryClassificationMetrics b =
            ((BinaryClassificationEvaluator) evaluator(BINARY.get(0))).getMetrics(cached);
        try {
          out.put("areaUnderROC", b.areaUnderROC());
          out.put("areaUnderPR", b.areaUnderPR());
        } finally {
          b.unpersist();
        }
      }
      MulticlassMetrics m =
          ((MulticlassClassificationEvaluator) evaluator(MULTICLASS.get(0))).getMetrics(cached);
      out.put("f1", m.weightedFMeasure());
      out.put("accuracy", m.accuracy());
      out.put("weightedPrecision", m.weightedPrecision());
      out.put("weightedRecall", m.weightedRecall());
      if (binary) {
        // "f1" is MLlib's, weighted over both classes, which a common negative class dominates; the
        // positive class's own F1 is what tune.threshold = f1 maximises and what a rare outcome
        // needs
        out.put("positiveF1", m.fMeasure(1.0));
        out.put("positivePrecision", m.precision(1.0));
        out.put("positiveRecall", m.recall(1.0));
      }
      return out;
    } finally {
      cached.unpersist();
    }
  }

  /** Confusion matrix: rows are true classes, columns predicted classes, by class index. */
  public static long[][] confusion(Dataset<Row> scored, int classes) {
    long[][] m = new long[classes][classes];
    // one row per (true, predicted) pair: at most classes² rows reach the driver
    // bounded: classes² (true, predicted) counts
    for (Row r : scored.groupBy(col(Algorithms.LABEL), col("prediction")).count().collectAsList()) {
      int t = (int) r.getDouble(0);
      int p = (int) r.getDouble(1);
      if (t < classes && p < classes) {
        m[t][p] = r.getLong(2);
      }
    }
    return m;
  }

  /** The matrix as nested lists (for JSON). */
  public static List<List<Long>> asLists(long[][] m) {
    List<List<Long>> out = new ArrayList<>();
    for (long[] row : m) {
      List<Long> l = new ArrayList<>();
      for (long v : row) {
        l.add(v);
      }
      out.add(l);
    }
    return out;
  }
}
