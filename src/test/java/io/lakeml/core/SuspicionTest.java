package io.lakeml.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** When a perfect validation score makes a version suspect (never promoted automatically). */
class SuspicionTest {
  private static ModelRegistry.Entry entry(
      List<String> classes, String metric, double validation, double cv, long validationRows) {
    return new ModelRegistry.Entry(
        "logistic-regression",
        Map.of(),
        classes.size() == 2 ? "areaUnderROC" : "f1",
        cv,
        Map.of(),
        Map.of(metric, validation),
        Map.of(),
        new long[0][0],
        classes,
        null,
        100,
        validationRows,
        validationRows,
        1,
        null,
        null,
        null,
        1,
        3,
        "grid",
        1,
        0.0,
        null,
        null,
        null,
        null);
  }

  @Test
  void aPerfectBinaryAucIsSuspectAndAMulticlassOneOnlyWhenItIsImplausible() {
    // binary: validation AUC 1.0 is suspect whatever cross-validation said (issue 25's rule)
    assertThat(ModelRegistry.suspicion(entry(List.of("no", "yes"), "areaUnderROC", 1.0, 0.95, 35)))
        .contains("validation areaUnderROC is 1.0 on 35 rows");
    assertThat(ModelRegistry.suspicion(entry(List.of("no", "yes"), "areaUnderROC", 0.999, 1.0, 35)))
        .isNull();
    List<String> three = List.of("a", "b", "c");
    // wine: 35 rows all right from a model that cross-validates at 0.983: 0.983^35 = 0.55, no
    // surprise
    assertThat(ModelRegistry.suspicion(entry(three, "accuracy", 1.0, 0.983, 35))).isNull();
    // 476 rows all right at 0.983: 0.983^476 = 0.0003, suspect
    assertThat(ModelRegistry.suspicion(entry(three, "accuracy", 1.0, 0.983, 476)))
        .contains("validation accuracy is 1.0 on 476 rows");
    // perfect in cross-validation too (a leaked label): suspect on any number of rows
    assertThat(ModelRegistry.suspicion(entry(three, "accuracy", 1.0, 1.0, 35))).isNotNull();
    assertThat(ModelRegistry.suspicion(entry(three, "accuracy", 0.97, 1.0, 35))).isNull();
  }
}
