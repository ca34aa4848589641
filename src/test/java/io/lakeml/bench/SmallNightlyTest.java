package io.lakeml.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** bench-small's comparison of two lakes' registry rows. */
class SmallNightlyTest {
  private static final String ROW =
      "{\"version\":1,\"algorithm\":\"xgboost\",\"cv_metric\":0.8241500391435301,"
          + "\"train_metrics\":{\"areaUnderROC\":0.87,\"areaUnderPR\":0.741922770498887},"
          + "\"confusion_matrix\":[[1,2],[3,4]],\"probability_sum\":483.623265863}\n";

  @Test
  void rowsAreTheSameWhenNumbersDifferInTheSixteenthDigitOnly() {
    String last =
        ROW.replace("0.8241500391435301", "0.8241500391435302")
            .replace("0.741922770498887", "0.7419227704988868");
    assertThat(SmallNightly.sameRows(ROW + ROW, last + ROW)).isTrue();
  }

  @Test
  void anyOtherDifferenceIsOne() {
    assertThat(SmallNightly.sameRows(ROW, ROW.replace("0.87", "0.8700001"))).isFalse();
    assertThat(SmallNightly.sameRows(ROW, ROW.replace("xgboost", "random-forest"))).isFalse();
    assertThat(SmallNightly.sameRows(ROW, ROW.replace("[3,4]", "[3,5]"))).isFalse();
    assertThat(SmallNightly.sameRows(ROW, ROW.replace(",\"probability_sum\":483.623265863", "")))
        .isFalse();
    assertThat(SmallNightly.sameRows(ROW + ROW, ROW)).isFalse();
    assertThat(SmallNightly.sameRows("", "")).as("no rows is no evidence").isFalse();
  }
}
