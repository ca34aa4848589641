package io.lakeml.model;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_position;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import io.lakeml.config.DatasetConfig;
import java.util.List;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.feature.IndexToString;
import org.apache.spark.sql.Column;

/**
 * The one mapping between a label's values and the class indexes models predict, used where a model
 * is trained (prepare), where its outcomes are judged (monitor) and where its predictions are named
 * (score). A binary label's positive value is 1.0 and every other value 0.0, the positive value
 * matched regardless of case, surrounding spaces and a final full stop ({@code Yes}, {@code " YES"}
 * and {@code yes} are one answer as exports write it, and UCI's Adult test file writes {@code
 * ">50K."} where its training file writes {@code ">50K"}); a multiclass label's value is its
 * position in the recorded classes (sorted values), and a value not among them is -1.0. The class
 * names are those the registry records with each model version; a version's saved pipeline also
 * ends with their {@link #decoder}, so the model itself answers in the label's values.
 */
public final class LabelCoding {
  /** The column a model version's saved pipeline writes its predicted class's name to. */
  public static final String PREDICTED_CLASS = "predictedClass";

  private LabelCoding() {}

  /**
   * The last stage of a model version's saved pipeline: MLlib's {@code prediction} (a class index)
   * to the class's name in {@link #PREDICTED_CLASS}, the inverse of {@link #encode} for the classes
   * the version was trained on. Score reads its predictions from it, and anyone loading the saved
   * model gets names rather than indexes.
   */
  public static IndexToString decoder(List<String> classes) {
    return new IndexToString()
        .setInputCol(Algorithms.PREDICTION)
        .setOutputCol(PREDICTED_CLASS)
        .setLabels(classes.toArray(new String[0]));
  }

  /**
   * The classifier of a model version's saved pipeline: its second stage, after the features and
   * before the {@link #decoder} (which versions saved before 2026-12-06 do not have).
   */
  public static Transformer classifier(PipelineModel version) {
    return version.stages()[1];
  }

  /** The class index (a double, as MLlib's label column) of a label value. */
  public static Column encode(Column value, DatasetConfig.Label label, List<String> classes) {
    Column text = value.cast("string");
    if (label.binary()) {
      return when(isPositive(text, label.positive().get()), 1.0).otherwise(0.0);
    }
    return array_position(names(classes), text).minus(1).cast("double");
  }

  /**
   * Whether a label value (as text) is the positive class, ignoring case, surrounding spaces and a
   * final full stop.
   */
  public static Column isPositive(Column text, String positive) {
    return trim(regexp_replace(lower(trim(text)), "\\.$", "")).equalTo(normalized(positive));
  }

  /** A label value as {@link #isPositive} compares it. */
  public static String normalized(String value) {
    return written(value).toLowerCase(java.util.Locale.ROOT);
  }

  /** A label value without surrounding spaces and a final full stop, its case kept. */
  public static String written(String value) {
    String s = value.strip();
    return s.endsWith(".") ? s.substring(0, s.length() - 1).strip() : s;
  }

  /** The class index of a predicted class name (as score writes it), -1.0 when it is none. */
  public static Column indexOf(Column className, List<String> classes) {
    return array_position(names(classes), className).minus(1).cast("double");
  }

  /**
   * The class name of a predicted index (MLlib's {@code prediction}), for versions saved without a
   * {@link #decoder}.
   */
  public static Column decode(Column prediction, List<String> classes) {
    return element_at(names(classes), prediction.cast("int").plus(1));
  }

  private static Column names(List<String> classes) {
    return array(classes.stream().map(c -> lit(c)).toArray(Column[]::new));
  }
}
