package io.lakeml.prepare;

import io.lakeml.config.DatasetConfig;
import io.lakeml.config.DatasetConfig.Missing;
import io.lakeml.config.DatasetConfig.MissingPolicy;
import io.lakeml.tables.GoldTable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.Imputer;
import org.apache.spark.ml.feature.MinMaxScaler;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;

/**
 * The Spark ml feature pipeline of a dataset: derived features and constant fills (SQL),
 * imputation, category indexing and one-hot encoding, numeric scaling, assembly into {@code
 * features}, the helper columns dropped. Fitted on the training split only and saved, so tune and
 * batch scoring apply exactly the same statistics. Categories never seen in training map to an
 * extra "unknown" slot instead of failing.
 */
final class FeaturePipeline {
  static final String FEATURES = GoldTable.FEATURES;
  static final String MISSING_CATEGORY = "__missing__";

  private FeaturePipeline() {}

  /** Names of all numeric and categorical feature inputs, derived ones included. */
  record Inputs(List<String> numeric, List<String> categorical) {}

  static Inputs inputs(DatasetConfig ds) {
    List<String> numeric = new ArrayList<>(ds.features().numeric());
    List<String> categorical = new ArrayList<>(ds.features().categorical());
    for (DatasetConfig.Derived d : ds.prepare().derived()) {
      (d.numeric() ? numeric : categorical).add(d.name());
    }
    return new Inputs(numeric, categorical);
  }

  static Pipeline build(DatasetConfig ds) {
    Inputs in = inputs(ds);
    DatasetConfig.Prepare prep = ds.prepare();
    List<PipelineStage> stages = new ArrayList<>();
    // the columns the stages below add on the way to the features, dropped by the last stage
    List<String> intermediate = new ArrayList<>();

    // 1. SQL: derived features, numeric casts with constant fills, categorical text with fills
    StringBuilder sql = new StringBuilder("SELECT *");
    for (DatasetConfig.Derived d : prep.derived()) {
      sql.append(", ").append(d.expression()).append(" AS `").append(d.name()).append('`');
    }
    StringBuilder outer = new StringBuilder("SELECT *");
    for (String c : in.numeric()) {
      Missing m = prep.missingFor(c, true);
      String cast = "CAST(`" + c + "` AS DOUBLE)";
      outer
          .append(", ")
          .append(
              m.policy() == MissingPolicy.CONSTANT
                  ? "coalesce(" + cast + ", " + Double.parseDouble(m.value().orElseThrow()) + ")"
                  : cast)
          .append(" AS `")
          .append(num(c))
          .append('`');
      intermediate.add(num(c));
    }
    for (String c : in.categorical()) {
      Missing m = prep.missingFor(c, false);
      String fill =
          m.policy() == MissingPolicy.CONSTANT ? m.value().orElseThrow() : MISSING_CATEGORY;
      outer
          .append(", coalesce(CAST(`")
          .append(c)
          .append("` AS STRING), '")
          .append(fill.replace("'", "\\'"))
          .append("') AS `")
          .append(cat(c))
          .append('`');
      intermediate.add(cat(c));
    }
    stages.add(new SQLTransformer().setStatement(outer + " FROM (" + sql + " FROM __THIS__)"));

    // 2. imputation fitted on train: one Imputer per strategy
    Map<String, List<String>> byStrategy = new LinkedHashMap<>();
    for (String c : in.numeric()) {
      MissingPolicy p = prep.missingFor(c, true).policy();
      if (p == MissingPolicy.MEAN || p == MissingPolicy.MEDIAN || p == MissingPolicy.MODE) {
        byStrategy.computeIfAbsent(p.toString(), k -> new ArrayList<>()).add(c);
      }
    }
    java.util.Set<String> imputed = new java.util.HashSet<>();
    for (Map.Entry<String, List<String>> e : byStrategy.entrySet()) {
      stages.add(
          new Imputer()
              .setStrategy(e.getKey())
              .setInputCols(e.getValue().stream().map(FeaturePipeline::num).toArray(String[]::new))
              .setOutputCols(e.getValue().stream().map(c -> "__imp_" + c).toArray(String[]::new)));
      imputed.addAll(e.getValue());
      e.getValue().forEach(c -> intermediate.add("__imp_" + c));
    }

    List<String> assembled = new ArrayList<>();
    // 3. numeric scaling fitted on train
    if (!in.numeric().isEmpty()) {
      stages.add(
          new VectorAssembler()
              .setInputCols(
                  in.numeric().stream()
                      .map(c -> imputed.contains(c) ? "__imp_" + c : num(c))
                      .toArray(String[]::new))
              .setOutputCol("__numeric_raw")
              .setHandleInvalid("error"));
      if (prep.scaling() == DatasetConfig.Scaling.MINMAX) {
        stages.add(
            new MinMaxScaler().setInputCol("__numeric_raw").setOutputCol("__numeric_scaled"));
      } else {
        stages.add(
            new StandardScaler()
                .setInputCol("__numeric_raw")
                .setOutputCol("__numeric_scaled")
                .setWithMean(true)
                .setWithStd(true));
      }
      assembled.add("__numeric_scaled");
      intermediate.addAll(List.of("__numeric_raw", "__numeric_scaled"));
    }
    // 4. categories indexed on train (most frequent first, ties alphabetical), one-hot encoded
    if (!in.categorical().isEmpty()) {
      String[] cats = in.categorical().stream().map(FeaturePipeline::cat).toArray(String[]::new);
      String[] idx = in.categorical().stream().map(c -> "__idx_" + c).toArray(String[]::new);
      String[] ohe = in.categorical().stream().map(c -> "__ohe_" + c).toArray(String[]::new);
      stages.add(
          new StringIndexer()
              .setInputCols(cats)
              .setOutputCols(idx)
              .setHandleInvalid("keep")
              .setStringOrderType("frequencyDesc"));
      stages.add(
          new OneHotEncoder()
              .setInputCols(idx)
              .setOutputCols(ohe)
              .setHandleInvalid("keep")
              .setDropLast(true));
      assembled.addAll(List.of(ohe));
      intermediate.addAll(List.of(idx));
      intermediate.addAll(List.of(ohe));
    }
    stages.add(
        new VectorAssembler()
            .setInputCols(assembled.toArray(new String[0]))
            .setOutputCol(FEATURES));
    // 5. the helper columns dropped: a transform's output is its input and the features.
    // XGBoost's transform turns every column of every row into a Row and back (Spark cannot prune
    // columns through it); fertility's helpers are 21 columns, seven of them vectors, and scoring
    // 10M rows took 100-119 s with them against 74-93 s without (docs/benchmarks, 2026-12-05)
    if (!intermediate.isEmpty()) {
      stages.add(
          new SQLTransformer()
              .setStatement(
                  "SELECT * EXCEPT ("
                      + String.join(", ", intermediate.stream().map(c -> "`" + c + "`").toList())
                      + ") FROM __THIS__"));
    }
    return new Pipeline().setStages(stages.toArray(new PipelineStage[0]));
  }

  /**
   * The feature vector's slot names in the dataset's own terms: a scaled numeric slot is named by
   * its column ({@code age}), a one-hot slot by column and value ({@code sex = male}; the slot for
   * values never seen in training {@code sex = (unseen)}). Importances and coefficients then read
   * as the user wrote the configuration, instead of {@code __numeric_scaled_0} or {@code
   * __ohe_sex_male}.
   */
  static org.apache.spark.sql.types.Metadata readableNames(
      org.apache.spark.sql.types.StructField features, Inputs in) {
    org.apache.spark.ml.attribute.AttributeGroup group =
        org.apache.spark.ml.attribute.AttributeGroup.fromStructField(features);
    if (group.attributes().isEmpty()) {
      return features.metadata();
    }
    org.apache.spark.ml.attribute.Attribute[] attrs = group.attributes().get();
    org.apache.spark.ml.attribute.Attribute[] named =
        new org.apache.spark.ml.attribute.Attribute[attrs.length];
    for (int i = 0; i < attrs.length; i++) {
      String name = attrs[i].name().isDefined() ? attrs[i].name().get() : null;
      named[i] = name == null ? attrs[i] : attrs[i].withName(readable(name, in));
    }
    return new org.apache.spark.ml.attribute.AttributeGroup(FEATURES, named).toMetadata();
  }

  private static String readable(String slot, Inputs in) {
    String scaled = "__numeric_scaled_";
    if (slot.startsWith(scaled)) {
      try {
        int i = Integer.parseInt(slot.substring(scaled.length()));
        return i < in.numeric().size() ? in.numeric().get(i) : slot;
      } catch (NumberFormatException e) {
        return slot;
      }
    }
    // longest column name first: "a_b" must win over "a" for the slot "__ohe_a_b_x"
    List<String> cats = new ArrayList<>(in.categorical());
    cats.sort(java.util.Comparator.comparingInt(String::length).reversed());
    for (String c : cats) {
      String prefix = "__ohe_" + c + "_";
      if (slot.startsWith(prefix)) {
        String value = slot.substring(prefix.length());
        return c
            + " = "
            + (value.equals("__unknown")
                ? "(unseen)"
                : value.equals(MISSING_CATEGORY) ? "(missing)" : value);
      }
    }
    return slot;
  }

  static String num(String c) {
    return "__num_" + c;
  }

  static String cat(String c) {
    return "__cat_" + c;
  }
}
