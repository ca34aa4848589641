package io.lakeml.model;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.xxhash64;

import ml.dmlc.xgboost4j.scala.spark.XGBoostClassificationModel;
import ml.dmlc.xgboost4j.scala.spark.XGBoostClassifier;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * XGBoost's classifier with early stopping that works inside a cross-validation: with {@code
 * numEarlyStoppingRounds} &gt; 0, every fit sets aside one row in ten of the rows it is given
 * (chosen by a hash of the row's identity, {@link Algorithms#ROW_UNIFORM}, and the seed, so a refit
 * and {@code reproduce} hold out the same rows), boosts on the rest until the held-out log-loss has
 * not improved for that many rounds, then fits all the rows it was given with the best number of
 * rounds. A cross-validation fold therefore never stops on its own validation rows, and the saved
 * model has exactly the rounds that were chosen, which a model cut short by XGBoost itself would
 * not (it keeps the rounds after the best one).
 *
 * <p>XGBoost's Spark estimator takes its evaluation rows as a separate dataset ({@code
 * setEvalDataset}), not as a column, so MLlib's CrossValidator, which only hands each fit its
 * training rows, could not use early stopping without this.
 */
public final class EarlyStoppingXgboost extends Estimator<XGBoostClassificationModel> {
  private static final Logger LOG = LoggerFactory.getLogger(EarlyStoppingXgboost.class);

  /** One row in this many is held out for early stopping. */
  public static final int HOLDOUT_ONE_IN = 10;

  /**
   * Added to the seed so that the held-out rows are not the ones the seed's folds or subsamples
   * pick.
   */
  private static final long HOLDOUT_SEED = 104_729;

  /**
   * XGBoost's estimator: a Java class cannot extend it (its Scala bridge methods clash for javac),
   * so this stage wraps it under the same uid and hands out its parameters, which grids and MLlib's
   * CrossValidator then set on it through {@link #copy}.
   */
  private final XGBoostClassifier inner;

  /**
   * Whether this is {@code xgboost-random-forest}: its features per split default to ⌊√k⌋ of the k
   * columns that vary ({@link #forestPerSplit()}).
   */
  private final boolean forest;

  public EarlyStoppingXgboost(XGBoostClassifier inner) {
    this(inner, false);
  }

  public EarlyStoppingXgboost(XGBoostClassifier inner, boolean forest) {
    this.inner = inner;
    this.forest = forest;
  }

  @Override
  public String uid() {
    return inner.uid();
  }

  @Override
  public Param<?>[] params() {
    return inner.params();
  }

  /** XGBoost's estimator with every value set on this stage. */
  public XGBoostClassifier xgboost() {
    return (XGBoostClassifier) inner.copy(paramMap());
  }

  /** XGBoost's estimator for these rows: {@link #forRows}'s values set. */
  public XGBoostClassifier xgboost(Dataset<?> rows) {
    return forRows(rows).xgboost();
  }

  /**
   * This stage for these rows. A forest whose grid does not set {@code colsample_bynode} tries 1/√p
   * of the p features at each split through XGBoost's Spark estimator (Breiman's default, MLlib's
   * and scikit-learn's for classification); p is the features column's size from its ML attributes
   * (gold's vectors carry them), else from the first row. Resolved once, candidates' copies keep it
   * unless their own grid values set it. A fit from one matrix, which sees the rows, replaces it
   * with ⌊√k⌋ of the k columns that vary ({@link NativeXgboost#forestPerSplit}).
   */
  public EarlyStoppingXgboost forRows(Dataset<?> rows) {
    Param<Object> perSplit = inner.getParam("colsample_bynode");
    if (!forestPerSplit()) {
      return this;
    }
    String features = xgboost().getFeaturesCol();
    int p =
        org.apache.spark.ml.attribute.AttributeGroup.fromStructField(rows.schema().apply(features))
            .size();
    if (p <= 0) {
      Row first = rows.toDF().select(features).head();
      p = ((org.apache.spark.ml.linalg.Vector) first.get(0)).size();
    }
    return copy(new ParamMap().put(perSplit, 1.0 / Math.sqrt(Math.max(1, p))));
  }

  /**
   * Whether this is a random forest whose grid leaves {@code colsample_bynode} unset: fitted from
   * one matrix ({@link NativeXgboost}), it then draws ⌊√k⌋ of the k columns that vary in its rows
   * ({@link NativeXgboost#forestPerSplit}); through XGBoost's Spark estimator (rows beyond {@link
   * NativeXgboost#MAX_VALUES}) 1/√p of all p columns ({@link #forRows}).
   */
  public boolean forestPerSplit() {
    return forest && !xgboost().isSet(inner.getParam("colsample_bynode"));
  }

  @Override
  public EarlyStoppingXgboost copy(ParamMap extra) {
    return new EarlyStoppingXgboost(
        (XGBoostClassifier) inner.copy(paramMap().$plus$plus(extra)), forest);
  }

  @Override
  public StructType transformSchema(StructType schema) {
    return xgboost().transformSchema(schema);
  }

  /**
   * The error of a fit whose rows leave nothing to stop on, or nothing to boost on, once the tenth
   * is held out.
   */
  public static IllegalArgumentException nothingToStopOn(int patience) {
    return new IllegalArgumentException(
        "early stopping (numEarlyStoppingRounds = "
            + patience
            + ") holds out one row in "
            + HOLDOUT_ONE_IN
            + " of the rows it trains on, and these leave nothing on one side. Drop numEarlyStoppingRounds from the grid "
            + "or train on more rows.");
  }

  /**
   * Whether a row is held out for early stopping: one in {@link #HOLDOUT_ONE_IN}, by a hash of the
   * seed and the row's identity ({@link Algorithms#ROW_UNIFORM} when the rows carry it, else its
   * features and label). Not by the feature vector when there is an identity: that would hold out
   * every copy of a frequent vector at once, a biased sample of data with few distinct rows (on 1M
   * fertility rows early stopping then stopped at 10 rounds while the validation AUC still rose at
   * 100).
   */
  public static Column heldOut(Dataset<Row> rows, long seed, String features, String label) {
    Column identity =
        java.util.Arrays.asList(rows.columns()).contains(Algorithms.ROW_UNIFORM)
            ? col(Algorithms.ROW_UNIFORM)
            : org.apache.spark.sql.functions.struct(col(features), col(label));
    return pmod(xxhash64(lit(seed + HOLDOUT_SEED), identity), lit(HOLDOUT_ONE_IN)).equalTo(0);
  }

  /**
   * Fits in one task from one matrix where the rows fit it and the label is binary ({@link
   * NativeXgboost}: the same model, without the estimator's per-row conversions and with the task's
   * cores), otherwise with XGBoost's Spark estimator.
   */
  @Override
  public XGBoostClassificationModel fit(Dataset<?> dataset) {
    boolean forestPerSplit = forestPerSplit();
    XGBoostClassifier x = xgboost(dataset);
    int patience = x.getNumEarlyStoppingRounds();
    Dataset<Row> rows = dataset.toDF();
    Column heldOut =
        patience > 0 ? heldOut(rows, x.getSeed(), x.getFeaturesCol(), x.getLabelCol()) : null;
    java.util.Optional<XGBoostClassificationModel> inOneTask =
        NativeXgboost.fit(
            x,
            rows,
            heldOut,
            NativeXgboost.threads(rows.sparkSession().sparkContext()),
            forestPerSplit);
    if (inOneTask.isPresent()) {
      return inOneTask.get();
    }
    if (patience <= 0) {
      return x.fit(dataset);
    }
    Dataset<Row> stopOn = rows.where(heldOut);
    Dataset<Row> boostOn = rows.where(not(heldOut));
    if (stopOn.isEmpty() || boostOn.isEmpty()) {
      throw nothingToStopOn(patience);
    }
    XGBoostClassifier probe = (XGBoostClassifier) x.copy(ParamMap.empty());
    probe.setEvalDataset(stopOn);
    XGBoostClassificationModel stopped = probe.fit(boostOn);
    String best;
    try {
      best = stopped.nativeBooster().getAttr("best_iteration");
    } catch (ml.dmlc.xgboost4j.java.XGBoostError e) {
      throw new IllegalStateException(
          "XGBoost could not report its best iteration: " + e.getMessage(), e);
    }
    if (best == null) {
      throw new IllegalStateException(
          "XGBoost recorded no best iteration although it had rows to stop on");
    }
    int rounds = Integer.parseInt(best) + 1;
    LOG.info(
        "early stopping: {} of at most {} rounds (no better held-out loss in the {} after it)",
        rounds,
        x.getNumRound(),
        patience);
    ParamMap refit = new ParamMap().put(x.numRound(), rounds).put(x.numEarlyStoppingRounds(), 0);
    return ((XGBoostClassifier) x.copy(refit)).fit(rows);
  }
}
