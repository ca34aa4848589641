package io.lakeml.tune;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How tune picks the winner among each algorithm's best; no Spark. */
class SelectionTest {
  @Test
  void aValidationMetricAheadOnlyByRoundingIsATieThatTheCrossValidatedMetricDecides() {
    // the helper's 80-row sample: random forest ahead by 1e-16 on 15 validation rows, behind in CV
    double lr = 0.5681818181818181;
    double rf = 0.5681818181818182;
    assertThat(TuneJob.beats(rf, 0.55, lr, 0.61, true)).isFalse();
    assertThat(TuneJob.beats(rf, 0.65, lr, 0.61, true)).isTrue();
    assertThat(TuneJob.beats(lr, 0.61, lr, 0.61, true)).as("a full tie keeps the first").isFalse();
    // a real lead wins whatever the CV says; for a smaller-is-better metric the other way round
    assertThat(TuneJob.beats(0.60, 0.1, 0.59, 0.9, true)).isTrue();
    assertThat(TuneJob.beats(0.60, 0.1, 0.59, 0.9, false)).isFalse();
    assertThat(TuneJob.beats(0.59 + 1e-13, 0.2, 0.59, 0.3, false)).isTrue();
  }

  @Test
  void aValidationSplitOfAFewRowsIsFlaggedAsUncertain() {
    assertThat(TuneJob.caution(15)).get().asString().contains("holds 15 rows (under 50)");
    assertThat(TuneJob.caution(50)).isEmpty();
    // a binary model about as good as guessing says so, beside the size caution when both apply
    assertThat(TuneJob.caution(500, 0.4915))
        .get()
        .asString()
        .startsWith("validation areaUnderROC 0.4915 is about chance (0.5, under 0.55)")
        .contains("dataset.prepare.derived");
    assertThat(TuneJob.caution(15, 0.52))
        .get()
        .asString()
        .contains("holds 15 rows")
        .contains("; validation areaUnderROC 0.5200");
    assertThat(TuneJob.caution(500, 0.55)).isEmpty();
    assertThat(TuneJob.caution(500, null)).isEmpty();
  }
}
