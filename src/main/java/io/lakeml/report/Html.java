package io.lakeml.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.List;
import java.util.Map;
import org.apache.commons.text.StringEscapeUtils;

/** HTML building blocks of the report: escaping, number formatting, tables. */
final class Html {
  private Html() {}

  /** Escapes text for HTML content and attribute values (also quotes). */
  static String esc(Object text) {
    return text == null ? "" : StringEscapeUtils.escapeHtml4(String.valueOf(text));
  }

  /** Integers as integers, other numbers to four significant digits; a dash for missing values. */
  static String num(Object value) {
    if (value == null) {
      return "–";
    }
    if (!(value instanceof Number n)) {
      return esc(value);
    }
    double d = n.doubleValue();
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      return "–";
    }
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      return String.valueOf((long) d);
    }
    if (Math.abs(d) >= 1000) {
      return String.format(java.util.Locale.ROOT, "%.1f", d);
    }
    return new BigDecimal(d).round(new MathContext(4)).stripTrailingZeros().toPlainString();
  }

  /** A table; cells are already HTML (escape text with {@link #esc}, numbers with {@link #num}). */
  static String table(List<String> headers, List<List<String>> rows) {
    StringBuilder s = new StringBuilder("<table><thead><tr>");
    for (String h : headers) {
      s.append("<th>").append(esc(h)).append("</th>");
    }
    s.append("</tr></thead><tbody>");
    for (List<String> r : rows) {
      s.append("<tr>");
      for (String c : r) {
        s.append("<td>").append(c).append("</td>");
      }
      s.append("</tr>");
    }
    return s.append("</tbody></table>").toString();
  }

  /** A chart with the numbers behind it in a collapsed table. */
  static String figure(String caption, String svg, List<String> headers, List<List<String>> rows) {
    return "<figure>"
        + "<figcaption>"
        + esc(caption)
        + "</figcaption>"
        + svg
        + "<details><summary>Numbers behind the chart</summary>"
        + table(headers, rows)
        + "</details></figure>";
  }

  /** A paragraph saying why a section (or part of one) has nothing to show. */
  static String empty(String why) {
    return "<p class=\"empty\">" + esc(why) + "</p>";
  }

  /** A status word as a coloured badge. */
  static String badge(String status) {
    String s = status == null ? "unknown" : status;
    return "<span class=\"badge "
        + esc(s.toLowerCase(java.util.Locale.ROOT))
        + "\">"
        + esc(s)
        + "</span>";
  }

  /** Compact key → value text of a small map (e.g. table versions). */
  static String pairs(Map<?, ?> m) {
    if (m == null || m.isEmpty()) {
      return "";
    }
    StringBuilder s = new StringBuilder();
    m.forEach(
        (k, v) ->
            s.append(s.length() == 0 ? "" : "<br>").append(esc(k)).append(" @").append(num(v)));
    return s.toString();
  }
}
