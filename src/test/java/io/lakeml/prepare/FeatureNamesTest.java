package io.lakeml.prepare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.lakeml.model.ModelDiagnostics;
import io.lakeml.testing.TestSpark;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * The feature vector's slots carry the dataset's own names, and importances add up per input
 * column.
 */
class FeatureNamesTest {
  @Test
  void slotsAreNamedByColumnAndValueAndCoefficientsSumPerColumn() {
    StructType schema =
        new StructType()
            .add("age", DataTypes.DoubleType)
            .add("fare_band", DataTypes.StringType)
            .add("fare", DataTypes.StringType)
            .add("label", DataTypes.DoubleType);
    List<Row> rows = new ArrayList<>();
    String[] bands = {"low", "low", "mid", "high"};
    for (int i = 0; i < 40; i++) {
      rows.add(
          RowFactory.create(
              (double) i,
              i % 5 == 0 ? null : bands[i % 4], // missing: the category "(missing)"
              i % 3 == 0 ? "a" : "b",
              i % 4 == 3 ? 1.0 : 0.0));
    }
    Dataset<Row> data = TestSpark.session().createDataFrame(rows, schema);
    // "fare" is a prefix of "fare_band": the longer name must win for "__ohe_fare_band_low"
    FeaturePipeline.Inputs in =
        new FeaturePipeline.Inputs(List.of("age"), List.of("fare", "fare_band"));
    org.apache.spark.ml.Pipeline pipeline =
        FeaturePipeline.build(
            new io.lakeml.config.DatasetConfig(
                "t",
                null,
                List.of(),
                List.of(),
                java.util.Optional.empty(),
                List.of(),
                new io.lakeml.config.DatasetConfig.Features(
                    List.of("age"), List.of("fare", "fare_band")),
                List.of(),
                new io.lakeml.config.DatasetConfig.Prepare(
                    null,
                    io.lakeml.config.DatasetConfig.Scaling.MINMAX,
                    java.util.Map.of(),
                    List.of(),
                    new io.lakeml.config.DatasetConfig.Leakage(
                        io.lakeml.config.DatasetConfig.LeakageAction.FAIL, 0.98)),
                null,
                null,
                null));
    PipelineModel model = pipeline.fit(data);
    Dataset<Row> out = model.transform(data);
    Dataset<Row> named =
        out.withColumn(
            FeaturePipeline.FEATURES,
            out.col(FeaturePipeline.FEATURES)
                .as(
                    FeaturePipeline.FEATURES,
                    FeaturePipeline.readableNames(
                        out.schema().apply(FeaturePipeline.FEATURES), in)));
    org.apache.spark.sql.types.StructField field = named.schema().apply(FeaturePipeline.FEATURES);
    List<String> names = new ArrayList<>();
    for (org.apache.spark.ml.attribute.Attribute a :
        AttributeGroup.fromStructField(field).attributes().get()) {
      names.add(a.name().get());
    }
    // one-hot drops the last slot; "keep" adds one for values never seen in training
    assertThat(names)
        .containsExactly(
            "age",
            "fare = b",
            "fare = a",
            "fare = (unseen)",
            "fare_band = low",
            "fare_band = (missing)",
            "fare_band = high",
            "fare_band = mid",
            "fare_band = (unseen)");

    LogisticRegressionModel lr =
        new LogisticRegression()
            .setFeaturesCol(FeaturePipeline.FEATURES)
            .setLabelCol("label")
            .setMaxIter(20)
            .fit(named);
    ModelDiagnostics.Importances imp = ModelDiagnostics.importances(lr, field);
    double[] c = lr.coefficients().toArray();
    List<Row> byColumn = imp.byColumn();
    assertThat(byColumn)
        .extracting(r -> r.getString(0))
        .containsExactlyInAnyOrder("age", "fare", "fare_band");
    double band =
        byColumn.stream()
            .filter(r -> r.getString(0).equals("fare_band"))
            .findFirst()
            .orElseThrow()
            .getDouble(1);
    assertThat(band)
        .isCloseTo(
            Math.abs(c[4]) + Math.abs(c[5]) + Math.abs(c[6]) + Math.abs(c[7]), within(1e-12));
    assertThat(imp.features()).extracting(r -> r.getString(0)).contains("age", "fare_band = high");
  }
}
