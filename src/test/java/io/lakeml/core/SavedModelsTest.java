package io.lakeml.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakeml.testing.TestProject;
import io.lakeml.testing.TestSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * A saved pipeline is read through Spark once per application; the same directory saved again is
 * read again, and callers' parameter changes stay their own.
 */
class SavedModelsTest {
  @Test
  void aSavedPipelineLoadsWithoutSparkJobsUntilItsDirectoryIsSavedAgain() throws Exception {
    SparkSession spark = TestSpark.session();
    Path dir =
        Files.createTempDirectory(
            Files.createDirectories(TestProject.projectDir().resolve("target/tmp")),
            "saved-models");
    String path = dir.resolve("v1").toUri().toString();
    Dataset<Row> rows = rows(spark);
    PipelineModel first = fit(rows, 10).fit(rows);
    first.write().overwrite().save(path);

    // read from disk once, then from memory: no Spark job the second time
    String group = "saved-models-" + System.nanoTime();
    SparkJobCounter counter = SparkJobCounter.of(spark.sparkContext());
    spark.sparkContext().setJobGroup(group, "test", false);
    try {
      PipelineModel loaded = SavedModels.load(spark, path);
      spark.sparkContext().listenerBus().waitUntilEmpty();
      long jobsFirst = counter.jobs(group);
      PipelineModel again = SavedModels.load(spark, path);
      spark.sparkContext().listenerBus().waitUntilEmpty();
      assertThat(jobsFirst).as("a load from disk runs Spark jobs").isGreaterThan(0);
      assertThat(counter.jobs(group)).as("the second load runs none").isEqualTo(jobsFirst);
      assertThat(again).isNotSameAs(loaded);
      assertThat(coefficient(again)).isEqualTo(coefficient(first));

      // a caller's setting does not reach the next caller
      ((LogisticRegressionModel) again.stages()[1]).setThreshold(0.9);
      assertThat(
              ((LogisticRegressionModel) SavedModels.load(spark, path).stages()[1]).getThreshold())
          .isEqualTo(0.5);

      // the same path saved again with another model: loaded anew, not the remembered one
      PipelineModel second = fit(rows, 1).fit(rows);
      second.write().overwrite().save(path);
      assertThat(coefficient(SavedModels.load(spark, path)))
          .isEqualTo(coefficient(second))
          .isNotEqualTo(coefficient(first));

      // what this application saved and announced is loaded without Spark
      String other = dir.resolve("v2").toUri().toString();
      first.write().overwrite().save(other);
      SavedModels.saved(spark, other, first);
      spark.sparkContext().listenerBus().waitUntilEmpty();
      long before = counter.jobs(group);
      assertThat(coefficient(SavedModels.load(spark, other))).isEqualTo(coefficient(first));
      spark.sparkContext().listenerBus().waitUntilEmpty();
      assertThat(counter.jobs(group)).isEqualTo(before);
    } finally {
      spark.sparkContext().clearJobGroup();
      counter.forget(group);
    }
  }

  /**
   * A pipeline saved inside another is copied from where it was saved, without a Spark job, and the
   * outer pipeline loads back with the same stages.
   */
  @Test
  void aPipelineSavedAlreadyIsCopiedIntoTheOneThatHoldsIt() throws Exception {
    SparkSession spark = TestSpark.session();
    Path dir =
        Files.createTempDirectory(
            Files.createDirectories(TestProject.projectDir().resolve("target/tmp")), "saved-at");
    String inner = dir.resolve("features").toUri().toString();
    String outer = dir.resolve("version").toUri().toString();
    Dataset<Row> rows = rows(spark);
    PipelineModel features =
        new Pipeline()
            .setStages(
                new PipelineStage[] {
                  new StandardScaler().setInputCol("x0").setOutputCol("scaled").setWithMean(true)
                })
            .fit(
                new VectorAssembler()
                    .setInputCols(new String[] {"x"})
                    .setOutputCol("x0")
                    .transform(rows));
    features.write().overwrite().save(inner);
    PipelineModel loaded = SavedModels.load(spark, inner);
    PipelineModel version =
        new PipelineModel(
            "version",
            new Transformer[] {
              new VectorAssembler().setInputCols(new String[] {"x"}).setOutputCol("x0"),
              SavedModels.savedAt(loaded, inner)
            });

    String group = "saved-at-" + System.nanoTime();
    SparkJobCounter counter = SparkJobCounter.of(spark.sparkContext());
    spark.sparkContext().setJobGroup(group, "test", false);
    try {
      version.write().overwrite().save(outer);
      spark.sparkContext().listenerBus().waitUntilEmpty();
      // the outer pipeline's and the assembler's metadata: two writes, none for the copied stage
      assertThat(counter.jobs(group)).isEqualTo(2);
    } finally {
      spark.sparkContext().clearJobGroup();
      counter.forget(group);
    }
    Path stage =
        Files.list(dir.resolve("version/stages"))
            .filter(p -> p.getFileName().toString().startsWith("1_"))
            .findFirst()
            .orElseThrow();
    // the very files prepare wrote (a new save would carry another timestamp)
    assertThat(SavedModels.metadata(spark.sparkContext().hadoopConfiguration(), stage.toString()))
        .isEqualTo(SavedModels.metadata(spark.sparkContext().hadoopConfiguration(), inner));
    PipelineModel back = PipelineModel.load(outer);
    assertThat(back.stages()[1]).isInstanceOf(PipelineModel.class);
    Row expected = version.transform(rows).orderBy("x").select("scaled").first();
    assertThat(back.transform(rows).orderBy("x").select("scaled").first()).isEqualTo(expected);
  }

  /** Four rows of one feature x and a label that follows it. */
  private static Dataset<Row> rows(SparkSession spark) {
    StructType schema =
        new StructType().add("x", DataTypes.DoubleType).add("label", DataTypes.DoubleType);
    return spark.createDataFrame(
        List.of(
            RowFactory.create(0.0, 0.0),
            RowFactory.create(1.0, 1.0),
            RowFactory.create(0.2, 0.0),
            RowFactory.create(0.9, 1.0)),
        schema);
  }

  private static Pipeline fit(Dataset<Row> rows, int maxIter) {
    return new Pipeline()
        .setStages(
            new PipelineStage[] {
              new VectorAssembler().setInputCols(new String[] {"x"}).setOutputCol("features"),
              new LogisticRegression().setMaxIter(maxIter).setRegParam(0.1)
            });
  }

  private static double coefficient(PipelineModel m) {
    return ((LogisticRegressionModel) m.stages()[1]).coefficients().apply(0);
  }
}
