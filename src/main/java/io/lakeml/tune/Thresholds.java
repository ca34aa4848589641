package io.lakeml.tune;

import static org.apache.spark.sql.functions.col;

import io.lakeml.config.DatasetConfig;
import io.lakeml.model.Algorithms;
import java.util.List;
import java.util.Optional;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.classification.ProbabilisticClassificationModel;
import org.apache.spark.ml.functions;
import org.apache.spark.mllib.evaluation.BinaryClassificationMetrics;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.Tuple2;

/**
 * The decision threshold of a binary model, chosen on the validation split by the configured rule
 * ({@code dataset.tune.threshold}) and set on the model, so every stage that applies the saved
 * model (score, bias-post, monitor, reproduce) predicts with it. With a 0.5 cut, a model of a rare
 * outcome (8 % positives) can predict the majority for everyone, and the bias stage then has
 * nothing to judge.
 */
final class Thresholds {
  /** Distinct scores the F1 search looks at: the curve is downsampled to about this many points. */
  static final int BINS = 1000;

  private Thresholds() {}

  /**
   * Chooses the threshold on the positive class's probability and sets it on {@code model}; empty
   * when the model has no probability (linear SVC keeps its own rule) or the label is not binary.
   *
   * @param trainRate the positive class's share of the training split (the base-rate rule)
   */
  static Optional<Double> apply(
      Model<?> model, Dataset<Row> validation, DatasetConfig.Threshold rule, double trainRate) {
    if (!(model instanceof ProbabilisticClassificationModel<?, ?> p)) {
      return Optional.empty();
    }
    double t =
        switch (rule.rule()) {
          case FIXED -> rule.value();
          case F1 -> bestF1(p, validation);
          case BASE_RATE -> baseRate(p, validation, trainRate);
        };
    // MLlib predicts the class of the largest probability / threshold: with (1 − t, t) that is the
    // positive class exactly when its probability exceeds t; both must stay inside (0, 1)
    double clamped = Math.min(1 - 1e-9, Math.max(1e-9, t));
    p.setThresholds(new double[] {1 - clamped, clamped});
    return Optional.of(clamped);
  }

  private static Dataset<Row> scores(
      ProbabilisticClassificationModel<?, ?> model, Dataset<Row> validation) {
    return model
        .transform(validation)
        .select(
            functions
                .vector_to_array(col(model.getProbabilityCol()), "float64")
                .getItem(1)
                .as("score"),
            col(Algorithms.LABEL));
  }

  /**
   * The score threshold with the highest F1 on validation (positive iff score ≥ it; returned just
   * below it for MLlib's strict >).
   */
  private static double bestF1(
      ProbabilisticClassificationModel<?, ?> model, Dataset<Row> validation) {
    BinaryClassificationMetrics m =
        new BinaryClassificationMetrics(
            scores(model, validation)
                .toJavaRDD()
                .map(r -> new Tuple2<Object, Object>(r.getDouble(0), r.getDouble(1)))
                .rdd(),
            BINS);
    // bounded: at most BINS thresholds (the metrics object downsamples the curve)
    List<Tuple2<Object, Object>> byThreshold = m.fMeasureByThreshold().toJavaRDD().collect();
    m.unpersist();
    double best = 0.5;
    double bestF1 = -1;
    for (Tuple2<Object, Object> tf : byThreshold) {
      double f1 = (Double) tf._2();
      if (f1 > bestF1) {
        bestF1 = f1;
        best = (Double) tf._1();
      }
    }
    return bestF1 <= 0 ? 0.5 : Math.nextDown(best);
  }

  /**
   * The threshold above which validation's share of positive predictions equals the training
   * split's positive rate.
   */
  private static double baseRate(
      ProbabilisticClassificationModel<?, ?> model, Dataset<Row> validation, double trainRate) {
    double q = Math.min(1, Math.max(0, 1 - trainRate));
    double[] t = scores(model, validation).stat().approxQuantile("score", new double[] {q}, 1e-4);
    return t.length == 0 ? 0.5 : t[0];
  }
}
