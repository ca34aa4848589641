package io.lakeml.model;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;
import ml.dmlc.xgboost4j.java.util.BigDenseMatrix;
import ml.dmlc.xgboost4j.scala.spark.XGBoostClassificationModel;
import ml.dmlc.xgboost4j.scala.spark.XGBoostClassifier;
import org.apache.spark.SparkContext;
import org.apache.spark.ml.param.Param;
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
   * The largest matrix (rows × features) built in one task from rows not counted beforehand: 256 MB
   * of floats on the heap while they are read, then native memory only (those floats once more
   * while XGBoost copies them, and 8 bytes a value in XGBoost's own matrix). Until 2026-12-05 it
   * was half this, with three times the floats on the heap at the peak.
   */
  public static final long MAX_VALUES = 1L << 26;

  /**
   * The largest matrix built in one task from counted rows ({@link Rows#read(Iterator, int, int,
   * int, int, int, long, int) read} straight into native memory): nothing of its size on the heap;
   * off the heap 4 bytes a value for the rows, kept through the search, and 8 in the XGBoost
   * matrices of a fold's two parts or of all rows, about 1.6 GB at this limit. 10M rows of
   * fertility (6M training rows of 17 one-hot and numeric features, 102M values) fit.
   */
  public static final long MAX_NATIVE_VALUES = 1L << 27;

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
  private record Trained(byte[] booster, String notHere, boolean nothingToStopOn, double perSplit)
      implements Serializable {
    Trained(byte[] booster, String notHere, boolean nothingToStopOn) {
      this(booster, notHere, nothingToStopOn, Double.NaN);
    }
  }

  /**
   * Fits {@code x} (every parameter set) on {@code rows} in one task; empty when the rows are not
   * for this path (more than {@link #MAX_VALUES} values, or a label that is not 0/1 with both
   * present), and the caller fits with XGBoost's estimator instead. With early stopping ({@code
   * numEarlyStoppingRounds} &gt; 0) the rows {@code heldOut} marks find the round count, then all
   * rows get that many, as {@link EarlyStoppingXgboost} does.
   */
  public static Optional<XGBoostClassificationModel> fit(
      XGBoostClassifier x, Dataset<Row> rows, Column heldOut, int threads) {
    return fit(x, rows, heldOut, threads, false);
  }

  /**
   * {@link #fit(XGBoostClassifier, Dataset, Column, int)}; with {@code forestPerSplit} a random
   * forest whose features per split are {@link #forestPerSplit} of the rows, and the model's {@code
   * colsample_bynode} the fraction used.
   */
  public static Optional<XGBoostClassificationModel> fit(
      XGBoostClassifier x, Dataset<Row> rows, Column heldOut, int threads, boolean forestPerSplit) {
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
                (Iterator<InternalRow> it) ->
                    List.of(train(it, params, most, patience, forestPerSplit)).iterator())
            .collect(); // bounded: one model from the one task
    Trained t = out.get(0);
    if (t.nothingToStopOn()) {
      throw EarlyStoppingXgboost.nothingToStopOn(patience);
    }
    if (t.booster() == null) {
      LOG.info("XGBoost through its Spark estimator: {}", t.notHere());
      return Optional.empty();
    }
    return Optional.of(model(withPerSplit(x, t.perSplit()), t.booster()));
  }

  /** {@code x} with {@code colsample_bynode} set to {@code perSplit}; {@code x} when NaN. */
  public static XGBoostClassifier withPerSplit(XGBoostClassifier x, double perSplit) {
    if (Double.isNaN(perSplit)) {
      return x;
    }
    Param<Object> p = x.getParam("colsample_bynode");
    return (XGBoostClassifier) x.copy(new ParamMap().put(p, perSplit));
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
      Iterator<InternalRow> it,
      Map<String, Object> params,
      int most,
      int patience,
      boolean forestPerSplit)
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
    try {
      Map<String, Object> used = forestPerSplit ? forestPerSplit(params, r) : params;
      DMatrix all = r.matrix();
      try {
        return new Trained(
            trainAll(all, r, used, most, patience),
            null,
            false,
            forestPerSplit ? ((Number) used.get("colsample_bynode")).doubleValue() : Double.NaN);
      } finally {
        all.dispose();
      }
    } finally {
      r.release();
    }
  }

  /**
   * The booster ({@code ubj} bytes) of a fit on every row of {@code all} (the matrix of {@code
   * rows}): {@code most} rounds, or with early stopping ({@code patience} &gt; 0) as many as the
   * rows {@code rows.stopOn} marks choose. The one way lakeml trains a binary XGBoost model from a
   * matrix, so a search's refit and a fit of the estimator give the same model.
   */
  public static byte[] trainAll(
      DMatrix all, Rows rows, Map<String, Object> params, int most, int patience)
      throws XGBoostError {
    int[] every = new int[rows.labels.length];
    Arrays.setAll(every, i -> i);
    int rounds = patience > 0 ? stoppedAt(rows, every, params, most, patience) : most;
    Booster b = XGBoost.train(all, params, rounds, new HashMap<>(), null, null);
    try {
      return b.toByteArray("ubj");
    } finally {
      b.dispose();
    }
  }

  /**
   * Early stopping as {@link EarlyStoppingXgboost} does it: the best round count (at most {@code
   * most}) on the held-out part ({@code rows.stopOn}) of the rows {@code fit}, boosting on the
   * rest.
   */
  public static int stoppedAt(
      Rows rows, int[] fit, Map<String, Object> params, int most, int patience)
      throws XGBoostError {
    int[] stopOn = rows.stopOn;
    int[] boost = Arrays.stream(fit).filter(i -> stopOn[i] == 0).toArray();
    int[] stop = Arrays.stream(fit).filter(i -> stopOn[i] == 1).toArray();
    if (boost.length == 0 || stop.length == 0) {
      throw EarlyStoppingXgboost.nothingToStopOn(patience);
    }
    DMatrix b = rows.matrix(boost);
    try {
      DMatrix s = rows.matrix(stop);
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
        s.dispose();
      }
    } finally {
      b.dispose();
    }
  }

  /**
   * XGBoost's {@code XGDMatrixSetFloatInfo}, which its Java {@code DMatrix} (3.1) calls for labels
   * and weights but not for feature weights; its JNI class is package-private, hence reflection.
   */
  private static final java.lang.reflect.Method SET_FLOAT_INFO = setFloatInfo();

  private static java.lang.reflect.Method setFloatInfo() {
    try {
      java.lang.reflect.Method m =
          Class.forName("ml.dmlc.xgboost4j.java.XGBoostJNI")
              .getMethod("XGDMatrixSetFloatInfo", long.class, String.class, float[].class);
      m.setAccessible(true);
      return m;
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new ExceptionInInitializerError(
          "this XGBoost has no XGDMatrixSetFloatInfo to set feature weights through ("
              + e
              + "); lakeml is built for ml.dmlc:xgboost4j-spark 3.1");
    }
  }

  /** Sets {@code m}'s feature weights (XGBoost's {@code feature_weights}); none when null. */
  static void weigh(DMatrix m, float[] featureWeights) throws XGBoostError {
    if (featureWeights == null) {
      return;
    }
    int rc;
    try {
      rc = (Integer) SET_FLOAT_INFO.invoke(null, m.getHandle(), "feature_weights", featureWeights);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("XGBoost's feature weights could not be set", e);
    }
    if (rc != 0) {
      throw new XGBoostError("XGBoost refused the feature weights (return code " + rc + ")");
    }
  }

  /**
   * A random forest's features per split when its grid leaves {@code colsample_bynode} unset: ⌊√k⌋
   * of the k columns that vary in {@code rows}, as Breiman's and scikit-learn's forests draw.
   * {@link Rows#matrix() The rows' matrices} weigh the columns that do not vary 0, so XGBoost never
   * draws them, and it draws ⌊fraction × p⌋ of the p columns: the fraction is set a quarter of a
   * column above ⌊√k⌋ / p so that its float product rounds down to ⌊√k⌋. Without the weights, a
   * fertility forest drew 4 of 17 columns of which 5 are one-hot slots for unseen categories, zero
   * in every row.
   */
  public static Map<String, Object> forestPerSplit(Map<String, Object> params, Rows rows) {
    int p = rows.width;
    if (p == 0) {
      return params;
    }
    int k = Math.max(1, rows.varyingColumns());
    Map<String, Object> out = new HashMap<>(params);
    out.put("colsample_bynode", perSplitFraction(k, p));
    return out;
  }

  /** The {@code colsample_bynode} that draws ⌊√k⌋ of p columns (k of them with weight). */
  public static double perSplitFraction(int k, int p) {
    int draw = Math.max(1, (int) Math.floor(Math.sqrt(k)));
    return Math.min(1.0, (draw + 0.25) / p);
  }

  /**
   * Rows read into arrays: features as dense floats (row-major), label, weight, and optionally a
   * fold number and an early-stopping flag per row.
   */
  public static final class Rows {
    private final FloatStore values;
    private BigDenseMatrix dense;
    private boolean weighed;
    private float[] featureWeights;
    public final int width;
    public final float[] labels;
    public final float[] weights;
    public final int[] folds;
    public final int[] stopOn;

    private Rows(
        FloatStore values, int width, float[] labels, float[] weights, int[] folds, int[] stopOn) {
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
      return read(rows, label, weight, features, fold, stop, new FloatChunks());
    }

    /**
     * Reads exactly {@code count} rows of {@code width} features as {@link #read} does, straight
     * into native memory: nothing the size of the matrix on the heap, so up to {@link
     * #MAX_NATIVE_VALUES} values. For rows counted beforehand (a search's cached training split);
     * other rows than counted are an error.
     */
    public static Rows read(
        Iterator<InternalRow> rows,
        int label,
        int weight,
        int features,
        int fold,
        int stop,
        long count,
        int width) {
      if (count * width > MAX_NATIVE_VALUES) {
        return null;
      }
      NativeFloats values = new NativeFloats(count, width);
      try {
        Rows r = read(rows, label, weight, features, fold, stop, values);
        if (r.labels.length != count || (count > 0 && r.width != width)) {
          throw new IllegalStateException(
              "the rows changed between counting and reading: "
                  + count
                  + " rows of "
                  + width
                  + " features counted, "
                  + r.labels.length
                  + " of "
                  + r.width
                  + " read");
        }
        return r;
      } catch (RuntimeException e) {
        values.dispose();
        throw e;
      }
    }

    private static Rows read(
        Iterator<InternalRow> rows,
        int label,
        int weight,
        int features,
        int fold,
        int stop,
        FloatStore values) {
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
        if (!values.fits(size)) {
          return null;
        }
        if (dense) {
          for (int i = 0; i < size; i++) {
            values.add((float) stored.getDouble(i));
          }
        } else {
          long at = values.size();
          values.zeros(size); // a sparse vector's absent entries
          ArrayData indices = v.getArray(2);
          for (int i = 0, n = indices.numElements(); i < n; i++) {
            values.set(at + indices.getInt(i), (float) stored.getDouble(i));
          }
        }
        labels.add((float) r.getDouble(label));
        weights.add((float) r.getDouble(weight));
        folds.add(fold < 0 ? 0 : r.getInt(fold));
        stopOn.add(r.getBoolean(stop) ? 1 : 0);
      }
      return new Rows(
          values,
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

    /** Releases the rows' values (native memory); no matrix can be made of them afterwards. */
    public void release() {
      if (dense != null) {
        dense.dispose();
        dense = null;
      }
      values.dispose();
    }

    /**
     * XGBoost's feature weights for these rows: 0 for a column that holds one value in every row (a
     * one-hot encoder's slot for unseen categories, a constant number), 1 for the others; null when
     * every column varies. A column with one value can never split, so column sampling that drew it
     * would waste the draw (scikit-learn's forests skip such columns too).
     */
    public synchronized float[] featureWeights() {
      if (!weighed) {
        weighed = true;
        float[] w = new float[width];
        int varying = 0;
        int n = labels.length;
        if (n > 0 && width > 0) {
          // row after row, once through memory: the columns that never vary (the ones that
          // matter) are read to the last row anyway
          BigDenseMatrix d = dense();
          long rowBytes = 4L * width;
          float[] first = new float[width];
          for (int c = 0; c < width; c++) {
            first[c] = BigDenseMatrix.getDirect(d.address + 4L * c);
          }
          for (int i = 1; i < n && varying < width; i++) {
            long row = d.address + i * rowBytes;
            for (int c = 0; c < width; c++) {
              if (w[c] == 0f
                  && Float.compare(BigDenseMatrix.getDirect(row + 4L * c), first[c]) != 0) {
                w[c] = 1f;
                varying++;
              }
            }
          }
        }
        featureWeights = varying == width ? null : w;
      }
      return featureWeights;
    }

    /** How many columns take more than one value in these rows. */
    public int varyingColumns() {
      float[] w = featureWeights();
      return w == null ? width : (int) IntStream.range(0, width).filter(c -> w[c] > 0).count();
    }

    /** The values in native memory, row-major, kept until {@link #release}. */
    private synchronized BigDenseMatrix dense() {
      if (dense == null) {
        dense = values.toNative(labels.length, width);
      }
      return dense;
    }

    /**
     * XGBoost's matrix of all these rows, with labels and weights (NaN is missing). The values
     * reach XGBoost from native memory ({@link BigDenseMatrix}, read by address): a {@code float[]}
     * of the whole matrix would need a second copy while JNI pins it, and the Java heap is what a
     * local-mode driver has least of.
     */
    public DMatrix matrix() throws XGBoostError {
      DMatrix m =
          labels.length == 0 || width == 0
              ? new DMatrix(new float[0], labels.length, width, Float.NaN)
              : new DMatrix(dense(), Float.NaN);
      m.setLabel(labels);
      m.setWeight(weights);
      weigh(m, featureWeights());
      return m;
    }

    /**
     * XGBoost's matrix of the rows {@code rows} (in that order), as {@code matrix().slice(rows)}
     * would give it: the rows are copied out of the native values into a matrix of their own, then
     * handed to XGBoost. XGBoost's own {@code slice} copied entry by entry into growing arrays:
     * 27.8 of a 10M-row search's 52 s went to slicing its folds that way (2026-12-05). Handing the
     * part over as CSR arrays instead, which XGBoost reads on several threads, was slower at 1M
     * rows (1.5-1.6 s against 1.1 s for three folds' parts): the copy into Java arrays and JNI's
     * copy of them cost more than the threads save.
     */
    public DMatrix matrix(int[] rows) throws XGBoostError {
      float[] y = new float[rows.length];
      float[] w = new float[rows.length];
      for (int j = 0; j < rows.length; j++) {
        y[j] = labels[rows[j]];
        w[j] = weights[rows[j]];
      }
      DMatrix m;
      if (rows.length == 0 || width == 0) {
        m = new DMatrix(new float[0], rows.length, width, Float.NaN);
      } else {
        BigDenseMatrix from = dense();
        BigDenseMatrix part = new BigDenseMatrix(rows.length, width);
        try {
          long bytes = 4L * width;
          for (int j = 0; j < rows.length; j++) {
            long src = from.address + rows[j] * bytes;
            long dst = part.address + j * bytes;
            for (long c = 0; c < bytes; c += 4) {
              BigDenseMatrix.setDirect(dst + c, BigDenseMatrix.getDirect(src + c));
            }
          }
          m = new DMatrix(part, Float.NaN);
        } finally {
          part.dispose(); // XGBoost copied the values into its own matrix
        }
      }
      m.setLabel(y);
      m.setWeight(w);
      weigh(m, featureWeights());
      return m;
    }
  }

  /** Where {@link Rows#read} puts the feature values, row after row. */
  private interface FloatStore {
    /** Whether {@code n} more values may be added. */
    boolean fits(int n);

    void add(float v);

    /** Appends {@code n} zeros. */
    default void zeros(int n) {
      for (int i = 0; i < n; i++) {
        add(0f);
      }
    }

    void set(long i, float v);

    long size();

    /** The values as XGBoost reads them; the caller disposes of it. */
    BigDenseMatrix toNative(int rows, int width);

    /** Releases what is still held. */
    void dispose();
  }

  /** Values straight into native memory, for a known number of rows and features. */
  private static final class NativeFloats implements FloatStore {
    private final BigDenseMatrix m;
    private final long capacity;
    private long size;
    private boolean handedOver;

    NativeFloats(long rows, int width) {
      // at least one slot: BigDenseMatrix allocates rows × width bytes × 4
      m = new BigDenseMatrix((int) Math.max(1, rows), Math.max(1, width));
      capacity = rows * width;
    }

    @Override
    public boolean fits(int n) {
      if (size + n > capacity) { // read() releases the values
        throw new IllegalStateException(
            "the rows changed between counting and reading: more than " + capacity + " values");
      }
      return true;
    }

    @Override
    public void add(float v) {
      m.set(size++, v);
    }

    @Override
    public void set(long i, float v) {
      m.set(i, v);
    }

    @Override
    public long size() {
      return size;
    }

    @Override
    public BigDenseMatrix toNative(int rows, int width) {
      handedOver = true;
      return m;
    }

    @Override
    public void dispose() {
      if (!handedOver) {
        handedOver = true;
        m.dispose();
      }
    }
  }

  /**
   * Floats in 4 MB chunks on the heap, for rows not counted beforehand: no doubling copies while
   * they are read (the old growing array peaked at three times the matrix on the heap), and each
   * chunk dropped once copied out.
   */
  private static final class FloatChunks implements FloatStore {
    private static final int CHUNK = 1 << 20;
    private final List<float[]> chunks = new ArrayList<>();
    private float[] last;
    private int at = CHUNK;
    private long size;

    @Override
    public boolean fits(int n) {
      return size + n <= MAX_VALUES;
    }

    @Override
    public void add(float v) {
      if (at == CHUNK) {
        last = new float[CHUNK];
        chunks.add(last);
        at = 0;
      }
      last[at++] = v;
      size++;
    }

    @Override
    public void set(long i, float v) {
      chunks.get((int) (i >>> 20))[(int) (i & (CHUNK - 1))] = v;
    }

    @Override
    public long size() {
      return size;
    }

    @Override
    public BigDenseMatrix toNative(int rows, int width) {
      BigDenseMatrix m = new BigDenseMatrix(rows, width);
      long i = 0;
      for (int c = 0; c < chunks.size(); c++) {
        float[] a = chunks.get(c);
        int n = (int) Math.min(CHUNK, size - i);
        for (int j = 0; j < n; j++) {
          m.set(i++, a[j]);
        }
        chunks.set(c, null);
      }
      last = null;
      return m;
    }

    @Override
    public void dispose() {
      chunks.clear();
      last = null;
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
