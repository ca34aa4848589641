package io.lakeml.prepare;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * How well each feature alone separates a binary label: the exact (tie-aware) AUC of one score per
 * row, all features in one aggregation. A numeric feature's score is its raw value, on the training
 * split (nulls left out). A categorical feature's score is its value's label rate on the training
 * split, applied to the validation split (values unseen in training get the training base rate): a
 * column unique per row then scores 0.5 instead of a spurious 1.0, while a renamed copy of the
 * label still scores 1.0.
 */
final class Leakage {
  /** One feature's single-feature AUC; {@code strength} = max(AUC, 1 − AUC). */
  record Association(String feature, String kind, double auc, long rows) {
    double strength() {
      return Math.max(auc, 1 - auc);
    }
  }

  private static final String FEATURE = "feature";
  private static final String KIND = "kind";
  private static final String SCORE = "score";
  private static final String Y = "y";
  private static final String NULL_VALUE = "\u0000null";
  private static final String VALUE = "value";
  private static final String SIDE = "in_train";
  private static final String POS = "pos";
  private static final String NEG = "neg";

  private Leakage() {}

  /**
   * @param train training rows with the features and {@code label} (1.0 / 0.0)
   * @param held rows the categorical rates are applied to (the validation split; the training rows
   *     when there is no validation split)
   * @return every feature's association, strongest first
   */
  static List<Association> measure(
      Dataset<Row> train,
      Dataset<Row> held,
      String label,
      List<String> numeric,
      List<String> categorical) {
    // each part gives (feature, kind, score, pos, neg): positives and negatives at that score
    List<Dataset<Row>> scored = new ArrayList<>();
    if (!numeric.isEmpty()) {
      Column[] items =
          numeric.stream()
              .map(f -> struct(lit(f).as(FEATURE), col(f).cast("double").as(SCORE)))
              .toArray(Column[]::new);
      scored.add(
          train
              .select(explode(array(items)).as("p"), col(label).as(Y))
              .select(
                  col("p." + FEATURE).as(FEATURE),
                  lit("numeric").as(KIND),
                  col("p." + SCORE).as(SCORE),
                  col(Y).as(POS),
                  lit(1.0).minus(col(Y)).as(NEG))
              .where(col(SCORE).isNotNull()));
    }
    if (!categorical.isEmpty()) {
      scored.add(categoricalLevels(train, held, label, categorical));
    }
    if (scored.isEmpty()) {
      return List.of();
    }
    Dataset<Row> all = scored.get(0);
    for (int i = 1; i < scored.size(); i++) {
      all = all.unionByName(scored.get(i));
    }
    // one row per distinct (feature, score): ties collapse, so the AUC below counts them as half
    Dataset<Row> levels =
        all.groupBy(FEATURE, KIND, SCORE).agg(sum(col(POS)).as(POS), sum(col(NEG)).as(NEG));
    Column posUpTo =
        sum(col("pos"))
            .over(
                Window.partitionBy(FEATURE)
                    .orderBy(SCORE)
                    .rowsBetween(Window.unboundedPreceding(), Window.currentRow()));
    // per negative: the positives scored below it, plus half of those tied with it = P(pos < neg) +
    // ½ P(tie) summed
    Dataset<Row> below =
        levels.withColumn("below", col("neg").multiply(posUpTo.minus(col("pos").multiply(0.5))));
    List<Association> out = new ArrayList<>();
    // bounded: one row per feature
    for (Row r :
        below.groupBy(FEATURE, KIND).agg(sum("below"), sum("pos"), sum("neg")).collectAsList()) {
      double pos = r.getDouble(3);
      double neg = r.getDouble(4);
      if (pos == 0 || neg == 0) {
        continue; // one class only: no separation to measure
      }
      out.add(
          new Association(
              r.getString(0),
              r.getString(1),
              1 - r.getDouble(2) / (pos * neg),
              (long) (pos + neg)));
    }
    out.sort(
        Comparator.comparingDouble(Association::strength)
            .reversed()
            .thenComparing(Association::feature));
    return out;
  }

  /**
   * A categorical feature's held-out positives and negatives per score. A value's score is its
   * label rate on the training rows, so what the AUC needs are four sums per (feature, value): the
   * label's sum and count among the training rows and among the held rows. They come from one
   * aggregation over both; exploding the rows and joining every held row to its value's rate took
   * 12 s of a 10M-row prepare. The sums are of 0/1 labels, so they and their ratios are exactly
   * what averaging the rows gave.
   */
  private static Dataset<Row> categoricalLevels(
      Dataset<Row> train, Dataset<Row> held, String label, List<String> categorical) {
    Column[] items =
        categorical.stream()
            .map(
                f ->
                    struct(
                        lit(f).as(FEATURE),
                        coalesce(col(f).cast("string"), lit(NULL_VALUE)).as(VALUE)))
            .toArray(Column[]::new);
    // held may be the training rows themselves (no validation split): they then count on both sides
    Dataset<Row> sides =
        train
            .select(explode(array(items)).as("p"), col(label).as(Y), lit(true).as(SIDE))
            .unionByName(
                held.select(explode(array(items)).as("p"), col(label).as(Y), lit(false).as(SIDE)));
    Column inTrain = col(SIDE);
    Column inHeld = not(col(SIDE));
    Dataset<Row> byValue =
        sides
            .groupBy(col("p." + FEATURE).as(FEATURE), col("p." + VALUE).as(VALUE))
            .agg(
                sum(when(inTrain, col(Y))).as("ty"),
                count(when(inTrain, col(Y))).as("tn"),
                sum(when(inHeld, col(Y))).as("hy"),
                count(when(inHeld, col(Y))).as("hn"));
    // a value unseen in training scores the feature's base rate over all its training rows
    Column rate = when(col("tn").gt(0), col("ty").divide(col("tn")));
    org.apache.spark.sql.expressions.WindowSpec feature = Window.partitionBy(FEATURE);
    Column base = sum(col("ty")).over(feature).divide(sum(col("tn")).over(feature));
    // the base over every training value, before the values without held rows are left out
    return byValue
        .withColumn("base", base)
        .where(col("hn").gt(0))
        .select(
            col(FEATURE),
            lit("categorical").as(KIND),
            coalesce(rate, col("base")).as(SCORE),
            col("hy").as(POS),
            col("hn").minus(col("hy")).as(NEG));
  }
}
