package io.lakeml.tune;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Limited-memory BFGS (Nocedal and Wright, Numerical Optimization, algorithm 7.4) driven from
 * outside: {@link #point()} is where the function is wanted next and {@link #tell} gives its value
 * and gradient there. That lets one Spark pass evaluate many optimizers at once ({@link
 * SharedPassLogistic}); Breeze's L-BFGS, which MLlib uses, calls its function itself and cannot be
 * driven this way.
 *
 * <p>Steps are found by backtracking until the Armijo condition holds (the first step is scaled to
 * length 1, later ones start at 1, which the curvature scaling makes right most of the time). The
 * stopping rules are Breeze's as MLlib configures them: {@code maxIter} iterations; the value
 * within {@code tol × |initial value|} of the largest of the last 10; or the gradient norm below
 * {@code max(tol × |value|, 1e-8)}.
 */
final class Lbfgs {
  private static final double ARMIJO = 1e-4;
  private static final int MAX_BACKTRACKS = 30;
  private static final int VALUE_HISTORY = 10;

  private final int memory;
  private final int maxIter;
  private final double tol;
  private final Deque<Pair> pairs = new ArrayDeque<>();
  private final Deque<Double> values = new ArrayDeque<>();
  private double[] x;
  private double f = Double.NaN;
  private double[] g;
  private double initial;
  private double[] direction;
  private double slope;
  private double step;
  private double[] trial;
  private int backtracks;
  private int iterations;
  private String stopped;

  /** One remembered step s, its gradient change y, and ρ = 1 / (y·s). */
  private record Pair(double[] s, double[] y, double rho) {}

  Lbfgs(double[] start, int memory, int maxIter, double tol) {
    this.x = start.clone();
    this.trial = this.x;
    this.memory = memory;
    this.maxIter = maxIter;
    this.tol = tol;
    if (maxIter <= 0) {
      stopped = "maxIter";
    }
  }

  /** The point to evaluate next (only while not {@link #done()}). */
  double[] point() {
    return trial;
  }

  boolean done() {
    return stopped != null;
  }

  /** Why it stopped: maxIter, value, gradient or line search; null while running. */
  String stopped() {
    return stopped;
  }

  int iterations() {
    return iterations;
  }

  /** The best point found (the last accepted one). */
  double[] solution() {
    return x.clone();
  }

  /** The function's value and gradient at {@link #point()}. */
  void tell(double value, double[] gradient) {
    if (Double.isNaN(f)) { // the start
      f = value;
      g = gradient.clone();
      initial = value;
      values.addLast(value);
      if (norm(g) <= Math.max(tol * Math.abs(f), 1e-8)) {
        stopped = "gradient";
        return;
      }
      beginStep();
      return;
    }
    if (value <= f + ARMIJO * step * slope && Double.isFinite(value)) {
      accept(value, gradient);
      return;
    }
    if (++backtracks > MAX_BACKTRACKS) {
      stopped = "line search";
      return;
    }
    // minimum of the quadratic through f, the slope and the trial value, kept within [0.1, 0.5] of
    // the step
    double q =
        Double.isFinite(value)
            ? -slope * step * step / (2 * (value - f - slope * step))
            : 0.1 * step;
    step = Math.min(0.5 * step, Math.max(0.1 * step, q));
    trial = along(step);
  }

  private void accept(double value, double[] gradient) {
    double[] s = new double[x.length];
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      s[i] = trial[i] - x[i];
      y[i] = gradient[i] - g[i];
    }
    double ys = dot(y, s);
    if (ys
        > 1e-10 * norm(y) * norm(s)) { // keep the inverse Hessian approximation positive definite
      pairs.addLast(new Pair(s, y, 1 / ys));
      if (pairs.size() > memory) {
        pairs.removeFirst();
      }
    }
    x = trial;
    f = value;
    g = gradient.clone();
    iterations++;
    values.addLast(value);
    if (values.size() > VALUE_HISTORY) {
      values.removeFirst();
    }
    double largest = values.stream().mapToDouble(Double::doubleValue).max().orElse(value);
    if (iterations >= maxIter) {
      stopped = "maxIter";
    } else if (values.size() >= 2 && Math.abs(value - largest) <= tol * Math.abs(initial)) {
      stopped = "value";
    } else if (norm(g) <= Math.max(tol * Math.abs(f), 1e-8)) {
      stopped = "gradient";
    } else {
      beginStep();
    }
  }

  /** Two-loop recursion: direction = −H·g with H the approximate inverse Hessian. */
  private void beginStep() {
    double[] q = g.clone();
    double[] alphas = new double[pairs.size()];
    int k = pairs.size();
    var back = pairs.descendingIterator();
    while (back.hasNext()) {
      Pair p = back.next();
      alphas[--k] = p.rho() * dot(p.s(), q);
      axpy(-alphas[k], p.y(), q);
    }
    if (!pairs.isEmpty()) {
      Pair last = pairs.peekLast();
      double gamma = dot(last.s(), last.y()) / dot(last.y(), last.y());
      for (int i = 0; i < q.length; i++) {
        q[i] *= gamma;
      }
    }
    for (Pair p : pairs) {
      double b = p.rho() * dot(p.y(), q);
      axpy(alphas[k++] - b, p.s(), q);
    }
    for (int i = 0; i < q.length; i++) {
      q[i] = -q[i];
    }
    direction = q;
    slope = dot(g, direction);
    if (slope >= 0) { // not a descent direction (numerically): fall back to steepest descent
      pairs.clear();
      direction = g.clone();
      for (int i = 0; i < direction.length; i++) {
        direction[i] = -direction[i];
      }
      slope = dot(g, direction);
    }
    step = pairs.isEmpty() ? Math.min(1.0, 1.0 / norm(direction)) : 1.0;
    backtracks = 0;
    trial = along(step);
  }

  private double[] along(double t) {
    double[] p = x.clone();
    axpy(t, direction, p);
    return p;
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  private static double norm(double[] a) {
    return Math.sqrt(dot(a, a));
  }

  private static void axpy(double a, double[] x, double[] y) {
    for (int i = 0; i < x.length; i++) {
      y[i] += a * x[i];
    }
  }
}
