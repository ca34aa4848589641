package io.lakeml.model;

import io.lakeml.config.ConfigException;
import io.lakeml.config.DatasetConfig;
import io.lakeml.config.DatasetConfig.Algorithm;
import io.lakeml.config.DatasetConfig.Range;
import io.lakeml.config.Suggest;
import io.lakeml.tables.GoldTable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import ml.dmlc.xgboost4j.scala.spark.XGBoostClassifier;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.classification.DecisionTreeClassifier;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.classification.LinearSVC;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.NaiveBayes;
import org.apache.spark.ml.classification.RandomForestClassifier;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.FloatParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamPair;

/**
 * The configured algorithm types as MLlib estimators, and their search spaces as typed {@link
 * ParamMap}s. Building an estimator needs no Spark session, so grids are checked before Spark
 * starts ({@link #check}).
 */
public final class Algorithms {
  /** Columns of the gold table the estimators read. */
  public static final String FEATURES = GoldTable.FEATURES;

  public static final String LABEL = GoldTable.LABEL;
  public static final String WEIGHT = GoldTable.WEIGHT;

  /** MLlib's column of a classifier's predicted class index. */
  public static final String PREDICTION = "prediction";

  /**
   * A number in [0, 1) per training row, hashed from the row's key (its features when the dataset
   * has none), that tune's search adds to the rows it trains on: a row identity that does not
   * depend on partitioning, for subsamples and held-out parts.
   */
  public static final String ROW_UNIFORM = "_u";

  /** Parameters the pipeline owns; a grid may not set them. */
  private static final Set<String> RESERVED =
      Set.of(
          "featuresCol",
          "labelCol",
          "weightCol",
          "predictionCol",
          "rawPredictionCol",
          "probabilityCol",
          "seed",
          "leafCol",
          "checkpointInterval",
          "cacheNodeIds",
          // XGBoost's: how its workers meet, objects that are not values, and columns lakeml does
          // not have
          "customObj",
          "customEval",
          "rabitTrackerHostIp",
          "rabitTrackerPort",
          "rabitTrackerTimeout",
          "baseMarginCol",
          "leafPredictionCol",
          "contribPredictionCol",
          "featuresCols",
          "feature_names",
          "feature_types",
          "missing",
          "verbosity",
          "useExternalMemory",
          "maxQuantileBatches",
          "minCachePageBytes",
          "cacheHostRatio",
          "inferBatchSize",
          "forceRepartition");

  private Algorithms() {}

  /**
   * A fresh estimator of {@code type}, reading gold's columns, seeded where the algorithm is
   * random.
   */
  public static Estimator<?> estimator(String type, long seed) {
    Estimator<?> e =
        switch (type) {
          case "logistic-regression" -> new LogisticRegression();
          case "random-forest" -> new RandomForestClassifier().setSeed(seed);
          case "gradient-boosted-trees" -> new GBTClassifier().setSeed(seed);
          case "decision-tree" -> new DecisionTreeClassifier().setSeed(seed);
          case "linear-svc" -> new LinearSVC();
          case "naive-bayes" -> new NaiveBayes();
          case "xgboost" -> new EarlyStoppingXgboost(xgboost(seed));
          case "xgboost-random-forest" -> new EarlyStoppingXgboost(forest(seed), true);
          default -> throw new IllegalArgumentException("unknown algorithm " + type);
        };
    e.set(e.getParam("featuresCol"), FEATURES);
    e.set(e.getParam("labelCol"), LABEL);
    e.set(e.getParam("weightCol"), WEIGHT);
    return e;
  }

  /**
   * XGBoost's histogram trees, one worker (a barrier task with the executor's cores: several run at
   * once when the search fits candidates in parallel), missing values left to XGBoost, silent.
   */
  private static XGBoostClassifier xgboost(long seed) {
    XGBoostClassifier x = new XGBoostClassifier();
    // the setters return Params (Scala self-types), so they are not chained
    x.setSeed(seed);
    x.setTreeMethod("hist");
    x.setNumWorkers(1);
    x.setMissing(Float.NaN);
    x.setVerbosity(0);
    return x;
  }

  /**
   * A random forest grown by XGBoost (xgboost.readthedocs.io, "Random Forests in XGBoost"): one
   * boosting round of {@code num_parallel_tree} trees at learning rate 1, 100 trees of depth 6
   * unless the grid says otherwise. Row and feature sampling are a random forest's usual ones
   * rather than that page's example (0.8 and 0.8): each tree on 63.2 % of the rows (the distinct
   * share of a bootstrap sample, drawn here without replacement) and 1/√p of the features at each
   * split ({@link EarlyStoppingXgboost#xgboost(org.apache.spark.sql.Dataset)}); on fertility at 1M
   * rows these matched scikit-learn's forest's CV AUC to 0.001, where 0.8 and 0.8 were 0.004 under
   * it.
   */
  private static XGBoostClassifier forest(long seed) {
    XGBoostClassifier x = xgboost(seed);
    x.set(x.getParam("numRound"), 1);
    x.set(x.getParam("num_parallel_tree"), 100);
    x.set(x.getParam("eta"), 1.0);
    x.set(x.getParam("subsample"), 0.632);
    return x;
  }

  /**
   * Checks every algorithm's grid and ranges against the estimator's parameters (names, types,
   * valid values) without Spark; all problems in one {@link ConfigException}.
   */
  public static void check(DatasetConfig ds) {
    List<String> problems = new ArrayList<>();
    List<Algorithm> algorithms = ds.tune().algorithms();
    if (algorithms.isEmpty()) {
      problems.add(
          "dataset.tune.algorithms is empty for dataset '"
              + ds.name()
              + "': there is nothing to train. Add e.g. algorithms = [ { type = logistic-regression, grid { regParam = [0.01, 0.1] } } ].");
    }
    for (int i = 0; i < algorithms.size(); i++) {
      Algorithm a = algorithms.get(i);
      String where = "dataset.tune.algorithms[" + i + "] (" + a.type() + ")";
      Estimator<?> e = estimator(a.type(), 0);
      Set<String> names = new TreeSet<>();
      for (Param<?> p : e.params()) {
        if (!RESERVED.contains(p.name())) {
          names.add(p.name());
        }
      }
      Set<String> used = new LinkedHashSet<>(a.grid().keySet());
      used.addAll(a.ranges().keySet());
      for (String name : used) {
        if (!names.contains(name)) {
          problems.add(
              where
                  + ": '"
                  + name
                  + "' is not a tunable parameter of "
                  + e.getClass().getSimpleName()
                  + ". Use one of "
                  + names
                  + Suggest.didYouMean(name, names)
                  + ".");
          continue;
        }
        Param<Object> p = param(e, name);
        for (String v : a.grid().getOrDefault(name, List.of())) {
          try {
            pair(p, v);
          } catch (RuntimeException ex) {
            problems.add(
                where + ": grid value " + name + " = " + v + " is invalid: " + ex.getMessage());
          }
        }
        Range r = a.ranges().get(name);
        if (r != null
            && !(p instanceof DoubleParam
                || p instanceof IntParam
                || p instanceof FloatParam
                || p instanceof LongParam)) {
          problems.add(
              where
                  + ": "
                  + name
                  + " is not numeric, so it cannot take a range. List its values instead: "
                  + name
                  + " = [a, b].");
        } else if (r != null) {
          for (double bound : new double[] {r.min(), r.max()}) {
            try {
              pair(p, format(p, bound));
            } catch (RuntimeException ex) {
              problems.add(
                  where
                      + ": range bound "
                      + name
                      + " = "
                      + bound
                      + " is invalid: "
                      + ex.getMessage());
            }
          }
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(
          "Configuration problems for tune ("
              + problems.size()
              + "):\n  - "
              + String.join("\n  - ", problems));
    }
  }

  /**
   * Candidate parameter maps of one algorithm: the grid's product, or {@code trials} seeded random
   * draws.
   */
  public static List<ParamMap> candidates(
      Estimator<?> e, Algorithm a, boolean random, int trials, long seed) {
    List<ParamMap> out = new ArrayList<>();
    if (!random) {
      List<Map<String, String>> combos = new ArrayList<>();
      combos.add(new TreeMap<>());
      for (Map.Entry<String, List<String>> g : new TreeMap<>(a.grid()).entrySet()) {
        List<Map<String, String>> next = new ArrayList<>();
        for (Map<String, String> c : combos) {
          for (String v : g.getValue()) {
            Map<String, String> m = new TreeMap<>(c);
            m.put(g.getKey(), v);
            next.add(m);
          }
        }
        combos = next;
      }
      for (Map<String, String> c : combos) {
        out.add(paramMap(e, c));
      }
      return out;
    }
    Random rnd = new Random(seed);
    Set<Map<String, String>> seen = new LinkedHashSet<>();
    for (int t = 0; t < trials; t++) {
      Map<String, String> c = new TreeMap<>();
      for (Map.Entry<String, List<String>> g : new TreeMap<>(a.grid()).entrySet()) {
        c.put(g.getKey(), g.getValue().get(rnd.nextInt(g.getValue().size())));
      }
      for (Map.Entry<String, Range> r : new TreeMap<>(a.ranges()).entrySet()) {
        Range range = r.getValue();
        double u = rnd.nextDouble();
        double v =
            range.log()
                ? Math.exp(
                    Math.log(range.min()) + u * (Math.log(range.max()) - Math.log(range.min())))
                : range.min() + u * (range.max() - range.min());
        c.put(r.getKey(), format(param(e, r.getKey()), v));
      }
      if (seen.add(c)) {
        out.add(paramMap(e, c));
      }
    }
    return out;
  }

  /** The parameter map for values given as text (as in the registry's params column). */
  public static ParamMap paramMap(Estimator<?> e, Map<String, String> values) {
    ParamMap m = new ParamMap();
    for (Map.Entry<String, String> v : values.entrySet()) {
      m.put(pair(param(e, v.getKey()), v.getValue()));
    }
    return m;
  }

  /** Parameter name → value as text, sorted by name: how trials and the registry store params. */
  public static Map<String, String> describe(ParamMap m) {
    Map<String, String> out = new TreeMap<>();
    for (ParamPair<?> p : m.toList()) {
      Object v = p.value();
      out.put(p.param().name(), v instanceof double[] d ? Arrays.toString(d) : String.valueOf(v));
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Param<Object> param(Estimator<?> e, String name) {
    return (Param<Object>) (Param<?>) e.getParam(name);
  }

  private static String format(Param<?> p, double v) {
    if (p instanceof IntParam || p instanceof LongParam) {
      return String.valueOf(Math.round(v));
    }
    // a few significant digits keep trials readable and params reproducible from their text
    return String.valueOf(Double.parseDouble(String.format(java.util.Locale.ROOT, "%.6g", v)));
  }

  /**
   * A validated (param, value) pair; MLlib's ParamPair checks the value against the param's rule.
   */
  private static ParamPair<Object> pair(Param<Object> p, String text) {
    Object value;
    try {
      if (p instanceof DoubleParam) {
        value = Double.parseDouble(text);
      } else if (p instanceof IntParam) {
        value = Integer.parseInt(text);
      } else if (p instanceof LongParam) {
        value = Long.parseLong(text);
      } else if (p instanceof FloatParam) {
        value = Float.parseFloat(text);
      } else if (p instanceof BooleanParam) {
        if (!text.equals("true") && !text.equals("false")) {
          throw new IllegalArgumentException("expected true or false");
        }
        value = Boolean.parseBoolean(text);
      } else {
        value = text;
      }
    } catch (NumberFormatException ex) {
      throw new IllegalArgumentException(
          "'"
              + text
              + "' is not a "
              + p.getClass().getSimpleName().replace("Param", "").toLowerCase(java.util.Locale.ROOT)
              + " ("
              + p.doc()
              + ")");
    }
    return new ParamPair<>(p, value);
  }

  /** Names of the algorithms configured, in order. */
  static Map<String, Algorithm> byType(DatasetConfig ds) {
    Map<String, Algorithm> out = new LinkedHashMap<>();
    for (Algorithm a : ds.tune().algorithms()) {
      out.put(a.type(), a);
    }
    return out;
  }
}
