package io.lakeml.model;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.attribute.Attribute;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.classification.DecisionTreeClassificationModel;
import org.apache.spark.ml.classification.GBTClassificationModel;
import org.apache.spark.ml.classification.LinearSVCModel;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.classification.RandomForestClassificationModel;
import org.apache.spark.ml.functions;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.mllib.evaluation.BinaryClassificationMetrics;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import scala.Tuple2;

/**
 * What the report draws of a model version besides its metrics: ROC and precision-recall curves of
 * the test split, downsampled to at most {@link #MAX_POINTS} points (MLlib's binned {@link
 * BinaryClassificationMetrics}), and the feature importances or coefficients of the fitted
 * classifier, named after the feature vector's slots. Both are small enough for a registry row.
 */
public final class ModelDiagnostics {
  /** Most points stored per curve. */
  static final int MAX_POINTS = 100;

  /** Most features stored, by absolute value. */
  static final int MAX_FEATURES = 30;

  /**
   * Curves of a binary model on scored rows; {@code roc} points are (FPR, TPR), {@code pr} points
   * (recall, precision).
   */
  public record Curves(List<Row> roc, List<Row> pr) {}

  /**
   * Importances ("importance") or coefficients ("coefficient") by feature slot, largest magnitude
   * first, and summed per input column ({@code byColumn}: the slots of one categorical column —
   * named {@code column = value} by prepare — added up; for coefficients their absolute values).
   */
  public record Importances(String kind, List<Row> features, List<Row> byColumn) {}

  private ModelDiagnostics() {}

  /**
   * ROC and PR curves of scored rows (label, and probability or rawPrediction). The score is the
   * positive class's probability when the model has one (thresholds then read as probabilities).
   * {@code rows}: how many there are (0: not known); above {@link LocalMetrics#MAX_ROWS} MLlib
   * computes the curves without a fetch to the driver first.
   */
  public static Curves curves(Dataset<Row> scored, long rows) {
    List<String> cols = List.of(scored.columns());
    // few rows with few distinct scores: the same points from one fetch, on the driver
    LocalMetrics.Scored s =
        rows > LocalMetrics.MAX_ROWS
            ? null
            : LocalMetrics.fetch(
                scored,
                Algorithms.LABEL,
                null,
                cols.contains("probability") ? "probability" : "rawPrediction");
    LocalMetrics.Curves local =
        s == null ? null : LocalMetrics.curves(s.labels(), s.scores(), MAX_POINTS - 2);
    if (local != null) {
      return new Curves(
          points(tuples(local.roc()), local.thresholds(), true),
          points(tuples(local.pr()), local.thresholds(), false));
    }
    Column score =
        element_at(
            functions.vector_to_array(
                col(cols.contains("probability") ? "probability" : "rawPrediction"), "float64"),
            2);
    var pairs =
        scored
            .select(score.as("s"), col(Algorithms.LABEL).cast("double").as("y"))
            .toJavaRDD()
            .map(r -> new Tuple2<Object, Object>(r.getDouble(0), r.getDouble(1)))
            .rdd();
    // two fewer bins than points: the curves add their end points
    BinaryClassificationMetrics m = new BinaryClassificationMetrics(pairs, MAX_POINTS - 2);
    try {
      // bounded: at most MAX_POINTS thresholds (the metrics object downsamples the curve)
      List<Double> thresholds = m.thresholds().toJavaRDD().map(t -> (Double) t).collect();
      // bounded: the curves as downsampled, at most MAX_POINTS points each
      return new Curves(
          points(m.roc().toJavaRDD().collect(), thresholds, true),
          points(m.pr().toJavaRDD().collect(), thresholds, false));
    } finally {
      m.unpersist();
    }
  }

  private static List<Tuple2<Object, Object>> tuples(List<double[]> xy) {
    List<Tuple2<Object, Object>> out = new ArrayList<>();
    for (double[] p : xy) {
      out.add(new Tuple2<>(p[0], p[1]));
    }
    return out;
  }

  /**
   * ROC has an extra point at each end, PR one at the start; the points between match the
   * thresholds in order.
   */
  private static List<Row> points(
      List<Tuple2<Object, Object>> xy, List<Double> thresholds, boolean roc) {
    List<Row> out = new ArrayList<>();
    for (int i = 0; i < xy.size(); i++) {
      int t = i - 1;
      Double threshold =
          t >= 0 && t < thresholds.size() && !(roc && i == xy.size() - 1)
              ? thresholds.get(t)
              : null;
      out.add(RowFactory.create((Double) xy.get(i)._1(), (Double) xy.get(i)._2(), threshold));
    }
    return thin(out);
  }

  /** Keeps at most MAX_POINTS rows, evenly spaced, first and last included (bins can add a few). */
  static List<Row> thin(List<Row> rows) {
    if (rows.size() <= MAX_POINTS) {
      return rows;
    }
    List<Row> out = new ArrayList<>();
    for (int i = 0; i < MAX_POINTS; i++) {
      out.add(rows.get((int) Math.round(i * (rows.size() - 1) / (double) (MAX_POINTS - 1))));
    }
    return out;
  }

  /**
   * Feature importances of tree models, coefficients of binary linear models, the L2 norm of each
   * slot's coefficients over the classes of a multinomial logistic regression; null for other
   * models (e.g. naive Bayes, whose columns permutation importance measures).
   *
   * @param features the gold feature column's schema field (its ML attributes name the slots)
   */
  public static Importances importances(
      Model<?> model, org.apache.spark.sql.types.StructField features) {
    String kind;
    Vector v;
    if (model instanceof RandomForestClassificationModel m) {
      kind = "importance";
      v = m.featureImportances();
    } else if (model instanceof GBTClassificationModel m) {
      kind = "importance";
      v = m.featureImportances();
    } else if (model instanceof DecisionTreeClassificationModel m) {
      kind = "importance";
      v = m.featureImportances();
    } else if (model instanceof LogisticRegressionModel m && m.numClasses() == 2) {
      kind = "coefficient";
      v = m.coefficients();
    } else if (model instanceof LogisticRegressionModel m) {
      // multinomial: one coefficient per class and slot; a slot's weight is their L2 norm
      kind = "coefficient-norm";
      org.apache.spark.ml.linalg.Matrix c = m.coefficientMatrix();
      double[] norms = new double[c.numCols()];
      for (int j = 0; j < c.numCols(); j++) {
        double sum = 0;
        for (int k = 0; k < c.numRows(); k++) {
          sum += c.apply(k, j) * c.apply(k, j);
        }
        norms[j] = Math.sqrt(sum);
      }
      v = org.apache.spark.ml.linalg.Vectors.dense(norms);
    } else if (model instanceof GainImportances m) {
      // total gain of each slot's splits, normalised to sum to 1 as MLlib's tree importances are
      kind = "importance";
      v = m.gainImportances();
    } else if (model instanceof LinearSVCModel m) {
      kind = "coefficient";
      v = m.coefficients();
    } else {
      return null;
    }
    List<String> names = names(features, v.size());
    List<Row> out = new ArrayList<>();
    double[] values = v.toArray();
    for (int i = 0; i < values.length; i++) {
      out.add(RowFactory.create(names.get(i), values[i]));
    }
    out.sort(Comparator.comparingDouble((Row r) -> -Math.abs(r.getDouble(1))));
    java.util.Map<String, Double> columns = new java.util.LinkedHashMap<>();
    for (Row r : out) {
      columns.merge(column(r.getString(0)), Math.abs(r.getDouble(1)), Double::sum);
    }
    List<Row> byColumn = new ArrayList<>();
    columns.forEach((c, x) -> byColumn.add(RowFactory.create(c, x)));
    byColumn.sort(Comparator.comparingDouble((Row r) -> -r.getDouble(1)));
    return new Importances(
        kind,
        out.subList(0, Math.min(MAX_FEATURES, out.size())),
        byColumn.subList(0, Math.min(MAX_FEATURES, byColumn.size())));
  }

  /**
   * The input column of a slot name: {@code sex} for {@code sex = male}, the name itself otherwise.
   */
  static String column(String slot) {
    int i = slot.indexOf(" = ");
    return i < 0 ? slot : slot.substring(0, i);
  }

  /**
   * Slot names from the vector's ML attributes (e.g. {@code sex_onehot_male}); {@code f<i>} where
   * unnamed.
   */
  static List<String> names(org.apache.spark.sql.types.StructField field, int size) {
    List<String> names = new ArrayList<>();
    Attribute[] attrs =
        field == null
            ? null
            : AttributeGroup.fromStructField(field).attributes().getOrElse(() -> null);
    for (int i = 0; i < size; i++) {
      String n =
          attrs != null && i < attrs.length && attrs[i].name().isDefined()
              ? attrs[i].name().get()
              : null;
      names.add(n == null ? "f" + i : n);
    }
    return names;
  }
}
