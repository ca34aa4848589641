package io.lakeml.report;

import java.util.ArrayList;
import java.util.List;

/**
 * Precision, recall and F1 of each class, from a confusion matrix (rows: true class, columns:
 * predicted): what a multiclass model's one accuracy hides, e.g. a class the model never predicts.
 * A score with nothing to divide by (a class never predicted, or absent from the split) is NaN.
 *
 * @param support rows of the class in the split
 * @param predicted rows predicted as the class
 */
record ClassScores(long support, long predicted, double precision, double recall, double f1) {

  /** One entry per row of {@code matrix}, in its order. */
  static List<ClassScores> of(double[][] matrix) {
    int k = matrix.length;
    List<ClassScores> out = new ArrayList<>(k);
    for (int c = 0; c < k; c++) {
      double correct = c < matrix[c].length ? matrix[c][c] : 0;
      double actual = 0;
      for (double v : matrix[c]) {
        actual += v;
      }
      double predicted = 0;
      for (double[] row : matrix) {
        predicted += c < row.length ? row[c] : 0;
      }
      double precision = predicted == 0 ? Double.NaN : correct / predicted;
      double recall = actual == 0 ? Double.NaN : correct / actual;
      double f1 =
          Double.isNaN(precision) || Double.isNaN(recall)
              ? Double.NaN
              : precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
      out.add(new ClassScores((long) actual, (long) predicted, precision, recall, f1));
    }
    return out;
  }
}
