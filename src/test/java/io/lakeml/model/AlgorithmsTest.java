package io.lakeml.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakeml.config.DatasetConfig.Algorithm;
import io.lakeml.config.DatasetConfig.Range;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.ParamMap;
import org.junit.jupiter.api.Test;

/** Search spaces without Spark: grid products and seeded random draws, typed by MLlib's params. */
class AlgorithmsTest {
  @Test
  void gridIsTheFullProductWithTypedValues() {
    Estimator<?> rf = Algorithms.estimator("random-forest", 1);
    List<ParamMap> c =
        Algorithms.candidates(
            rf,
            new Algorithm(
                "random-forest",
                Map.of("numTrees", List.of("10", "20"), "maxDepth", List.of("3", "5", "7")),
                Map.of()),
            false,
            0,
            1);
    assertThat(c).hasSize(6);
    assertThat(c.get(0).get(rf.getParam("maxDepth")).get()).isEqualTo(3);
    assertThat(c.stream().map(Algorithms::describe).toList())
        .contains(Map.of("maxDepth", "7", "numTrees", "20"));
  }

  @Test
  void randomDrawsAreSeededAndStayInsideTheirRanges() {
    Estimator<?> lr = Algorithms.estimator("logistic-regression", 1);
    Algorithm a =
        new Algorithm(
            "logistic-regression",
            Map.of("elasticNetParam", List.of("0.0", "1.0")),
            Map.of("regParam", new Range(0.001, 10, true), "maxIter", new Range(5, 50, false)));
    List<Map<String, String>> first =
        Algorithms.candidates(lr, a, true, 40, 9).stream().map(Algorithms::describe).toList();
    List<Map<String, String>> again =
        Algorithms.candidates(lr, a, true, 40, 9).stream().map(Algorithms::describe).toList();
    assertThat(first).hasSize(40).isEqualTo(again);
    int below01 = 0;
    for (Map<String, String> m : first) {
      double reg = Double.parseDouble(m.get("regParam"));
      int iter = Integer.parseInt(m.get("maxIter"));
      assertThat(reg).isBetween(0.001, 10.0);
      assertThat(iter).isBetween(5, 50);
      assertThat(m.get("elasticNetParam")).isIn("0.0", "1.0");
      below01 += reg < 0.1 ? 1 : 0;
    }
    // log scale: half of the draws land in the lower half of the exponents (0.001..0.1 of
    // 0.001..10)
    assertThat(below01).isBetween(12, 28);
    assertThat(
            Algorithms.candidates(lr, a, true, 40, 10).stream().map(Algorithms::describe).toList())
        .isNotEqualTo(first);
  }
}
