package io.lakeml.model;

import static org.apache.spark.ml.functions.vector_to_array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.evaluation.Evaluator;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.mllib.evaluation.BinaryClassificationMetrics;
import org.apache.spark.mllib.evaluation.MulticlassMetrics;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.Tuple3;

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
   * Every applicable metric of scored rows (rows with label, prediction and rawPrediction), as
   * MLlib's evaluators compute them: their own metric classes ({@code BinaryClassificationMetrics}
   * unbinned, {@code MulticlassMetrics}), fed with how many rows share each (score, prediction,
   * label) as the rows' weight. Sums of whole numbers are exact in doubles, so the values equal the
   * evaluators' to the last digit (one exception: a score of −0.0 counts as 0.0, where MLlib's RDD
   * would keep two points). The counts come from one Spark SQL aggregation; before, both classes
   * read every row through an RDD of boxed tuples, which was most of the 6.9 s that a 6M-row
   * training split's metrics took (docs/benchmarks, 2026-12-07).
   */
  public static Map<String, Double> all(Dataset<Row> scored, boolean binary) {
    Column score =
        binary ? element_at(vector_to_array(col("rawPrediction"), "float64"), 2) : lit(0.0);
    Dataset<Row> counts =
        scored
            .groupBy(
                score.as("score"),
                col("prediction").cast("double").as("prediction"),
                col(Algorithms.LABEL).cast("double").as("label"))
            .count()
            .cache();
    try {
      Map<String, Double> out = new LinkedHashMap<>();
      if (binary) {
        BinaryClassificationMetrics b =
            new BinaryClassificationMetrics(
                counts
                    .toJavaRDD()
                    .map(r -> new Tuple3<Object, Object, Object>(r.get(0), r.get(2), weight(r)))
                    .rdd(),
                ((BinaryClassificationEvaluator) evaluator(BINARY.get(0))).getNumBins());
        try {
          out.put("areaUnderROC", b.areaUnderROC());
          out.put("areaUnderPR", b.areaUnderPR());
        } finally {
          b.unpersist();
        }
      }
      MulticlassMetrics m =
          new MulticlassMetrics(
              counts
                  .toJavaRDD()
                  .map(r -> new Tuple3<Object, Object, Object>(r.get(1), r.get(2), weight(r)))
                  .rdd());
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
      counts.unpersist();
    }
  }

  /** The rows a count stands for, as the weight MLlib's metric classes sum. */
  private static Object weight(Row counted) {
    return (double) counted.getLong(3);
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
