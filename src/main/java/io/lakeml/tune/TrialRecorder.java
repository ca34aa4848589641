package io.lakeml.tune;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.classification.LinearSVCModel;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.evaluation.Evaluator;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * Sees inside one MLlib {@code CrossValidator} run, which reports only the mean metric per
 * candidate: wraps its estimator and evaluator to record every fold's metric and the time spent
 * fitting and evaluating each candidate.
 *
 * <p>CrossValidator processes folds one after another (each fold's training set is a new cached
 * DataFrame) and, within a fold, runs {@code fit} then {@code evaluate} for a candidate on the same
 * thread. So the fold is known from the training set's identity and the evaluation is matched to
 * its fit through a thread-local. The final refit on the full input is recorded separately.
 */
final class TrialRecorder {
  private final List<ParamMap> candidates;
  private final int folds;
  private final Object fullInput;
  private final IdentityHashMap<Object, Integer> foldOf = new IdentityHashMap<>();
  private final ThreadLocal<long[]> lastFit = new ThreadLocal<>();
  private final Map<Integer, double[]> metrics = new ConcurrentHashMap<>();
  private final Map<Integer, long[]> nanos = new ConcurrentHashMap<>();
  private volatile long refitNanos;
  private final AtomicLong iterations = new AtomicLong();
  private final FitListener listener;

  /**
   * Told about every fit + evaluation of a candidate on a fold, as it completes (from
   * CrossValidator's threads).
   */
  interface FitListener {
    void fitted(int candidate, int fold, double metric);
  }

  TrialRecorder(List<ParamMap> candidates, int folds, Dataset<Row> fullInput) {
    this(candidates, folds, fullInput, (candidate, fold, metric) -> {});
  }

  TrialRecorder(
      List<ParamMap> candidates, int folds, Dataset<Row> fullInput, FitListener listener) {
    this.candidates = candidates;
    this.folds = folds;
    this.fullInput = fullInput;
    this.listener = listener;
  }

  /** Per-fold metrics of candidate {@code i} (in fold order). */
  double[] foldMetrics(int i) {
    return metrics.getOrDefault(i, new double[folds]).clone();
  }

  /** Time spent fitting and evaluating candidate {@code i} over all folds, in seconds. */
  double seconds(int i) {
    long[] n = nanos.getOrDefault(i, new long[folds]);
    long sum = 0;
    for (long x : n) {
      sum += x;
    }
    return sum / 1e9;
  }

  /**
   * Optimizer iterations of every fit so far, refit included, for the models that report them (0
   * for the others).
   */
  long iterations() {
    return iterations.get();
  }

  /**
   * Iterations the optimizer of an iterative linear model ran (L-BFGS/OWL-QN); 0 when the model
   * does not say.
   */
  static int iterationsOf(Model<?> model) {
    if (model instanceof LogisticRegressionModel lr && lr.hasSummary()) {
      return lr.summary().totalIterations();
    }
    if (model instanceof LinearSVCModel svc && svc.hasSummary()) {
      return svc.summary().totalIterations();
    }
    return 0;
  }

  /** Seconds the final refit of the best candidate took. */
  double refitSeconds() {
    return refitNanos / 1e9;
  }

  Estimator<?> wrap(Estimator<?> inner) {
    return new RecordingEstimator(Identifiable.randomUID("lakemlTrial"), inner, this, -1);
  }

  Evaluator wrap(Evaluator inner) {
    return new RecordingEvaluator(Identifiable.randomUID("lakemlTrialEval"), inner, this);
  }

  private int candidateIndex(ParamMap extra) {
    for (int i = 0; i < candidates.size(); i++) {
      if (candidates.get(i) == extra) {
        return i;
      }
    }
    return -1;
  }

  private synchronized int fold(Object trainingSet) {
    if (trainingSet == fullInput) {
      return -1;
    }
    return foldOf.computeIfAbsent(trainingSet, k -> foldOf.size());
  }

  /**
   * The wrapped estimator: records fit time and which (candidate, fold) the current thread fitted.
   */
  static final class RecordingEstimator extends Estimator<RecordingModel> {
    private final String uid;
    private final Estimator<?> inner;
    private final TrialRecorder recorder;
    private final int candidate;

    RecordingEstimator(String uid, Estimator<?> inner, TrialRecorder recorder, int candidate) {
      this.uid = uid;
      this.inner = inner;
      this.recorder = recorder;
      this.candidate = candidate;
    }

    @Override
    public String uid() {
      return uid;
    }

    @Override
    public RecordingModel fit(Dataset<?> dataset) {
      int fold = recorder.fold(dataset);
      long t0 = System.nanoTime();
      // an XGBoost model predicts through lakeml's stage (dense vectors, MLlib's threshold rule) in
      // the folds too
      Model<?> model = XgboostModel.savable((Model<?>) inner.fit(dataset));
      long took = System.nanoTime() - t0;
      recorder.iterations.addAndGet(iterationsOf(model));
      if (fold < 0) {
        recorder.refitNanos = took;
      } else {
        recorder.lastFit.set(new long[] {candidate, fold, took});
      }
      return new RecordingModel(uid, model).setParent(this);
    }

    @Override
    public RecordingEstimator copy(ParamMap extra) {
      // CrossValidator passes each candidate's own ParamMap here (fit(dataset, paramMap) =
      // copy(paramMap).fit)
      return new RecordingEstimator(
          uid, inner.copy(extra), recorder, recorder.candidateIndex(extra));
    }

    @Override
    public StructType transformSchema(StructType schema) {
      return inner.transformSchema(schema);
    }
  }

  /** The fitted model of a {@link RecordingEstimator}; {@link #inner()} is the real MLlib model. */
  static final class RecordingModel extends Model<RecordingModel> {
    private final String uid;
    private final Model<?> inner;

    RecordingModel(String uid, Model<?> inner) {
      this.uid = uid;
      this.inner = inner;
    }

    Model<?> inner() {
      return inner;
    }

    @Override
    public String uid() {
      return uid;
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
      return inner.transform(dataset);
    }

    @Override
    public StructType transformSchema(StructType schema) {
      return inner.transformSchema(schema);
    }

    @Override
    public RecordingModel copy(ParamMap extra) {
      return new RecordingModel(uid, (Model<?>) inner.copy(extra)).setParent(parent());
    }
  }

  /** The wrapped evaluator: stores the metric of the (candidate, fold) this thread just fitted. */
  static final class RecordingEvaluator extends Evaluator {
    private final String uid;
    private final Evaluator inner;
    private final TrialRecorder recorder;

    RecordingEvaluator(String uid, Evaluator inner, TrialRecorder recorder) {
      this.uid = uid;
      this.inner = inner;
      this.recorder = recorder;
    }

    @Override
    public String uid() {
      return uid;
    }

    @Override
    public double evaluate(Dataset<?> dataset) {
      long t0 = System.nanoTime();
      double metric = inner.evaluate(dataset);
      long took = System.nanoTime() - t0;
      long[] fit = recorder.lastFit.get();
      if (fit != null && fit[0] >= 0) {
        int candidate = (int) fit[0];
        int fold = (int) fit[1];
        recorder.metrics.computeIfAbsent(candidate, k -> new double[recorder.folds])[fold] = metric;
        recorder.nanos.computeIfAbsent(candidate, k -> new long[recorder.folds])[fold] =
            fit[2] + took;
        recorder.lastFit.remove();
        recorder.listener.fitted(candidate, fold, metric);
      }
      return metric;
    }

    @Override
    public boolean isLargerBetter() {
      return inner.isLargerBetter();
    }

    @Override
    public Evaluator copy(ParamMap extra) {
      return new RecordingEvaluator(uid, inner.copy(extra), recorder);
    }
  }
}
