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
    return evaluator(metric, 0);
  }

  /**
   * {@link #evaluator(String)} for scored sets of at most {@code rows} rows (0: not known). Above
   * {@link LocalMetrics#MAX_ROWS} it is MLlib's own evaluator, which does not first fetch rows to
   * the driver only to find them too many.
   */
  public static Evaluator evaluator(String metric, long rows) {
    boolean small = rows <= LocalMetrics.MAX_ROWS;
    if (BINARY.contains(metric)) {
      return (small ? new SmallFirstBinary() : new BinaryClassificationEvaluator())
          .setMetricName(metric)
          .setLabelCol(Algorithms.LABEL)
          .setRawPredictionCol("rawPrediction")
          .setNumBins(0);
    }
    MulticlassClassificationEvaluator multiclass =
        small ? new SmallFirstMulticlass() : new MulticlassClassificationEvaluator();
    String byLabel = POSITIVE.get(metric);
    if (byLabel != null) {
      return multiclass
          .setMetricName(byLabel)
          .setMetricLabel(1.0)
          .setLabelCol(Algorithms.LABEL)
          .setPredictionCol("prediction");
    }
    return multiclass
        .setMetricName(metric)
        .setLabelCol(Algorithms.LABEL)
        .setPredictionCol("prediction");
  }

  /**
   * MLlib's binary evaluator that computes on the driver ({@link LocalMetrics}) when the scored
   * rows are few and unweighted and the curves unbinned: one Spark job instead of five to seven.
   */
  public static final class SmallFirstBinary extends BinaryClassificationEvaluator {
    private static final long serialVersionUID = 1L;

    public SmallFirstBinary() {
      super();
    }

    /** The constructor MLlib's {@code copy} calls. */
    public SmallFirstBinary(String uid) {
      super(uid);
    }

    @Override
    public double evaluate(Dataset<?> dataset) {
      if (getNumBins() == 0 && !isDefined(weightCol())) {
        LocalMetrics.Scored s =
            LocalMetrics.fetch(dataset, getLabelCol(), null, getRawPredictionCol());
        double[] areas = s == null ? null : LocalMetrics.areas(s.labels(), s.scores());
        if (areas != null && BINARY.contains(getMetricName())) {
          return areas[BINARY.indexOf(getMetricName())];
        }
      }
      return super.evaluate(dataset);
    }
  }

  /**
   * MLlib's multiclass evaluator that computes on the driver ({@link LocalMetrics}) when the scored
   * rows are few and unweighted, for the metrics lakeml selects by.
   */
  public static final class SmallFirstMulticlass extends MulticlassClassificationEvaluator {
    private static final long serialVersionUID = 1L;

    public SmallFirstMulticlass() {
      super();
    }

    /** The constructor MLlib's {@code copy} calls. */
    public SmallFirstMulticlass(String uid) {
      super(uid);
    }

    @Override
    public double evaluate(Dataset<?> dataset) {
      String name = getMetricName();
      boolean known =
          MULTICLASS.contains(name) || (POSITIVE.containsValue(name) && getBeta() == 1.0);
      if (known && !isDefined(weightCol())) {
        LocalMetrics.Scored s =
            LocalMetrics.fetch(dataset, getLabelCol(), getPredictionCol(), null);
        if (s != null && s.size() > 0) {
          LocalMetrics.Multiclass m = new LocalMetrics.Multiclass(s.labels(), s.predictions());
          double label = getMetricLabel();
          switch (name) {
            case "f1":
              return m.weightedFMeasure();
            case "accuracy":
              return m.accuracy();
            case "weightedPrecision":
              return m.weightedPrecision();
            case "weightedRecall":
              return m.weightedRecall();
            case "precisionByLabel":
              if (m.hasLabel(label)) {
                return m.precision(label);
              }
              break;
            case "recallByLabel":
              if (m.hasLabel(label)) {
                return m.recall(label);
              }
              break;
            case "fMeasureByLabel":
              if (m.hasLabel(label)) {
                return m.fMeasure(label);
              }
              break;
            default:
              break;
          }
        }
      }
      return super.evaluate(dataset);
    }
  }

  /** The positive class's own metrics of a binary label, by MLlib's per-label metric names. */
  static final Map<String, String> POSITIVE =
      Map.of(
          "positiveF1", "fMeasureByLabel",
          "positivePrecision", "precisionByLabel",
          "positiveRecall", "recallByLabel");

  /**
   * From this many rows up, {@link #all(Dataset, boolean, long)} counts the rows per (score,
   * prediction, label) before MLlib's metric classes read them. That count is one more shuffle per
   * call, which costs small data more than it saves (TuneTest about 5 % slower with it,
   * 2026-12-07); at 6M rows it cut a split's metrics from 8.3 to 5.9 s.
   */
  public static final long COUNTED_FROM_ROWS = 500_000;

  /**
   * Every applicable metric of scored rows (rows with label, prediction and rawPrediction). One
   * {@code getMetrics} per evaluator, as {@code evaluate} itself does, so the values are the
   * evaluators' to the last digit; but one sort for both binary metrics and one confusion count for
   * the four multiclass ones, instead of a pass per metric.
   */
  public static Map<String, Double> all(Dataset<Row> scored, boolean binary) {
    return all(scored, binary, 0);
  }

  /**
   * {@link #all(Dataset, boolean)} of scored rows whose number is known to be {@code rows}. From
   * {@link #COUNTED_FROM_ROWS} rows on, MLlib's metric classes get how many rows share each (score,
   * prediction, label) as the rows' weight, from one Spark SQL aggregation, instead of reading
   * every row through an RDD of boxed tuples (most of a 6M-row split's metrics: Spark's map-side
   * combine under boxed {@code Double} and {@code Tuple2} equality). Sums of whole numbers are
   * exact in doubles, so the curves' points are the same either way; their areas may differ in the
   * last digit or two, from the order in which partitions' sums are added (4e-16 at 6M rows, within
   * the registry's 1e-9). A score of −0.0 counts as 0.0, as MLlib itself counts it
   * (ModelMetricsTest).
   */
  public static Map<String, Double> all(Dataset<Row> scored, boolean binary, long rows) {
    if (rows <= LocalMetrics.MAX_ROWS) {
      // few rows (or a number not known): fetched once, computed on the driver as MLlib would
      LocalMetrics.Scored s =
          LocalMetrics.fetch(
              scored, Algorithms.LABEL, "prediction", binary ? "rawPrediction" : null);
      Map<String, Double> local = s == null ? null : local(s, binary);
      if (local != null) {
        return local;
      }
    }
    boolean counted = counted(rows);
    Dataset<Row> cached =
        counted
            ? scored
                .groupBy(
                    (binary
                            ? element_at(vector_to_array(col("rawPrediction"), "float64"), 2)
                            : lit(0.0))
                        .as("score"),
                    col("prediction").cast("double").as("prediction"),
                    col(Algorithms.LABEL).cast("double").as("label"))
                .count()
                .cache()
            : scored.select(col(Algorithms.LABEL), col("prediction"), col("rawPrediction")).cache();
    try {
      Map<String, Double> out = new LinkedHashMap<>();
      if (binary) {
        BinaryClassificationEvaluator evaluator =
            (BinaryClassificationEvaluator) evaluator(BINARY.get(0));
        BinaryClassificationMetrics b =
            counted
                ? new BinaryClassificationMetrics(weighted(cached, 0), evaluator.getNumBins())
                : evaluator.getMetrics(cached);
        try {
          out.put("areaUnderROC", b.areaUnderROC());
          out.put("areaUnderPR", b.areaUnderPR());
        } finally {
          b.unpersist();
        }
      }
      MulticlassMetrics m =
          counted
              ? new MulticlassMetrics(weighted(cached, 1))
              : ((MulticlassClassificationEvaluator) evaluator(MULTICLASS.get(0)))
                  .getMetrics(cached);
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

  /**
   * {@link #all}'s metrics from rows on the driver; null where MLlib's classes must decide (no
   * rows, or a binary label without positive rows, whose recall MLlib does not define).
   */
  private static Map<String, Double> local(LocalMetrics.Scored s, boolean binary) {
    if (s.size() == 0) {
      return null;
    }
    LocalMetrics.Multiclass m = new LocalMetrics.Multiclass(s.labels(), s.predictions());
    if (binary && !m.hasLabel(1.0)) {
      return null;
    }
    Map<String, Double> out = new LinkedHashMap<>();
    if (binary) {
      double[] areas = LocalMetrics.areas(s.labels(), s.scores());
      out.put("areaUnderROC", areas[0]);
      out.put("areaUnderPR", areas[1]);
    }
    out.put("f1", m.weightedFMeasure());
    out.put("accuracy", m.accuracy());
    out.put("weightedPrecision", m.weightedPrecision());
    out.put("weightedRecall", m.weightedRecall());
    if (binary) {
      out.put("positiveF1", m.fMeasure(1.0));
      out.put("positivePrecision", m.precision(1.0));
      out.put("positiveRecall", m.recall(1.0));
    }
    return out;
  }

  /** Whether {@link #all(Dataset, boolean, long)} counts {@code rows} rows before reading them. */
  static boolean counted(long rows) {
    return rows >= COUNTED_FROM_ROWS;
  }

  /**
   * (value at {@code position}, label, weight) of each counted row of (score, prediction, label,
   * count): the rows a count stands for become the weight MLlib's metric classes sum.
   */
  private static org.apache.spark.rdd.RDD<Tuple3<Object, Object, Object>> weighted(
      Dataset<Row> counts, int position) {
    return counts
        .toJavaRDD()
        .map(
            r ->
                new Tuple3<Object, Object, Object>(
                    r.get(position), r.get(2), (double) r.getLong(3)))
        .rdd();
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
