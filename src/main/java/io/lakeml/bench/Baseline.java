package io.lakeml.bench;

import static org.apache.spark.sql.functions.col;

import io.lakeml.config.DatasetConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.feature.MinMaxScaler;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.CrossValidatorModel;
import org.apache.spark.ml.tuning.ParamGridBuilder;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The same three steps as the pipeline, written as plainly as Spark allows, for the overhead ratio:
 * landing files → one Delta table; index + one-hot + assemble + 0..1 scaling fitted on a 60% split;
 * one CrossValidator of logistic regression over the dataset's grid. No validation, lineage,
 * quarantine, ledger or registry.
 */
final class Baseline {
  /** Step measurements and what the search found. */
  record Result(
      Map<String, Meter.Measurement> steps,
      long trainRows,
      double bestAuc,
      Map<String, String> bestParams) {}

  private Baseline() {}

  /** Runs the copy, and when {@code search} also the features and the cross-validation. */
  static Result run(
      SparkSession spark,
      DatasetConfig ds,
      String landing,
      String workDir,
      Map<String, List<String>> lrGrid,
      int parallelism,
      boolean search)
      throws Exception {
    Map<String, Meter.Measurement> steps = new LinkedHashMap<>();
    String table = workDir + "/delta";
    String format = ds.source().format().toString();

    steps.put(
        "ingest",
        Meter.measure(
                () -> {
                  spark
                      .read()
                      .format(format)
                      .load(landing)
                      .write()
                      .format("delta")
                      .mode("overwrite")
                      .save(table);
                  return null;
                })
            .measurement());
    if (!search) {
      return new Result(steps, 0, Double.NaN, Map.of());
    }

    String label = ds.label().orElseThrow().column();
    String positive = ds.label().orElseThrow().positive().orElseThrow();
    List<String> numeric = ds.features().numeric();
    List<String> categorical = ds.features().categorical();
    Meter.Measured<Dataset<Row>> prepared =
        Meter.measure(
            () -> {
              Dataset<Row> rows =
                  spark
                      .read()
                      .format("delta")
                      .load(table)
                      .withColumn("label", col(label).equalTo(positive).cast("double"));
              Dataset<Row>[] split = rows.randomSplit(new double[] {0.6, 0.2, 0.2}, 42);
              List<PipelineStage> stages = new ArrayList<>();
              List<String> encoded = new ArrayList<>();
              for (String c : categorical) {
                stages.add(
                    new StringIndexer()
                        .setInputCol(c)
                        .setOutputCol(c + "_idx")
                        .setHandleInvalid("keep"));
                stages.add(new OneHotEncoder().setInputCol(c + "_idx").setOutputCol(c + "_ohe"));
                encoded.add(c + "_ohe");
              }
              stages.add(
                  new VectorAssembler()
                      .setInputCols(numeric.toArray(new String[0]))
                      .setOutputCol("num")
                      .setHandleInvalid("skip"));
              stages.add(new MinMaxScaler().setInputCol("num").setOutputCol("num_scaled"));
              encoded.add("num_scaled");
              stages.add(
                  new VectorAssembler()
                      .setInputCols(encoded.toArray(new String[0]))
                      .setOutputCol("features"));
              PipelineModel features =
                  new Pipeline().setStages(stages.toArray(new PipelineStage[0])).fit(split[0]);
              Dataset<Row> train = features.transform(split[0]).select("label", "features").cache();
              train.count();
              return train;
            });
    steps.put("prepare", prepared.measurement());
    Dataset<Row> train = prepared.value();
    try {
      long trainRows = train.count();
      LogisticRegression lr = new LogisticRegression();
      ParamGridBuilder grid = new ParamGridBuilder();
      for (Map.Entry<String, List<String>> e : lrGrid.entrySet()) {
        org.apache.spark.ml.param.Param<Object> p = lr.getParam(e.getKey());
        List<Object> values = new ArrayList<>();
        for (String v : e.getValue()) {
          values.add(p.jsonDecode(v));
        }
        grid.addGrid(p, scala.jdk.javaapi.CollectionConverters.asScala(values));
      }
      ParamMap[] maps = grid.build();
      CrossValidator cv =
          new CrossValidator()
              .setEstimator(lr)
              .setEstimatorParamMaps(maps)
              .setEvaluator(new BinaryClassificationEvaluator().setMetricName("areaUnderROC"))
              .setNumFolds(3)
              .setParallelism(parallelism)
              .setSeed(42);
      Meter.Measured<CrossValidatorModel> m = Meter.measure(() -> cv.fit(train));
      steps.put("crossValidation", m.measurement());
      double[] avg = m.value().avgMetrics();
      int best = 0;
      for (int i = 1; i < avg.length; i++) {
        if (avg[i] > avg[best]) {
          best = i;
        }
      }
      Map<String, String> params = new LinkedHashMap<>();
      maps[best].toList().forEach(pp -> params.put(pp.param().name(), String.valueOf(pp.value())));
      return new Result(steps, trainRows, avg[best], params);
    } finally {
      train.unpersist();
    }
  }
}
