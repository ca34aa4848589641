package io.lakeml.model;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.io.Serializable;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;
import ml.dmlc.xgboost4j.scala.spark.XGBoostClassificationModel;
import ml.dmlc.xgboost4j.scala.spark.XGBoostClassifier;
import org.apache.spark.SparkContext;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamPair;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;

/**
 * A binary XGBoost fit in one Spark task from one in-memory matrix, giving the model XGBoost's
 * Spark estimator gives. The estimator converts every row to XGBoost's points and back, and trains
 * with {@code spark.task.cpus} threads (one, in local mode); on a million rows that was most of a
 * fit. Here the rows are read once into a float matrix, as the estimator sees them (dense values,
 * NaN missing, the weight column), and the booster trains with the task's cores: XGBoost's hist
 * trees are the same whatever the thread count. Used where the matrix fits ({@link #MAX_VALUES})
 * and the label is binary; otherwise {@link #fit} says so and the caller uses the estimator.
 */
public final class NativeXgboost {
  /**
   * The largest matrix (rows × features) built in one task: 128 MB of floats, about three times
   * that at the peak (the growing array, its trimmed copy, XGBoost's own).
   */
  public static final long MAX_VALUES = 1L << 25;

  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(NativeXgboost.class);

  private NativeXgboost() {}

  /** XGBoost threads for a task of {@code sc}: the local cores, or {@code spark.task.cpus}. */
  public static int threads(SparkContext sc) {
    return sc.isLocal()
        ? Math.max(1, Math.min(sc.defaultParallelism(), Runtime.getRuntime().availableProcessors()))
        : sc.getConf().getInt("spark.task.cpus", 1);
  }

  /** What the task sends back: XGBoost's model bytes, or why it did not train. */
  private record Trained(byte[] booster, String notHere, boolean nothingToStopOn)
      implements Serializable {}

  /**
   * Fits {@code x} (every parameter set) on {@code rows} in one task; empty when the rows are not
   * for this path (more than {@link #MAX_VALUES} values, or a label that is not 0/1 with both
   * present), and the caller fits with XGBoost's estimator instead. With early stopping ({@code
   * numEarlyStoppingRounds} &gt; 0) the rows {@code heldOut} marks find the round count, then all
   * rows get that many, as {@link EarlyStoppingXgboost} does.
   */
  public static Optional<XGBoostClassificationModel> fit(
      XGBoostClassifier x, Dataset<Row> rows, Column heldOut, int threads) {
    boolean weighted = x.isDefined(x.weightCol()) && !x.getWeightCol().isEmpty();
    Map<String, Object> params =
        new HashMap<>(scala.jdk.javaapi.CollectionConverters.asJava(x.getXGBoostParams()));
    params.putIfAbsent("objective", "binary:logistic");
    params.put("nthread", threads);
    int patience = Math.max(0, x.getNumEarlyStoppingRounds());
    int most = x.getNumRound();
    Dataset<Row> columns =
        rows.select(
            col(x.getLabelCol()).cast("double"),
            weighted ? col(x.getWeightCol()).cast("double") : lit(1.0),
            col(x.getFeaturesCol()),
            heldOut == null ? lit(false) : heldOut);
    List<Trained> out =
        Rows.internal(columns)
            .mapPartitions(
                (Iterator<InternalRow> it) -> List.of(train(it, params, most, patience)).iterator())
            .collect(); // bounded: one model from the one task
    Trained t = out.get(0);
    if (t.nothingToStopOn()) {
      throw EarlyStoppingXgboost.nothingToStopOn(patience);
    }
    if (t.booster() == null) {
      LOG.info("XGBoost through its Spark estimator: {}", t.notHere());
      return Optional.empty();
    }
    return Optional.of(model(x, t.booster()));
  }

  /**
   * XGBoost's Spark model of a binary booster ({@code ubj} bytes) trained as {@code x} trains: its
   * uid, parameters and parent, as {@code Estimator.fit} leaves them.
   */
  public static XGBoostClassificationModel model(XGBoostClassifier x, byte[] ubj) {
    ml.dmlc.xgboost4j.scala.Booster booster;
    try {
      booster = new ml.dmlc.xgboost4j.scala.Booster(XGBoost.loadModel(ubj));
    } catch (XGBoostError | java.io.IOException e) {
      throw new IllegalStateException("XGBoost could not read the model it trained", e);
    }
    XGBoostClassificationModel model =
        new XGBoostClassificationModel(x.uid(), 2, booster, scala.Option.empty());
    ParamMap values = new ParamMap();
    for (ParamPair<?> p :
        scala.jdk.javaapi.CollectionConverters.asJava(x.extractParamMap().toSeq())) {
      if (model.hasParam(p.param().name())) {
        values.put(pair(model, p));
      }
    }
    XGBoostClassificationModel fitted = model.copy(values);
    fitted.setParent(x);
    return fitted;
  }

  @SuppressWarnings("unchecked")
  private static <T> ParamPair<T> pair(XGBoostClassificationModel model, ParamPair<T> p) {
    return new ParamPair<>(
        (org.apache.spark.ml.param.Param<T>) model.getParam(p.param().name()), p.value());
  }

  /** The task: the matrix, then the booster (after finding its rounds, with early stopping). */
  private static Trained train(
      Iterator<InternalRow> it, Map<String, Object> params, int most, int patience)
      throws XGBoostError {
    Rows r = Rows.read(it, 0, 1, 2, -1, 3);
    if (r == null) {
      return new Trained(null, "more than " + MAX_VALUES + " values", false);
    }
    boolean zero = false;
    boolean one = false;
    for (float y : r.labels) {
      if (y == 0f) {
        zero = true;
      } else if (y == 1f) {
        one = true;
      } else {
        return new Trained(null, "a label other than 0 and 1", false);
      }
    }
    if (!zero || !one) {
      return new Trained(null, "one class only", false);
    }
    if (patience > 0) {
      int held = Arrays.stream(r.stopOn).sum();
      if (held == 0 || held == r.stopOn.length) {
        return new Trained(null, null, true);
      }
    }
    DMatrix all = r.matrix();
    try {
      return new Trained(trainAll(all, r.stopOn, params, most, patience), null, false);
    } finally {
      all.dispose();
    }
  }

  /**
   * The booster ({@code ubj} bytes) of a fit on every row of {@code all}: {@code most} rounds, or
   * with early stopping ({@code patience} &gt; 0) as many as the rows {@code stopOn} marks choose.
   * The one way lakeml trains a binary XGBoost model from a matrix, so a search's refit and a fit
   * of the estimator give the same model.
   */
  public static byte[] trainAll(
      DMatrix all, int[] stopOn, Map<String, Object> params, int most, int patience)
      throws XGBoostError {
    int[] every = new int[stopOn.length];
    Arrays.setAll(every, i -> i);
    int rounds = patience > 0 ? stoppedAt(all, every, stopOn, params, most, patience) : most;
    Booster b = XGBoost.train(all, params, rounds, new HashMap<>(), null, null);
    try {
      return b.toByteArray("ubj");
    } finally {
      b.dispose();
    }
  }

  /**
   * Early stopping as {@link EarlyStoppingXgboost} does it: the best round count (at most {@code
   * most}) on the held-out part of the rows {@code fit}, boosting on the rest.
   */
  public static int stoppedAt(
      DMatrix all, int[] fit, int[] stopOn, Map<String, Object> params, int most, int patience)
      throws XGBoostError {
    int[] boost = Arrays.stream(fit).filter(i -> stopOn[i] == 0).toArray();
    int[] stop = Arrays.stream(fit).filter(i -> stopOn[i] == 1).toArray();
    if (boost.length == 0 || stop.length == 0) {
      throw EarlyStoppingXgboost.nothingToStopOn(patience);
    }
    DMatrix b = all.slice(boost);
    DMatrix s = all.slice(stop);
    try {
      Map<String, DMatrix> watches = new LinkedHashMap<>();
      watches.put("eval", s);
      Booster probe = XGBoost.train(b, params, most, watches, null, null, null, patience);
      try {
        String best = probe.getAttr("best_iteration");
        return best == null ? most : Integer.parseInt(best) + 1;
      } finally {
        probe.dispose();
      }
    } finally {
      b.dispose();
      s.dispose();
    }
  }

  /**
   * Rows read into arrays: features as dense floats (row-major), label, weight, and optionally a
   * fold number and an early-stopping flag per row.
   */
  public static final class Rows {
    public final float[] values;
    public final int width;
    public final float[] labels;
    public final float[] weights;
    public final int[] folds;
    public final int[] stopOn;

    private Rows(
        float[] values, int width, float[] labels, float[] weights, int[] folds, int[] stopOn) {
      this.values = values;
      this.width = width;
      this.labels = labels;
      this.weights = weights;
      this.folds = folds;
      this.stopOn = stopOn;
    }

    /**
     * Reads the rows (column positions of label, weight, features vector, fold or -1, stop flag);
     * null once they hold more than {@link #MAX_VALUES} values. Spark's internal rows, not {@link
     * Row}s: converting each row and building each vector was most of the reading (a profile at 1M
     * rows), so a vector's values are copied straight from its stored form (MLlib's vector type is
     * a struct of type, size, indices and values).
     */
    public static Rows read(
        Iterator<InternalRow> rows, int label, int weight, int features, int fold, int stop) {
      FloatBuffer values = new FloatBuffer();
      FloatBuffer labels = new FloatBuffer();
      FloatBuffer weights = new FloatBuffer();
      IntBuffer folds = new IntBuffer();
      IntBuffer stopOn = new IntBuffer();
      int width = -1;
      while (rows.hasNext()) {
        InternalRow r = rows.next();
        InternalRow v = r.getStruct(features, 4);
        boolean dense = v.getByte(0) == 1;
        ArrayData stored = v.getArray(3);
        int size = dense ? stored.numElements() : v.getInt(1);
        if (width < 0) {
          width = size;
        }
        if ((long) values.size + size > MAX_VALUES) {
          return null;
        }
        int at = values.size;
        values.grow(size); // zeros: a sparse vector's absent entries
        if (dense) {
          for (int i = 0; i < size; i++) {
            values.a[at + i] = (float) stored.getDouble(i);
          }
        } else {
          ArrayData indices = v.getArray(2);
          for (int i = 0, n = indices.numElements(); i < n; i++) {
            values.a[at + indices.getInt(i)] = (float) stored.getDouble(i);
          }
        }
        labels.add((float) r.getDouble(label));
        weights.add((float) r.getDouble(weight));
        folds.add(fold < 0 ? 0 : r.getInt(fold));
        stopOn.add(r.getBoolean(stop) ? 1 : 0);
      }
      return new Rows(
          values.trimmed(),
          Math.max(width, 0),
          labels.trimmed(),
          weights.trimmed(),
          folds.trimmed(),
          stopOn.trimmed());
    }

    /** Spark's internal rows of {@code rows}, for {@link #read}, in one partition. */
    public static org.apache.spark.api.java.JavaRDD<InternalRow> internal(Dataset<Row> rows) {
      return rows.queryExecution().toRdd().toJavaRDD().coalesce(1);
    }

    /** XGBoost's matrix of these rows, with labels and weights (NaN is missing). */
    public DMatrix matrix() throws XGBoostError {
      DMatrix m = new DMatrix(values, labels.length, width, Float.NaN);
      m.setLabel(labels);
      m.setWeight(weights);
      return m;
    }
  }

  /** A growable float array without a box per value. */
  private static final class FloatBuffer {
    private float[] a = new float[1024];
    private int size;

    void add(float v) {
      if (size == a.length) {
        a = Arrays.copyOf(a, a.length * 2);
      }
      a[size++] = v;
    }

    /** Appends {@code n} zeros. */
    void grow(int n) {
      if (size + n > a.length) {
        a = Arrays.copyOf(a, Math.max(a.length * 2, size + n));
      }
      size += n;
    }

    float[] trimmed() {
      return size == a.length ? a : Arrays.copyOf(a, size);
    }
  }

  /** A growable int array (fold numbers, flags) without a box per row. */
  private static final class IntBuffer {
    private int[] a = new int[1024];
    private int size;

    void add(int v) {
      if (size == a.length) {
        a = Arrays.copyOf(a, a.length * 2);
      }
      a[size++] = v;
    }

    int[] trimmed() {
      return size == a.length ? a : Arrays.copyOf(a, size);
    }
  }
}
