package io.lakeml.tune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lakeml.core.SavedModels;
import io.lakeml.model.BatchPredictor;
import io.lakeml.model.GainImportances;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import ml.dmlc.xgboost4j.java.XGBoostError;
import ml.dmlc.xgboost4j.scala.Booster;
import ml.dmlc.xgboost4j.scala.DMatrix;
import ml.dmlc.xgboost4j.scala.XGBoost;
import ml.dmlc.xgboost4j.scala.spark.XGBoostClassificationModel;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.classification.ProbabilisticClassificationModel;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.Option;

/**
 * A fitted XGBoost classifier as a pipeline stage that Spark 4.1 can save and load: XGBoost's own
 * model writer and reader were built against Spark 3.5's json4s and fail on 4.1 ({@code
 * NoSuchMethodError}). Predictions are the booster's, in batches of this class's own ({@link
 * #transform}, equal to XGBoost's transform and faster); what this class adds is persistence (the
 * booster in XGBoost's UBJSON format under {@code data/}, the stage's parameters in Spark's
 * metadata layout) and MLlib's decision rule for a chosen threshold, the same as every other
 * probabilistic model's: the class of the largest probability / threshold.
 */
public class XgboostModel extends ProbabilisticClassificationModel<Vector, XgboostModel>
    implements MLWritable, GainImportances, BatchPredictor {
  private static final ObjectMapper JSON = io.lakeml.config.Json.MAPPER;
  private static final String BOOSTER = "data/model.ubj";

  /**
   * MLlib's parameters are created while the superclass is constructed and take the stage's uid
   * then, before a Java field can hold it: the uid waits here for the length of the constructor.
   */
  private static final ThreadLocal<String> CONSTRUCTING = new ThreadLocal<>();

  private final String uid;
  private final XGBoostClassificationModel xgb;

  public XgboostModel(String uid, XGBoostClassificationModel xgb) {
    this(constructing(uid), xgb, true);
  }

  private XgboostModel(String uid, XGBoostClassificationModel xgb, boolean constructed) {
    this.uid = uid;
    this.xgb = xgb;
    CONSTRUCTING.remove();
  }

  private static String constructing(String uid) {
    CONSTRUCTING.set(uid);
    return uid;
  }

  /**
   * {@code model} itself, or an XGBoost model wrapped with its parameters (column names,
   * thresholds).
   */
  public static Model<?> savable(Model<?> model) {
    if (!(model instanceof XGBoostClassificationModel x)) {
      return model;
    }
    XgboostModel m = new XgboostModel(Identifiable.randomUID("lakeml_xgboost"), x);
    for (String name :
        new String[] {
          "featuresCol",
          "labelCol",
          "predictionCol",
          "rawPredictionCol",
          "probabilityCol",
          "thresholds"
        }) {
      if (x.hasParam(name) && x.isSet(x.getParam(name)) && m.hasParam(name)) {
        m.set(m.getParam(name), x.getOrDefault(x.getParam(name)));
      }
    }
    return m;
  }

  /** XGBoost's own model (feature importances, the booster). */
  public XGBoostClassificationModel xgboost() {
    return xgb;
  }

  /**
   * Only LogisticRegression's training summary uses it; declared because Java sees two inherited
   * versions.
   */
  @Override
  @SuppressWarnings({"rawtypes", "unchecked"})
  public scala.Tuple3 findSummaryModel() {
    return new scala.Tuple3(this, getProbabilityCol(), getPredictionCol());
  }

  @Override
  public String uid() {
    return uid != null ? uid : CONSTRUCTING.get();
  }

  @Override
  public int numClasses() {
    return xgb.numClasses();
  }

  @Override
  public int numFeatures() {
    try {
      return (int) xgb.nativeBooster().getNumFeature();
    } catch (XGBoostError e) {
      throw new IllegalStateException(
          "XGBoost could not report its feature count: " + e.getMessage(), e);
    }
  }

  /**
   * One row's class probabilities (XGBoost's single-instance prediction; its own {@code predictRaw}
   * is unsupported). Only per-row callers use it (permutation importance scores whole batches
   * through {@link #probabilities}); {@link #transform} keeps XGBoost's margins as {@code
   * rawPrediction}, which rank rows the same way.
   */
  @Override
  public Vector predictRaw(Vector features) {
    return Vectors.dense(classProbabilities(xgb.predictSingleInstance(features.toDense())));
  }

  /**
   * Many rows in one native call: {@link #predictRaw} builds XGBoost's matrix once per row, which
   * made permutation importance (thousands of single-row predictions) take 10 s of a 1M-row tune.
   * The values are the same floats, so the probabilities equal the single-row ones.
   */
  @Override
  public double[][] probabilities(double[][] rows) {
    int n = rows.length;
    int width = numFeatures();
    float[] values = new float[n * width];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < width; j++) {
        values[i * width + j] = (float) rows[i][j];
      }
    }
    DMatrix matrix = null;
    try {
      matrix = new DMatrix(values, n, width, Float.NaN);
      float[][] p = xgb.nativeBooster().predict(matrix, false, 0);
      double[][] out = new double[n][];
      for (int i = 0; i < n; i++) {
        out[i] = classProbabilities(p[i]);
      }
      return out;
    } catch (XGBoostError e) {
      throw new IllegalStateException(
          "XGBoost could not score " + n + " rows: " + e.getMessage(), e);
    } finally {
      if (matrix != null) {
        matrix.delete();
      }
    }
  }

  /**
   * XGBoost's prediction for one row as class probabilities: a binary model gives the positive
   * class's only.
   */
  private static double[] classProbabilities(float[] p) {
    if (p.length == 1) {
      return new double[] {1 - p[0], p[0]};
    }
    return widened(p);
  }

  private static double[] widened(float[] v) {
    double[] d = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      d[i] = v[i];
    }
    return d;
  }

  /** {@link #predictRaw} already gives probabilities. */
  @Override
  public Vector raw2probabilityInPlace(Vector raw) {
    return raw;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    return inner().transformSchema(schema);
  }

  /**
   * XGBoost's predictions in batches, from the feature vectors' values as dense floats: the rows
   * XGBoost trained on (zeros are values, not missing), and the matrix its own transform builds.
   * Its own transform was not used: it converts each row to a labelled point and its outputs from
   * arrays to vectors in three row-at-a-time functions, and needed a dense copy of every vector
   * first, because XGBoost4J-Spark 3.1.1 predicts a sparse vector wrongly (it pairs the sparse
   * indices with the dense values). The margins ({@code rawPrediction}, {@code [-m, m]} when
   * binary), probabilities and MLlib's decision rule (with the chosen thresholds) are those of
   * XGBoost's transform, which {@code XgboostTransformTest} compares row by row.
   */
  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    Dataset<Row> in = dataset.toDF();
    StructType schema = in.schema();
    StructType out =
        schema
            .add(getRawPredictionCol(), SQLDataTypes.VectorType(), false)
            .add(getProbabilityCol(), SQLDataTypes.VectorType(), false)
            .add(getPredictionCol(), DataTypes.DoubleType, false);
    Batches batches = batches(in.sparkSession(), schema, Batches.rowsFor(numFeatures()));
    return in.mapPartitions((MapPartitionsFunction<Row, Row>) batches::score, Encoders.row(out));
  }

  /** The scoring of rows of {@code schema}, {@code rows} at a time. */
  Batches batches(SparkSession spark, StructType schema, int rows) {
    Broadcast<Booster> booster =
        JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(xgb.nativeBooster());
    return new Batches(
        booster,
        schema.fieldIndex(getFeaturesCol()),
        numFeatures(),
        numClasses(),
        ((Number) xgb.getOrDefault(xgb.getParam("missing"))).floatValue(),
        decisionRule(),
        rows);
  }

  /**
   * This stage's parameters (the thresholds) without the booster, for MLlib's decision rule on the
   * executors: the booster travels once, as a broadcast.
   */
  private XgboostModel decisionRule() {
    XgboostModel rule = new XgboostModel(uid(), null);
    copyValues(rule, ParamMap.empty());
    return rule;
  }

  /**
   * Rows of one partition scored a batch at a time (one native matrix and two predictions each).
   */
  record Batches(
      Broadcast<Booster> booster,
      int featuresAt,
      int width,
      int classes,
      float missing,
      XgboostModel rule,
      int rowsPerBatch)
      implements java.io.Serializable {
    /** XGBoost's own batch is 32,768 rows; a wide row gets fewer, at most 16 MB of values. */
    static int rowsFor(int width) {
      return Math.max(1, Math.min(32 << 10, (4 << 20) / Math.max(1, width)));
    }

    Iterator<Row> score(Iterator<Row> rows) {
      int size = rowsPerBatch;
      return new Iterator<>() {
        private final Row[] batch = new Row[size];
        private float[] values;
        private float[][] margins;
        private float[][] probabilities;
        private int n;
        private int next;

        @Override
        public boolean hasNext() {
          if (next < n) {
            return true;
          }
          fill();
          return n > 0;
        }

        @Override
        public Row next() {
          if (!hasNext()) {
            throw new java.util.NoSuchElementException();
          }
          Row r = batch[next];
          float[] m = margins[next];
          float[] p = probabilities[next];
          batch[next++] = null;
          Object[] o = new Object[r.length() + 3];
          for (int i = 0; i < r.length(); i++) {
            o[i] = r.get(i);
          }
          // as XGBoost's transform: a binary model's one margin and probability, in double
          boolean binary = classes == 2;
          Vector pv = Vectors.dense(binary ? new double[] {1.0 - p[0], p[0]} : widened(p));
          o[r.length()] = Vectors.dense(binary ? new double[] {-(double) m[0], m[0]} : widened(m));
          o[r.length() + 1] = pv;
          o[r.length() + 2] = rule.probability2prediction(pv);
          return RowFactory.create(o);
        }

        private void fill() {
          n = 0;
          next = 0;
          while (n < size && rows.hasNext()) {
            batch[n++] = rows.next();
          }
          if (n == 0) {
            return;
          }
          if (values == null) {
            values = new float[size * width];
          }
          for (int i = 0; i < n; i++) {
            Object f = batch[i].get(featuresAt);
            if (!(f instanceof Vector v)) {
              throw new IllegalArgumentException(
                  "a row to score has no feature vector (" + f + "): nothing to predict from");
            }
            if (v.size() != width) {
              throw new IllegalArgumentException(
                  "a row's feature vector has "
                      + v.size()
                      + " slots, the XGBoost model was trained on "
                      + width
                      + ": score with the feature pipeline the model was trained with");
            }
            int at = i * width;
            if (v instanceof org.apache.spark.ml.linalg.DenseVector d) {
              double[] a = d.values();
              for (int j = 0; j < width; j++) {
                values[at + j] = (float) a[j];
              }
            } else {
              org.apache.spark.ml.linalg.SparseVector sv =
                  (org.apache.spark.ml.linalg.SparseVector) v;
              java.util.Arrays.fill(values, at, at + width, 0f);
              int[] idx = sv.indices();
              double[] a = sv.values();
              for (int k = 0; k < idx.length; k++) {
                values[at + idx[k]] = (float) a[k];
              }
            }
          }
          DMatrix matrix = null;
          try {
            matrix =
                new DMatrix(
                    n * width == values.length
                        ? values
                        : java.util.Arrays.copyOf(values, n * width),
                    n,
                    width,
                    missing);
            margins = booster.value().predict(matrix, true, 0);
            probabilities = booster.value().predict(matrix, false, 0);
          } catch (XGBoostError e) {
            throw new IllegalStateException(
                "XGBoost could not score a batch of " + n + " rows: " + e.getMessage(), e);
          } finally {
            if (matrix != null) {
              matrix.delete();
            }
          }
        }
      };
    }
  }

  /** XGBoost's model with this stage's column names. */
  private XGBoostClassificationModel inner() {
    XGBoostClassificationModel m = xgb.copy(ParamMap.empty());
    m.set(m.featuresCol(), getFeaturesCol());
    m.set(m.predictionCol(), getPredictionCol());
    m.set(m.rawPredictionCol(), getRawPredictionCol());
    m.set(m.probabilityCol(), getProbabilityCol());
    return m;
  }

  @Override
  public XgboostModel copy(ParamMap extra) {
    XgboostModel copy = new XgboostModel(uid, xgb);
    copyValues(copy, extra);
    return copy.setParent(parent());
  }

  @Override
  public MLWriter write() {
    return new MLWriter() {
      @Override
      public void saveImpl(String path) {
        persist(XgboostModel.this, path, sparkSession().sparkContext().hadoopConfiguration());
      }
    };
  }

  /** The reader {@code PipelineModel.load} finds by the class name in the stage's metadata. */
  public static MLReader<XgboostModel> read() {
    return new MLReader<>() {
      @Override
      public XgboostModel load(String path) {
        return restore(path, sparkSession().sparkContext().hadoopConfiguration());
      }
    };
  }

  private static void persist(XgboostModel m, String path, Configuration conf) {
    try {
      ObjectNode meta = JSON.createObjectNode();
      meta.put("class", XgboostModel.class.getName());
      meta.put("timestamp", System.currentTimeMillis());
      meta.put("sparkVersion", SparkSession.active().version());
      meta.put("uid", m.uid());
      meta.put("numClasses", m.numClasses());
      ObjectNode params = meta.putObject("paramMap");
      meta.putObject("defaultParamMap");
      for (Param<?> p : m.params()) {
        if (m.isSet(p)) {
          @SuppressWarnings("unchecked")
          Param<Object> po = (Param<Object>) p;
          params.set(p.name(), JSON.readTree(po.jsonEncode(m.getOrDefault(p))));
        }
      }
      Path dir = new Path(path);
      FileSystem fs = dir.getFileSystem(conf);
      try (OutputStream out = fs.create(new Path(dir, "metadata/part-00000"), true)) {
        out.write((JSON.writeValueAsString(meta) + "\n").getBytes(StandardCharsets.UTF_8));
      }
      byte[] booster = m.xgb.nativeBooster().toByteArray("ubj");
      try (OutputStream out = fs.create(new Path(dir, BOOSTER), true)) {
        out.write(booster);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot save the XGBoost model to " + path + ": " + e.getMessage(), e);
    } catch (XGBoostError e) {
      throw new IllegalStateException(
          "XGBoost could not serialise its booster: " + e.getMessage(), e);
    }
  }

  private static XgboostModel restore(String path, Configuration conf) {
    try {
      String text = SavedModels.metadata(conf, path);
      if (text == null) {
        throw new IllegalArgumentException(
            "no metadata under " + path + "/metadata: not a saved XGBoost model");
      }
      JsonNode meta = JSON.readTree(text);
      Path dir = new Path(path);
      FileSystem fs = dir.getFileSystem(conf);
      Booster booster;
      try (InputStream in = fs.open(new Path(dir, BOOSTER))) {
        booster = XGBoost.loadModel(in);
      }
      XGBoostClassificationModel xgb =
          new XGBoostClassificationModel(
              Identifiable.randomUID("xgbc"),
              meta.get("numClasses").asInt(),
              booster,
              Option.empty());
      xgb.set(xgb.getParam("missing"), Float.NaN);
      XgboostModel m = new XgboostModel(meta.get("uid").asText(), xgb);
      for (Iterator<Map.Entry<String, JsonNode>> it = meta.get("paramMap").fields();
          it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (m.hasParam(e.getKey())) {
          @SuppressWarnings("unchecked")
          Param<Object> p = (Param<Object>) m.getParam(e.getKey());
          m.set(p, p.jsonDecode(JSON.writeValueAsString(e.getValue())));
        }
      }
      return m;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot load the XGBoost model at " + path + ": " + e.getMessage(), e);
    } catch (XGBoostError e) {
      throw new IllegalStateException(
          "XGBoost could not read the booster at " + path + ": " + e.getMessage(), e);
    }
  }

  /** Total gain of each slot's splits, normalised to sum to 1. */
  @Override
  public Vector gainImportances() {
    XgboostModel m = this;
    try {
      double[] gain = new double[m.numFeatures()];
      scala.collection.immutable.Map<String, Object> byFeature =
          m.xgboost().nativeBooster().getScore("", "gain");
      double total = 0;
      for (scala.Tuple2<String, Object> e :
          scala.jdk.javaapi.CollectionConverters.asJava(byFeature.toSeq())) {
        // XGBoost names slots f0, f1, … when it has no feature names
        int slot = Integer.parseInt(e._1().substring(1));
        if (slot < gain.length) {
          gain[slot] = ((Number) e._2()).doubleValue();
          total += gain[slot];
        }
      }
      for (int i = 0; total > 0 && i < gain.length; i++) {
        gain[i] /= total;
      }
      return org.apache.spark.ml.linalg.Vectors.dense(gain);
    } catch (ml.dmlc.xgboost4j.java.XGBoostError e) {
      throw new IllegalStateException(
          "XGBoost could not report its feature gains: " + e.getMessage(), e);
    }
  }
}
