package io.lakeml.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The SVG helpers: values → pixel coordinates, ticks, escaping. No Spark. */
class SvgTest {
  @Test
  void scalesMapDomainsOntoRangesBothWays() {
    assertThat(new Svg.Scale(0, 10, 100, 200).at(2.5)).isEqualTo(125.0);
    // y runs downwards on screen: the domain's top is the smaller pixel value
    assertThat(new Svg.Scale(0, 1, 244, 14).at(0.25)).isEqualTo(186.5);
    assertThat(new Svg.Scale(3, 3, 0, 100).at(3))
        .as("a flat domain maps to the middle")
        .isEqualTo(50.0);
  }

  @Test
  void ticksAreRoundStepsCoveringTheValues() {
    assertThat(Svg.ticks(0, 0.93, 5))
        .extracting(Html::num)
        .containsExactly("0", "0.2", "0.4", "0.6", "0.8", "1");
    assertThat(Svg.ticks(-5, 10, 5)).containsExactly(-5.0, 0.0, 5.0, 10.0);
    assertThat(Svg.ticks(0, 785, 5)).containsExactly(0.0, 200.0, 400.0, 600.0, 800.0);
  }

  @Test
  void barsStartAtZeroAndAreAsLongAsTheirValue() {
    String svg =
        Svg.bars(
            "t",
            List.of(new Svg.Bar("a", 10, false), new Svg.Bar("b", -5, true)),
            null,
            null,
            null);
    // ticks -5..10 over the bar area [206, 464] (160 for labels, 46 for negative values): zero sits
    // at 206 + 258 / 3
    double zero = 206 + 258 / 3.0;
    double[] a = rect(svg, "10");
    assertThat(a[0]).isCloseTo(zero, within(0.06));
    assertThat(a[1]).isCloseTo(464 - zero, within(0.06));
    double[] b = rect(svg, "-5");
    assertThat(b[0]).isCloseTo(206, within(0.06));
    assertThat(b[1]).isCloseTo(zero - 206, within(0.06));
    assertThat(svg).contains("class=\"bar alert\"").contains(">10</text>").contains(">-5</text>");
  }

  @Test
  void bandAndThresholdAreDrawnAtTheirValues() {
    String svg = Svg.bars("di", List.of(new Svg.Bar("pre", 0.5, true)), 0.8, 1.25, 1.0);
    // ticks 0, 0.5, 1, 1.5 over [160, 464]
    Matcher band =
        Pattern.compile("<rect class=\"band\" x=\"([\\d.]+)\" y=\"[\\d.]+\" width=\"([\\d.]+)\"")
            .matcher(svg);
    assertThat(band.find()).isTrue();
    assertThat(Double.parseDouble(band.group(1))).isCloseTo(160 + 304 * 0.8 / 1.5, within(0.06));
    assertThat(Double.parseDouble(band.group(2))).isCloseTo(304 * 0.45 / 1.5, within(0.1));
    assertThat(svg)
        .containsPattern(
            "<line class=\"limit\" x1=\""
                + String.format(java.util.Locale.ROOT, "%.1f", 160 + 304 / 1.5));
  }

  @Test
  void xyPlacesPointsInsideTheAxes() {
    String svg =
        Svg.xy(
            "roc",
            "fpr",
            "tpr",
            List.of(
                new Svg.Series("", List.of(new double[] {0.5, 0.5}, new double[] {1, 1}), true)),
            null,
            new double[] {0, 1},
            new double[] {0, 1},
            true);
    // x axis [56, 444], y axis [244, 14]
    assertThat(svg)
        .contains("points=\"250.0,129.0 444.0,14.0\"")
        .contains("<circle class=\"point\" cx=\"250.0\" cy=\"129.0\"");
    String categorical =
        Svg.xy(
            "trend",
            "run date",
            "rows",
            List.of(new Svg.Series("r1", List.of(new double[] {0, 2}, new double[] {1, 4}), true)),
            List.of("2026-11-20", "2026-11-21"),
            null,
            null,
            false);
    assertThat(categorical)
        .contains(">2026-11-20</text>")
        .contains(">2026-11-21</text>")
        .contains(">r1</text>");
  }

  @Test
  void textIsEscapedAndNumbersAreShort() {
    String svg =
        Svg.bars(
            "<t>", List.of(new Svg.Bar("<script>alert('x')</script>", 1, false)), null, null, null);
    assertThat(svg)
        .doesNotContain("<script>")
        .contains("&lt;script&gt;")
        .contains("<title>&lt;t&gt;</title>");
    assertThat(Html.esc("a & \"b\"")).isEqualTo("a &amp; &quot;b&quot;");
    assertThat(Html.num(785)).isEqualTo("785");
    assertThat(Html.num(785.0)).isEqualTo("785");
    assertThat(Html.num(0.381679)).isEqualTo("0.3817");
    assertThat(Html.num(null)).isEqualTo("–");
    assertThat(Html.num(Double.NaN)).isEqualTo("–");
  }

  /** x and width of the bar whose data-value is {@code value}. */
  private static double[] rect(String svg, String value) {
    Matcher m =
        Pattern.compile(
                "<rect class=\"bar[^\"]*\" x=\"([-\\d.]+)\" y=\"[\\d.]+\" width=\"([\\d.]+)\" height=\"\\d+\" data-value=\""
                    + Pattern.quote(value)
                    + "\"")
            .matcher(svg);
    assertThat(m.find()).as("bar %s in %s", value, svg).isTrue();
    return new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2))};
  }
}
