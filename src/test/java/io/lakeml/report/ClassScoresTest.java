package io.lakeml.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Per-class scores from a confusion matrix, and the report's table of them. */
class ClassScoresTest {
  @Test
  void precisionRecallAndF1OfEachClassWithAClassNeverPredicted() {
    // rows: true class; columns: predicted. Class c is never predicted.
    double[][] m = {{8, 2, 0}, {1, 9, 0}, {3, 1, 0}};
    List<ClassScores> s = ClassScores.of(m);
    assertThat(s.get(0).support()).isEqualTo(10);
    assertThat(s.get(0).predicted()).isEqualTo(12);
    assertThat(s.get(0).precision()).isCloseTo(8.0 / 12, within(1e-12));
    assertThat(s.get(0).recall()).isCloseTo(0.8, within(1e-12));
    assertThat(s.get(0).f1()).isCloseTo(2 * (8.0 / 12) * 0.8 / (8.0 / 12 + 0.8), within(1e-12));
    assertThat(s.get(1).precision()).isCloseTo(0.75, within(1e-12));
    assertThat(s.get(1).recall()).isCloseTo(0.9, within(1e-12));
    assertThat(s.get(2).support()).isEqualTo(4);
    assertThat(s.get(2).predicted()).isZero();
    assertThat(s.get(2).precision()).isNaN();
    assertThat(s.get(2).recall()).isZero();
    assertThat(s.get(2).f1()).isNaN();
  }

  @Test
  void theReportShowsTheTableForMoreThanTwoClasses() {
    String html =
        HtmlReport.perClass(
            List.of("a", "b", "c"), List.of(List.of(8, 2, 0), List.of(1, 9, 0), List.of(3, 1, 0)));
    assertThat(html)
        .contains("<caption>Per class (test split)</caption>")
        .contains(
            "<tr><th>a</th><td>10</td><td>12</td><td>0.667</td><td>0.800</td><td>0.727</td></tr>")
        .contains("<tr><th>c</th><td>4</td><td>0</td><td>–</td><td>0.000</td><td>–</td></tr>");
  }
}
