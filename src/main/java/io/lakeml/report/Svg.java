package io.lakeml.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Hand-written inline SVG charts for the report: a horizontal bar chart (signed values, an optional
 * shaded band and threshold line), an x/y chart (lines or points, numeric or categorical x) and a
 * small box plot of quantiles. No scripts and no external resources, so the page opens offline;
 * every text goes through {@link Html#esc}. Coordinates come from {@link Scale}, unit-tested on its
 * own.
 */
final class Svg {
  /** Series colours (colour-blind safe, Okabe-Ito). */
  static final String[] PALETTE = {
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#7F7F7F", "#F0E442"
  };

  static final int BAR_WIDTH = 510;
  static final int BAR_LABEL = 160;

  /** Room left of the bars for the value labels of negative bars. */
  static final int NEGATIVE_ROOM = 46;

  static final int BAR_ROW = 22;
  static final int XY_WIDTH = 460;
  static final int XY_HEIGHT = 300;

  private Svg() {}

  /** Linear map from a value domain to pixel coordinates (range may run backwards, as y does). */
  record Scale(double domainMin, double domainMax, double rangeMin, double rangeMax) {
    double at(double v) {
      double span = domainMax - domainMin;
      double t = span == 0 ? 0.5 : (v - domainMin) / span;
      return rangeMin + t * (rangeMax - rangeMin);
    }
  }

  /**
   * One bar: label, value, and whether to draw it in the warning colour (e.g. a breached
   * threshold).
   */
  record Bar(String label, double value, boolean alert) {}

  /** A line or point series of (x, y) pairs. */
  record Series(String name, List<double[]> points, boolean line) {}

  /** About {@code count} round tick values covering [lo, hi] (steps of 1, 2 or 5 × 10^k). */
  static List<Double> ticks(double lo, double hi, int count) {
    if (!(hi > lo)) {
      hi = lo + 1;
    }
    double raw = (hi - lo) / Math.max(1, count);
    double mag = Math.pow(10, Math.floor(Math.log10(raw)));
    double step =
        raw / mag <= 1 ? mag : raw / mag <= 2 ? 2 * mag : raw / mag <= 5 ? 5 * mag : 10 * mag;
    List<Double> out = new ArrayList<>();
    // whole multiples of the step (no accumulated rounding), the last one at or above hi
    for (long i = (long) Math.floor(lo / step + 1e-9);
        i <= (long) Math.ceil(hi / step - 1e-9);
        i++) {
      out.add(i * step);
    }
    return out;
  }

  /**
   * Horizontal bars from zero; {@code bandLow}/{@code bandHigh} shade an acceptable range and
   * {@code threshold} draws a limit line (each may be null).
   */
  static String bars(
      String title, List<Bar> bars, Double bandLow, Double bandHigh, Double threshold) {
    double lo = 0;
    double hi = 0;
    for (Bar b : bars) {
      lo = Math.min(lo, b.value());
      hi = Math.max(hi, b.value());
    }
    for (Double d : new Double[] {bandLow, bandHigh, threshold}) {
      if (d != null) {
        lo = Math.min(lo, d);
        hi = Math.max(hi, d);
      }
    }
    List<Double> ticks = ticks(lo, hi, 5);
    double top = 8;
    int height = (int) (top + bars.size() * BAR_ROW + 26);
    boolean negative = bars.stream().anyMatch(b -> b.value() < 0);
    Scale x =
        new Scale(
            ticks.get(0),
            ticks.get(ticks.size() - 1),
            BAR_LABEL + (negative ? NEGATIVE_ROOM : 0),
            BAR_WIDTH - 46);
    double bottom = top + bars.size() * BAR_ROW;
    StringBuilder s = open(title, BAR_WIDTH, height);
    if (bandLow != null && bandHigh != null) {
      s.append(
          String.format(
              Locale.ROOT,
              "<rect class=\"band\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>",
              x.at(bandLow),
              top,
              x.at(bandHigh) - x.at(bandLow),
              bottom - top));
    }
    for (double t : ticks) {
      s.append(
          String.format(
              Locale.ROOT,
              "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
              x.at(t),
              top,
              x.at(t),
              bottom));
      s.append(
          String.format(
              Locale.ROOT,
              "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>",
              x.at(t),
              bottom + 16,
              Html.num(t)));
    }
    for (int i = 0; i < bars.size(); i++) {
      Bar b = bars.get(i);
      double y = top + i * BAR_ROW;
      double x0 = x.at(Math.min(0, b.value()));
      double w = Math.abs(x.at(b.value()) - x.at(0));
      s.append(
          String.format(
              Locale.ROOT,
              "<text class=\"label\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>",
              BAR_LABEL - 8,
              y + 15,
              Html.esc(shorten(b.label(), 26))));
      s.append(
          String.format(
              Locale.ROOT,
              "<rect class=\"bar%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" data-value=\"%s\"><title>%s: %s</title></rect>",
              b.alert() ? " alert" : "",
              x0,
              y + 4,
              w,
              BAR_ROW - 8,
              Html.num(b.value()),
              Html.esc(b.label()),
              Html.num(b.value())));
      boolean right = b.value() >= 0;
      s.append(
          String.format(
              Locale.ROOT,
              "<text class=\"value\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>",
              right ? x0 + w + 4 : x0 - 4,
              y + 15,
              right ? "start" : "end",
              Html.num(b.value())));
    }
    s.append(
        String.format(
            Locale.ROOT,
            "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
            x.at(0),
            top,
            x.at(0),
            bottom));
    if (threshold != null) {
      s.append(
          String.format(
              Locale.ROOT,
              "<line class=\"limit\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
              x.at(threshold),
              top - 4,
              x.at(threshold),
              bottom));
    }
    return s.append("</svg>").toString();
  }

  /**
   * An x/y chart with axes, grid and labels. With {@code categories}, x values are indexes into it
   * (e.g. run dates); {@code xDomain}/{@code yDomain} fix an axis (e.g. [0, 1] for ROC), otherwise
   * it fits the data. {@code diagonal} draws y = x (a random classifier's ROC).
   */
  static String xy(
      String title,
      String xLabel,
      String yLabel,
      List<Series> series,
      List<String> categories,
      double[] xDomain,
      double[] yDomain,
      boolean diagonal) {
    double[] xs = domain(series, 0, xDomain);
    double[] ys = domain(series, 1, yDomain);
    double left = 56;
    double right = XY_WIDTH - 16;
    double top = 14;
    double bottom = XY_HEIGHT - 56;
    List<Double> yTicks =
        yDomain != null ? ticks(yDomain[0], yDomain[1], 5) : ticks(ys[0], ys[1], 5);
    boolean whole =
        series.stream().allMatch(se -> se.points().stream().allMatch(p -> p[1] == Math.rint(p[1])));
    if (whole && yTicks.size() > 1 && yTicks.get(1) - yTicks.get(0) < 1) {
      // counts and versions: no half steps on the axis
      yTicks =
          ticks(
              Math.floor(yTicks.get(0)),
              Math.ceil(yTicks.get(yTicks.size() - 1)),
              (int)
                  Math.max(
                      1, Math.ceil(yTicks.get(yTicks.size() - 1) - Math.floor(yTicks.get(0)))));
    }
    List<Double> xTicks;
    if (categories != null) {
      xTicks = new ArrayList<>();
      int every = Math.max(1, (int) Math.ceil(categories.size() / 6.0));
      for (int i = 0; i < categories.size(); i += every) {
        xTicks.add((double) i);
      }
      xs = new double[] {-0.5, categories.size() - 0.5};
    } else {
      xTicks = xDomain != null ? ticks(xDomain[0], xDomain[1], 5) : ticks(xs[0], xs[1], 5);
      xs = new double[] {xTicks.get(0), xTicks.get(xTicks.size() - 1)};
    }
    Scale x = new Scale(xs[0], xs[1], left, right);
    Scale y = new Scale(yTicks.get(0), yTicks.get(yTicks.size() - 1), bottom, top);
    // the legend wraps onto as many rows as it needs below the axis label
    List<double[]> legend = new ArrayList<>();
    boolean named = series.size() > 1 || (series.size() == 1 && !series.get(0).name().isEmpty());
    double lx = left;
    int legendRow = 0;
    for (int i = 0; named && i < series.size(); i++) {
      double w = 24 + 6.5 * shorten(series.get(i).name(), 22).length();
      if (lx + w > XY_WIDTH && lx > left) {
        lx = left;
        legendRow++;
      }
      legend.add(new double[] {lx, XY_HEIGHT - 14 + 16 * legendRow});
      lx += w;
    }
    int height = XY_HEIGHT + 16 * legendRow;
    StringBuilder s = open(title, XY_WIDTH, height);
    for (double t : yTicks) {
      s.append(
          String.format(
              Locale.ROOT,
              "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
              left,
              y.at(t),
              right,
              y.at(t)));
      s.append(
          String.format(
              Locale.ROOT,
              "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>",
              left - 6,
              y.at(t) + 4,
              Html.num(t)));
    }
    for (double t : xTicks) {
      String label = categories != null ? shorten(categories.get((int) t), 12) : Html.num(t);
      s.append(
          String.format(
              Locale.ROOT,
              "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
              x.at(t),
              top,
              x.at(t),
              bottom));
      s.append(
          String.format(
              Locale.ROOT,
              "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>",
              x.at(t),
              bottom + 16,
              Html.esc(label)));
    }
    s.append(
        String.format(
            Locale.ROOT,
            "<polyline class=\"axis\" points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\"/>",
            left,
            top,
            left,
            bottom,
            right,
            bottom));
    s.append(
        String.format(
            Locale.ROOT,
            "<text class=\"axis-label\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>",
            (left + right) / 2,
            XY_HEIGHT - 26,
            Html.esc(xLabel)));
    s.append(
        String.format(
            Locale.ROOT,
            "<text class=\"axis-label\" transform=\"translate(14 %.1f) rotate(-90)\" text-anchor=\"middle\">%s</text>",
            (top + bottom) / 2,
            Html.esc(yLabel)));
    if (diagonal) {
      s.append(
          String.format(
              Locale.ROOT,
              "<line class=\"limit\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
              x.at(0),
              y.at(0),
              x.at(1),
              y.at(1)));
    }
    for (int i = 0; i < series.size(); i++) {
      Series se = series.get(i);
      String color = PALETTE[i % PALETTE.length];
      if (se.line() && se.points().size() > 1) {
        StringBuilder pts = new StringBuilder();
        for (double[] p : se.points()) {
          pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x.at(p[0]), y.at(p[1])));
        }
        s.append("<polyline class=\"series\" stroke=\"")
            .append(color)
            .append("\" points=\"")
            .append(pts.toString().trim())
            .append("\"/>");
      }
      if (!se.line() || se.points().size() <= 30) {
        for (double[] p : se.points()) {
          s.append(
              String.format(
                  Locale.ROOT,
                  "<circle class=\"point\" cx=\"%.1f\" cy=\"%.1f\" r=\"%s\" fill=\"%s\"><title>%s: (%s, %s)</title></circle>",
                  x.at(p[0]),
                  y.at(p[1]),
                  se.line() ? "2.5" : "4",
                  color,
                  Html.esc(se.name()),
                  categories != null ? Html.esc(categories.get((int) p[0])) : Html.num(p[0]),
                  Html.num(p[1])));
        }
      }
    }
    for (int i = 0; i < legend.size(); i++) {
      double[] at = legend.get(i);
      s.append(
          String.format(
              Locale.ROOT,
              "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"%s\"/>",
              at[0],
              at[1],
              PALETTE[i % PALETTE.length]));
      s.append(
          String.format(
              Locale.ROOT,
              "<text class=\"legend\" x=\"%.1f\" y=\"%.1f\">%s</text>",
              at[0] + 14,
              at[1] + 9,
              Html.esc(shorten(series.get(i).name(), 22))));
    }
    return s.append("</svg>").toString();
  }

  /**
   * A one-line box plot: whiskers from the 5 % to the 95 % quantile, box from 25 % to 75 %, a mark
   * at the median, and min/max as dots, on the axis [min, max].
   */
  static String box(String title, double min, double max, List<Double> quantiles) {
    int w = 440;
    int h = 44;
    Scale x = new Scale(min, max, 8, w - 8);
    StringBuilder s = open(title, w, h);
    double mid = 16;
    s.append(
        String.format(
            Locale.ROOT,
            "<line class=\"axis\" x1=\"8\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>",
            mid,
            w - 8,
            mid));
    if (quantiles != null && quantiles.size() == 5) {
      double q05 = x.at(quantiles.get(0));
      double q25 = x.at(quantiles.get(1));
      double q50 = x.at(quantiles.get(2));
      double q75 = x.at(quantiles.get(3));
      double q95 = x.at(quantiles.get(4));
      s.append(
          String.format(
              Locale.ROOT,
              "<line class=\"whisker\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
              q05,
              mid,
              q95,
              mid));
      s.append(
          String.format(
              Locale.ROOT,
              "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"20\"/>",
              q25,
              mid - 10,
              Math.max(1, q75 - q25)));
      s.append(
          String.format(
              Locale.ROOT,
              "<line class=\"median\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
              q50,
              mid - 11,
              q50,
              mid + 11));
      s.append(
          String.format(
              Locale.ROOT,
              "<text class=\"tick\" x=\"%.1f\" y=\"40\" text-anchor=\"middle\">median %s</text>",
              q50,
              Html.num(quantiles.get(2))));
    }
    s.append(
        String.format(
            Locale.ROOT, "<text class=\"tick\" x=\"8\" y=\"40\">%s</text>", Html.num(min)));
    s.append(
        String.format(
            Locale.ROOT,
            "<text class=\"tick\" x=\"%d\" y=\"40\" text-anchor=\"end\">%s</text>",
            w - 8,
            Html.num(max)));
    return s.append("</svg>").toString();
  }

  private static StringBuilder open(String title, int width, int height) {
    return new StringBuilder(
        String.format(
            Locale.ROOT,
            "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\"><title>%s</title>",
            width,
            height,
            width,
            height,
            Html.esc(title)));
  }

  private static double[] domain(List<Series> series, int axis, double[] fixed) {
    if (fixed != null) {
      return fixed;
    }
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (Series se : series) {
      for (double[] p : se.points()) {
        lo = Math.min(lo, p[axis]);
        hi = Math.max(hi, p[axis]);
      }
    }
    if (lo > hi) {
      return new double[] {0, 1};
    }
    // a flat series still gets an axis with some room around it
    double pad = hi == lo ? Math.max(Math.abs(lo) * 0.05, 0.01) : (hi - lo) * 0.05;
    return new double[] {lo - pad, hi + pad};
  }

  private static String shorten(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }
}
