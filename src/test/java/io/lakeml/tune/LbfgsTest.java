package io.lakeml.tune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The ask/tell L-BFGS on functions with known minima, without Spark. */
class LbfgsTest {
  /** f(x) = Σ a_i (x_i − c_i)² + (x_0 − x_1)⁴, conditioned 1 : 1000. */
  private static double value(double[] x, double[] g) {
    double[] a = {1, 10, 100, 1000};
    double[] c = {1, -2, 0.5, 3};
    double f = 0;
    for (int i = 0; i < x.length; i++) {
      f += a[i] * (x[i] - c[i]) * (x[i] - c[i]);
      g[i] = 2 * a[i] * (x[i] - c[i]);
    }
    double d = x[0] - x[1];
    f += d * d * d * d;
    g[0] += 4 * d * d * d;
    g[1] -= 4 * d * d * d;
    return f;
  }

  private static Lbfgs run(Lbfgs opt) {
    int evaluations = 0;
    while (!opt.done()) {
      double[] g = new double[4];
      double f = value(opt.point(), g);
      opt.tell(f, g);
      assertThat(++evaluations).as("evaluations").isLessThan(1000);
    }
    return opt;
  }

  @Test
  void findsTheMinimumOfAnIllConditionedConvexFunction() {
    Lbfgs opt = run(new Lbfgs(new double[4], 10, 200, 1e-12));
    double[] x = opt.solution();
    double[] g = new double[4];
    value(x, g);
    for (double gi : g) {
      assertThat(gi).isCloseTo(0, within(1e-5));
    }
    assertThat(x[2]).isCloseTo(0.5, within(1e-8));
    assertThat(x[3]).isCloseTo(3, within(1e-8));
    assertThat(opt.stopped()).isIn("value", "gradient");
    assertThat(opt.iterations()).isBetween(5, 100);
  }

  @Test
  void stopsAtMaxIterAndOnALooseTolerance() {
    Lbfgs two = run(new Lbfgs(new double[4], 10, 2, 1e-12));
    assertThat(two.iterations()).isEqualTo(2);
    assertThat(two.stopped()).isEqualTo("maxIter");
    Lbfgs loose = run(new Lbfgs(new double[4], 10, 200, 1e-2));
    Lbfgs tight = run(new Lbfgs(new double[4], 10, 200, 1e-12));
    assertThat(loose.iterations()).isLessThan(tight.iterations());
    // every accepted step lowered the value: the loose solution is between the start and the tight
    // one
    double[] g = new double[4];
    assertThat(value(loose.solution(), g))
        .isLessThan(value(new double[4], g))
        .isGreaterThanOrEqualTo(value(tight.solution(), g));
  }
}
