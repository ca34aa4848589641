package io.lakeml.report;

import static io.lakeml.report.ReportData.*;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import io.lakeml.core.Summary;
import io.lakeml.tables.GoldTable;
import io.lakeml.tables.ModelsTable;
import io.lakeml.tables.MonitorTable;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Renders {@link ReportData} as one self-contained HTML page: inline CSS, inline SVG charts, and a
 * tiny inline script that only checks the page (it records script errors and, once loaded, marks
 * {@code <body data-report-ok>} and lists missing sections in {@code #report-check}; headless
 * Chromium reads that marker in the tests). Every section is always present; an empty one says why.
 */
final class HtmlReport {
  private final ReportData d;
  private int charts;

  private HtmlReport(ReportData d) {
    this.d = d;
  }

  /** The complete page. */
  static String render(ReportData data) {
    return new HtmlReport(data).page();
  }

  private String page() {
    List<Map<String, Object>> cards = cards();
    String[][] sections = {
      {"overview", "Overview", "Run overview", overview()},
      {"quality", "Quality", "Data quality", quality()},
      {"profile", "Profile", "Profile", profile()},
      {"splits", "Splits", "Split sizes and label rates", splits()},
      {"bias", "Bias", "Bias", bias()},
      {"tuning", "Tuning", "Tuning", tuning()},
      {"model", "Model", "Chosen model", model()},
      {"champions", "Champions", "Champion history", champions()},
      {"monitoring", "Monitoring", "Monitoring", monitoring()}
    };
    List<Map<String, Object>> frames = new ArrayList<>();
    for (String[] sec : sections) {
      frames.add(Map.of("id", sec[0], "nav", sec[1], "title", sec[2], "content", sec[3]));
    }
    if (!frames.stream().map(f -> f.get("id")).toList().equals(SECTIONS)) {
      throw new IllegalStateException("the page's sections are not ReportData.SECTIONS");
    }
    Map<String, Object> scope = new LinkedHashMap<>();
    scope.put("dataset", d.dataset());
    scope.put("runDate", d.runDate());
    scope.put("css", CSS);
    scope.put("script", SCRIPT);
    scope.put("charts", charts); // counted while the sections above were drawn
    scope.put("sectionIds", Summary.toJson(SECTIONS));
    scope.put("cards", cards);
    scope.put("sections", frames);
    scope.put("generatedAt", d.generatedAt());
    scope.put("version", d.lakemlVersion());
    scope.put("reportPath", d.reportPath());
    StringWriter page = new StringWriter();
    PAGE.execute(page, scope);
    return page.toString();
  }

  /**
   * The page's template, style sheet and self-check script: resources beside this class. Values in
   * double braces are escaped like the rest of the page ({@link Html#esc}); HTML already built (the
   * sections' bodies, the cards' values) goes in triple braces.
   */
  private static final Mustache PAGE =
      new DefaultMustacheFactory("io/lakeml/report") {
        @Override
        public void encode(String value, Writer writer) {
          try {
            writer.write(Html.esc(value));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      }.compile("page.mustache");

  private static final String CSS = resource("report.css");
  private static final String SCRIPT = resource("check.js");

  private static String resource(String name) {
    try (var in = HtmlReport.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("the report's " + name + " is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String figure(String caption, String svg, List<String> headers, List<List<String>> rows) {
    charts++;
    return Html.figure(caption, svg, headers, rows);
  }

  // ---- header and summary ------------------------------------------------------------------

  /** The header's cards: title (text), value and note (HTML). */
  private List<Map<String, Object>> cards() {
    List<Map<String, Object>> s = new ArrayList<>();
    long failed = d.runs().stream().filter(r -> "FAILED".equals(r.get(STATUS))).count();
    long skipped = d.runs().stream().filter(r -> "SKIPPED".equals(r.get(STATUS))).count();
    String night = d.runs().isEmpty() ? "NO RUNS" : failed > 0 ? "FAILED" : "SUCCEEDED";
    s.add(
        card(
            "Night",
            Html.badge(night),
            d.runs().size()
                + " stages: "
                + (d.runs().size() - failed - skipped)
                + " succeeded, "
                + skipped
                + " skipped, "
                + failed
                + " failed"));
    Map<String, Object> m = d.model();
    if (m != null) {
      String metric = str(m.get(SELECTION_METRIC));
      s.add(
          card(
              "Model",
              "v" + Html.num(m.get(VERSION)),
              Html.esc(m.get(ALGORITHM))
                  + " · test "
                  + Html.esc(metric)
                  + " "
                  + Html.num(map(m.get(TEST_METRICS)).get(metric))));
    } else {
      s.add(card("Model", "–", "no model version yet"));
    }
    s.add(
        d.champions().isEmpty()
            ? card("Champion", "–", "none yet")
            : card(
                "Champion",
                "v" + Html.num(d.champions().get(0).get(VERSION)),
                Html.esc(d.champions().get(0).get(ACTION))
                    + " "
                    + Html.esc(day(d.champions().get(0).get(AT)))));
    long rules = d.quality().size();
    long passed = d.quality().stream().filter(r -> Boolean.TRUE.equals(r.get(PASSED))).count();
    Object gold = d.prepare() == null ? null : d.prepare().rowsGold();
    s.add(
        card(
            "Data",
            gold == null ? "–" : Html.num(gold) + " rows",
            rules == 0 ? "no validation yet" : passed + " of " + rules + " rules passed"));
    s.add(
        card(
            "Bias gate",
            m == null || m.get(BIAS_GATE) == null ? "–" : Html.badge(str(m.get(BIAS_GATE))),
            m == null
                ? "no model"
                : m.get(BIAS_GATE) == null
                    ? "not evaluated"
                    : "model v"
                        + Html.num(m.get(VERSION))
                        // the gate's reason names a finding on the labels themselves this way
                        // (BiasJob.gate)
                        + (str(m.get(BIAS_REASON)).contains("data (")
                            ? " · the data's labels are outside the policy too"
                            : "")));
    List<Map<String, Object>> psi =
        d.monitor().stream().filter(r -> "feature".equals(r.get(KIND))).toList();
    if (psi.isEmpty()) {
      s.add(card("Drift", "–", "not monitored on this date"));
    } else {
      Map<String, Object> worst =
          psi.stream().max(java.util.Comparator.comparingDouble(r -> num(r.get(VALUE)))).get();
      boolean retrain =
          d.monitor().stream()
              .anyMatch(
                  r ->
                      MonitorTable.SIGNAL.equals(r.get(KIND))
                          && Boolean.TRUE.equals(r.get(BREACHED)));
      s.add(
          card(
              "Drift",
              "PSI " + Html.num(worst.get(VALUE)),
              "max, "
                  + Html.esc(worst.get(NAME))
                  + " · "
                  + (retrain ? "retrain signalled" : "no retrain signal")));
    }
    return s;
  }

  private static Map<String, Object> card(String title, String value, String note) {
    return Map.of("title", title, "value", value, "note", note);
  }

  // ---- sections ------------------------------------------------------------------------------

  private String overview() {
    if (d.runs().isEmpty()) {
      return Html.empty(
          "No stage of "
              + d.dataset()
              + " has run for "
              + d.runDate()
              + " (the run ledger _system.runs has no row for it).");
    }
    List<List<String>> rows = new ArrayList<>();
    List<Svg.Bar> bars = new ArrayList<>();
    for (Map<String, Object> r : d.runs()) {
      Map<String, Object> metrics = ReportReader.parse(str(r.get(METRICS_JSON)));
      Map<String, Object> mt = metrics == null ? Map.of() : metrics;
      rows.add(
          List.of(
              "<strong>" + Html.esc(r.get(JOB)) + "</strong>",
              Html.badge(str(r.get(STATUS))),
              Html.esc(time(r.get(STARTED_AT))),
              Html.num(num(r.get(DURATION_MS)) / 1000.0),
              Html.pairs(map(r.get(TABLES_READ))),
              Html.pairs(map(r.get(TABLES_WRITTEN))),
              Html.num(firstOf(mt, "rowsRead", "bronzeRows", "rowsIn")),
              Html.num(firstOf(mt, "rowsBronze", "silverRows", "rowsGold", "rowsScored")),
              Html.num(mt.get("rowsQuarantined")),
              "<span class=\"msg\">" + Html.esc(r.get(MESSAGE)) + "</span>"));
      bars.add(
          new Svg.Bar(
              str(r.get(JOB)), num(r.get(DURATION_MS)) / 1000.0, "FAILED".equals(r.get(STATUS))));
    }
    List<List<String>> durations =
        d.runs().stream()
            .map(r -> List.of(Html.esc(r.get(JOB)), Html.num(num(r.get(DURATION_MS)) / 1000.0)))
            .toList();
    return "<p>The stages of "
        + Html.esc(d.runDate())
        + " from the run ledger (_system.runs): per stage the latest run that did work, "
        + "or its first skipped run. Table versions are Delta versions (table @ version).</p>"
        + "<div class=\"scroll\">"
        + Html.table(
            List.of(
                "stage",
                "status",
                "started (UTC)",
                "seconds",
                "read",
                "written",
                "rows in",
                "rows out",
                "quarantined",
                "message"),
            rows)
        + "</div>"
        + figure(
            "Seconds per stage",
            Svg.bars("Seconds per stage", bars, null, null, null),
            List.of("stage", "seconds"),
            durations);
  }

  private String quality() {
    if (d.quality().isEmpty()) {
      return Html.empty(
          why(
              "prepare",
              "No validation results for "
                  + d.dataset()
                  + " on or before "
                  + d.runDate()
                  + " (_system.quality)."));
    }
    String date = str(d.quality().get(0).get(RUN_DATE));
    List<List<String>> rows = new ArrayList<>();
    List<Svg.Bar> bars = new ArrayList<>();
    for (Map<String, Object> r : d.quality()) {
      boolean ok = Boolean.TRUE.equals(r.get(PASSED));
      rows.add(
          List.of(
              Html.esc(r.get(RULE_ID)),
              Html.esc(r.get(CHECK)),
              Html.esc(r.get(COLUMN)),
              Html.esc(r.get(ACTION)),
              Html.num(r.get(ROWS_CHECKED)),
              Html.num(r.get(ROWS_FAILED)),
              Html.num(r.get(RATIO)),
              Html.badge(ok ? "passed" : "failed")));
      bars.add(new Svg.Bar(str(r.get(RULE_ID)), num(r.get(ROWS_FAILED)), !ok));
    }
    StringBuilder s =
        new StringBuilder(
            "<p>Validation of "
                + Html.esc(date)
                + (date.equals(d.runDate().toString())
                    ? ""
                    : " (the latest on or before the run date)")
                + ": "
                + d.quality().stream().filter(r -> Boolean.TRUE.equals(r.get(PASSED))).count()
                + " of "
                + d.quality().size()
                + " rules passed.</p>");
    s.append(
        Html.table(
            List.of(
                "rule",
                "check",
                "column",
                "action",
                "rows checked",
                "rows failed",
                "ratio",
                "result"),
            rows));
    s.append("<div class=\"charts\">");
    s.append(
        figure(
            "Rows failing each rule",
            Svg.bars("Rows failing each rule", bars, null, null, null),
            List.of("rule", "rows failed"),
            bars.stream().map(b -> List.of(Html.esc(b.label()), Html.num(b.value()))).toList()));
    // trend: rows failed per rule over the validations shown
    List<String> dates =
        d.qualityTrend().stream().map(r -> str(r.get(RUN_DATE))).distinct().sorted().toList();
    Map<String, List<double[]>> byRule = new TreeMap<>();
    List<List<String>> trendRows = new ArrayList<>();
    for (Map<String, Object> r : d.qualityTrend()) {
      byRule
          .computeIfAbsent(str(r.get(RULE_ID)), k -> new ArrayList<>())
          .add(new double[] {dates.indexOf(str(r.get(RUN_DATE))), num(r.get(ROWS_FAILED))});
      trendRows.add(
          List.of(
              Html.esc(r.get(RUN_DATE)),
              Html.esc(r.get(RULE_ID)),
              Html.num(r.get(ROWS_FAILED)),
              Html.badge(Boolean.TRUE.equals(r.get(PASSED)) ? "passed" : "failed")));
    }
    List<Svg.Series> series =
        byRule.entrySet().stream()
            .map(e -> new Svg.Series(e.getKey(), e.getValue(), true))
            .toList();
    double most =
        d.qualityTrend().stream().mapToDouble(r -> num(r.get(ROWS_FAILED))).max().orElse(0);
    s.append(
        figure(
            "Rows failing each rule over the last " + dates.size() + " validation(s)",
            Svg.xy(
                "Quality trend",
                "run date",
                "rows failed",
                series,
                dates,
                null,
                new double[] {0, Math.max(1, most)},
                false),
            List.of("run date", "rule", "rows failed", "result"),
            trendRows));
    return s.append("</div>").toString();
  }

  private String profile() {
    List<Map<String, Object>> all =
        d.profile().stream().filter(r -> "all".equals(r.get(SCOPE))).toList();
    if (all.isEmpty()) {
      return Html.empty(
          why(
              "prepare",
              "No column profile for "
                  + d.dataset()
                  + " on or before "
                  + d.runDate()
                  + " (_system.profile)."));
    }
    StringBuilder s =
        new StringBuilder(
            "<p>Profile of "
                + Html.esc(all.get(0).get(RUN_DATE))
                + ", all prepared rows. Numbers: box from the 25 % to the 75 % "
                + "quantile, whiskers 5 % to 95 %, line at the median, axis from min to max. Categories: the most frequent values.</p><div class=\"grid\">");
    for (Map<String, Object> c : all) {
      String col = str(c.get(COLUMN));
      s.append("<div class=\"col-card\"><h3>")
          .append(Html.esc(col))
          .append(" <span class=\"type\">")
          .append(Html.esc(c.get(TYPE)))
          .append("</span></h3>");
      s.append("<p class=\"stats\">")
          .append(Html.num(c.get(COUNT)))
          .append(" values · ")
          .append(Html.num(c.get(NULLS)))
          .append(" missing · ~")
          .append(Html.num(c.get(DISTINCT)))
          .append(" distinct")
          .append(c.get(MEAN) == null ? "" : " · mean " + Html.num(c.get(MEAN)))
          .append("</p>");
      List<Object> quantiles = list(c.get(QUANTILES));
      List<Object> top = list(c.get(TOP_VALUES));
      if (!quantiles.isEmpty()) {
        List<Double> q = quantiles.stream().map(HtmlReport::num).toList();
        double mn = parse(c.get(MIN), q.get(0));
        double mx = parse(c.get(MAX), q.get(q.size() - 1));
        List<List<String>> rows = new ArrayList<>();
        for (Map<String, Object> r : d.profile()) {
          if (col.equals(r.get(COLUMN))) {
            List<String> row =
                new ArrayList<>(
                    List.of(
                        Html.esc(r.get(SCOPE)),
                        Html.num(r.get(COUNT)),
                        Html.num(r.get(NULLS)),
                        Html.esc(r.get(MIN))));
            list(r.get(QUANTILES)).forEach(v -> row.add(Html.num(v)));
            while (row.size() < 9) {
              row.add("–");
            }
            row.add(Html.esc(r.get(MAX)));
            row.add(Html.num(r.get(MEAN)));
            rows.add(row);
          }
        }
        s.append(
            figure(
                "Distribution of " + col,
                Svg.box("Distribution of " + col, mn, mx, q),
                List.of(
                    "scope", "count", "missing", "min", "5 %", "25 %", "50 %", "75 %", "95 %",
                    "max", "mean"),
                rows));
      } else if (!top.isEmpty()) {
        List<Svg.Bar> bars = new ArrayList<>();
        List<List<String>> rows = new ArrayList<>();
        for (Object o : top) {
          Map<String, Object> t = map(o);
          String value = t.get(VALUE) == null ? "(missing)" : str(t.get(VALUE));
          bars.add(new Svg.Bar(value, num(t.get(COUNT)), false));
          rows.add(List.of(Html.esc(value), Html.num(t.get(COUNT)), Html.num(t.get(LABEL_RATE))));
        }
        s.append(
            figure(
                "Most frequent values of " + col,
                Svg.bars("Most frequent values of " + col, bars, null, null, null),
                List.of("value", "rows", "label rate"),
                rows));
      } else {
        s.append(
            Html.empty(
                // empty() escapes the whole text
                "min "
                    + str(c.get(MIN))
                    + ", max "
                    + str(c.get(MAX))
                    + " (no distribution recorded for this column type)"));
      }
      s.append("</div>");
    }
    return s.append("</div>").toString();
  }

  private String splits() {
    Map<String, io.lakeml.core.PrepareMetrics.SplitSize> splits =
        d.prepare() == null || d.prepare().splits() == null ? Map.of() : d.prepare().splits();
    if (splits.isEmpty()) {
      return Html.empty(
          why(
              "prepare",
              "No successful prepare run of "
                  + d.dataset()
                  + " on or before "
                  + d.runDate()
                  + " in the run ledger."));
    }
    List<Svg.Bar> sizes = new ArrayList<>();
    List<Svg.Bar> rates = new ArrayList<>();
    List<List<String>> rows = new ArrayList<>();
    for (String split : List.of(GoldTable.TRAIN, GoldTable.VALIDATION, GoldTable.TEST)) {
      io.lakeml.core.PrepareMetrics.SplitSize sp = splits.get(split);
      if (sp == null) {
        continue;
      }
      sizes.add(new Svg.Bar(split, sp.rows(), false));
      rates.add(new Svg.Bar(split, num(sp.labelRate()), false));
      rows.add(List.of(Html.esc(split), Html.num(sp.rows()), Html.num(sp.labelRate())));
    }
    // a multiclass label has no positive rate: prepare records the rows only
    boolean withRates = !rates.stream().allMatch(b -> Double.isNaN(b.value()));
    List<String> headers = List.of("split", "rows", "label rate");
    return (withRates
            ? "<p>Rows per split of the gold table and the share of positive labels in each (stratified by the label, so the rates match).</p>"
            : "<p>Rows per split of the gold table (stratified by the label).</p>")
        + "<div class=\"charts\">"
        + figure(
            "Rows per split", Svg.bars("Rows per split", sizes, null, null, null), headers, rows)
        + (withRates
            ? figure(
                "Label rate per split",
                Svg.bars("Label rate per split", rates, null, null, null),
                headers,
                rows)
            : "")
        + "</div>";
  }

  private String bias() {
    if (d.bias().isEmpty()) {
      return Html.empty(
          why("bias-pre", "No fairness measurements for " + d.dataset() + " (_system.bias)."));
    }
    StringBuilder s =
        new StringBuilder(
            "<p>Convention: unprivileged vs privileged, favorable outcome as configured. DI = P(fav | unpriv) / P(fav | priv), "
                + "shaded band = the policy's ["
                + Html.num(d.diMin())
                + ", "
                + Html.num(d.diMax())
                + "]; SPD, EOD = unprivileged − privileged. "
                + "pre = the gold labels (data; reweighed = the weighted training split), post = the model's test-split predictions (model; plain = refitted without weights).</p>");
    Map<String, Object> m = d.model();
    if (m != null) {
      s.append("<p>Gate on model v")
          .append(Html.num(m.get(VERSION)))
          .append(": ")
          .append(
              m.get(BIAS_GATE) == null
                  ? "not evaluated"
                  : Html.badge(str(m.get(BIAS_GATE))) + " " + Html.esc(m.get(BIAS_REASON)))
          .append("</p>");
    }
    Map<String, List<Map<String, Object>>> byAttribute = new LinkedHashMap<>();
    for (Map<String, Object> r : d.bias()) {
      if (!"(all rows)".equals(r.get(ATTRIBUTE))) {
        byAttribute.computeIfAbsent(str(r.get(ATTRIBUTE)), k -> new ArrayList<>()).add(r);
      }
    }
    for (Map.Entry<String, List<Map<String, Object>>> e : byAttribute.entrySet()) {
      s.append("<h3>").append(Html.esc(e.getKey())).append("</h3><div class=\"charts\">");
      List<Svg.Bar> di = new ArrayList<>();
      List<List<String>> diRows = new ArrayList<>();
      Set<String> variants = new LinkedHashSet<>();
      Map<String, Map<String, String>> comparison = new TreeMap<>();
      List<Svg.Bar> rates = new ArrayList<>();
      List<List<String>> rateRows = new ArrayList<>();
      for (Map<String, Object> r : e.getValue()) {
        String variant = r.get(STAGE) + " · " + r.get(VARIANT);
        String metric = str(r.get(METRIC));
        if (io.lakeml.model.Fairness.POOLED_GROUP.equals(r.get(GROUP))) {
          variants.add(variant);
          String cell =
              r.get(VALUE) == null
                  ? "<span class=\"msg\">" + Html.esc(r.get(NOTE)) + "</span>"
                  : Html.num(r.get(VALUE))
                      + (r.get(CI_LOW) == null
                          ? ""
                          : " <span class=\"ci\">["
                              + Html.num(r.get(CI_LOW))
                              + ", "
                              + Html.num(r.get(CI_HIGH))
                              + "]</span>");
          comparison.computeIfAbsent(metric, k -> new LinkedHashMap<>()).put(variant, cell);
          if (metric.equals("di") && r.get(VALUE) != null) {
            double v = num(r.get(VALUE));
            di.add(new Svg.Bar(variant, v, v < d.diMin() || v > d.diMax()));
            diRows.add(
                List.of(
                    Html.esc(variant),
                    Html.num(v),
                    Html.num(r.get(CI_LOW)),
                    Html.num(r.get(CI_HIGH))));
          }
        } else if ((metric.equals("favorable_rate") || metric.equals("selection_rate"))
            && r.get(VALUE) != null) {
          String label = r.get(GROUP) + " · " + variant;
          rates.add(new Svg.Bar(label, num(r.get(VALUE)), false));
          rateRows.add(
              List.of(
                  Html.esc(r.get(GROUP)),
                  Html.esc(variant),
                  Html.esc(metric),
                  Html.num(r.get(VALUE))));
        }
      }
      // each group's rates together: labels (pre) before predictions (post)
      rates.sort(
          java.util.Comparator.comparing(
                  (Svg.Bar b) -> b.label().substring(0, b.label().indexOf(" · ")))
              .thenComparing(b -> !b.label().contains(" · pre · "))
              .thenComparing(Svg.Bar::label));
      if (!di.isEmpty()) {
        s.append(
            figure(
                "Disparate impact of " + e.getKey() + " (band: policy)",
                Svg.bars("Disparate impact of " + e.getKey(), di, d.diMin(), d.diMax(), 1.0),
                List.of("measured on", "DI", "CI low", "CI high"),
                diRows));
      }
      if (!rates.isEmpty()) {
        s.append(
            figure(
                "Favorable rate per group (labels: pre; predictions: post)",
                Svg.bars("Favorable rate per group of " + e.getKey(), rates, null, null, null),
                List.of("group", "measured on", "metric", "rate"),
                rateRows));
      }
      s.append("</div>");
      List<String> headers = new ArrayList<>(List.of("metric"));
      headers.addAll(variants);
      List<List<String>> rows = new ArrayList<>();
      comparison.forEach(
          (metric, cells) -> {
            List<String> row = new ArrayList<>(List.of(Html.esc(metric)));
            variants.forEach(v -> row.add(cells.getOrDefault(v, "–")));
            rows.add(row);
          });
      s.append(Html.table(headers, rows));
    }
    List<Map<String, Object>> perf =
        d.bias().stream().filter(r -> "(all rows)".equals(r.get(ATTRIBUTE))).toList();
    if (!perf.isEmpty()) {
      s.append("<h3>Test performance, reweighed model vs plain</h3>")
          .append(
              Html.table(
                  List.of("variant", "metric", "value"),
                  perf.stream()
                      .map(
                          r ->
                              List.of(
                                  Html.esc(r.get(VARIANT)),
                                  Html.esc(r.get(METRIC)),
                                  Html.num(r.get(VALUE))))
                      .toList()));
    }
    return s.toString();
  }

  private String tuning() {
    if (d.trials().isEmpty()) {
      return Html.empty(
          d.model() == null
              ? why("tune", "No model version of " + d.dataset() + " yet, so no trials.")
              : "The trials of model v"
                  + Html.num(d.model().get(VERSION))
                  + " are not in _system.trials.");
    }
    Map<String, Object> m = d.model();
    String metric = str(d.trials().get(0).get(METRIC));
    StringBuilder s =
        new StringBuilder(
            "<p>The search that trained model v"
                + Html.num(m.get(VERSION))
                + " ("
                + Html.esc(d.trials().get(0).get(RUN_DATE))
                + "): "
                + Html.esc(m.get(STRATEGY))
                + " search, "
                + d.trials().size()
                + " trials, "
                + Html.num(m.get(SEARCH_SECONDS))
                + " s; metric "
                + Html.esc(metric)
                + ", mean over the cross-validation folds.</p><div class=\"charts\">");
    List<Svg.Bar> meanBars = new ArrayList<>();
    List<Svg.Bar> timeBars = new ArrayList<>();
    List<List<String>> rows = new ArrayList<>();
    Map<String, List<Map<String, Object>>> byAlgorithm = new LinkedHashMap<>();
    for (Map<String, Object> t : d.trials()) {
      String label =
          t.get(ALGORITHM)
              + " #"
              + t.get(CANDIDATE)
              + (num(t.get(RUNG)) > 0 ? " r" + t.get(RUNG) : "");
      meanBars.add(new Svg.Bar(label, num(t.get(MEAN_METRIC)), false));
      timeBars.add(new Svg.Bar(label, num(t.get(SECONDS)), false));
      rows.add(
          List.of(
              Html.esc(t.get(ALGORITHM)),
              Html.num(t.get(CANDIDATE)),
              Html.num(t.get(RUNG)),
              Html.num(t.get(ROWS)),
              Html.esc(t.get(PARAMS)),
              Html.num(t.get(MEAN_METRIC)),
              Html.num(t.get(STD)),
              Html.num(t.get(SECONDS)),
              Html.num(t.get(TRIAL_VALIDATION)),
              Boolean.TRUE.equals(t.get(SELECTED)) ? "<strong>selected</strong>" : ""));
      byAlgorithm.computeIfAbsent(str(t.get(ALGORITHM)), k -> new ArrayList<>()).add(t);
    }
    List<String> headers =
        List.of(
            "algorithm",
            "candidate",
            "rung",
            "rows",
            "parameters",
            "mean",
            "std",
            "seconds",
            "validation",
            "");
    s.append(
        figure(
            "Cross-validated " + metric + " per trial",
            Svg.bars("Metric per trial", meanBars, null, null, null),
            headers,
            rows));
    s.append(
        figure(
            "Seconds per trial (fit + evaluation, all folds)",
            Svg.bars("Seconds per trial", timeBars, null, null, null),
            headers,
            rows));
    // metric against each parameter that varies within an algorithm
    List<String> fixed = new ArrayList<>();
    for (Map.Entry<String, List<Map<String, Object>>> e : byAlgorithm.entrySet()) {
      Map<String, Set<String>> values = new TreeMap<>();
      for (Map<String, Object> t : e.getValue()) {
        params(t).forEach((k, v) -> values.computeIfAbsent(k, x -> new LinkedHashSet<>()).add(v));
      }
      boolean drawn = false;
      for (Map.Entry<String, Set<String>> p : values.entrySet()) {
        if (p.getValue().size() < 2 || !p.getValue().stream().allMatch(HtmlReport::isNumber)) {
          continue;
        }
        Map<Object, List<double[]>> byRung = new TreeMap<>();
        List<List<String>> pts = new ArrayList<>();
        for (Map<String, Object> t : e.getValue()) {
          String v = params(t).get(p.getKey());
          if (v != null) {
            byRung
                .computeIfAbsent(num(t.get(RUNG)), k -> new ArrayList<>())
                .add(new double[] {Double.parseDouble(v), num(t.get(MEAN_METRIC))});
            pts.add(List.of(Html.esc(v), Html.num(t.get(RUNG)), Html.num(t.get(MEAN_METRIC))));
          }
        }
        List<Svg.Series> series =
            byRung.entrySet().stream()
                .map(
                    r ->
                        new Svg.Series(
                            byRung.size() > 1 ? "rung " + Html.num(r.getKey()) : "",
                            r.getValue(),
                            false))
                .toList();
        s.append(
            figure(
                e.getKey() + ": " + metric + " vs " + p.getKey(),
                Svg.xy(
                    e.getKey() + " " + p.getKey(),
                    p.getKey(),
                    metric,
                    series,
                    null,
                    null,
                    null,
                    false),
                List.of(p.getKey(), "rung", metric),
                pts));
        drawn = true;
      }
      if (!drawn) {
        fixed.add(e.getKey());
      }
    }
    s.append("</div>");
    if (!fixed.isEmpty()) {
      s.append("<p class=\"note\">No parameter varies for ")
          .append(Html.esc(String.join(", ", fixed)))
          .append(" (one candidate or non-numeric values): see the table.</p>");
    }
    return s.toString();
  }

  private String model() {
    Map<String, Object> m = d.model();
    if (m == null) {
      return Html.empty(
          why(
              "tune",
              "No model version of "
                  + d.dataset()
                  + " was trained on or before "
                  + d.runDate()
                  + "."));
    }
    StringBuilder s =
        new StringBuilder(
            "<p>Model v"
                + Html.num(m.get(VERSION))
                + ", the newest version on or before the run date: "
                + Html.esc(m.get(ALGORITHM))
                + " "
                + Html.esc(m.get(PARAMS))
                + ", status "
                + Html.badge(str(m.get(STATUS)))
                + (m.get(STATUS_REASON) == null
                    ? ""
                    : " <span class=\"msg\">" + Html.esc(m.get(STATUS_REASON)) + "</span>")
                + ".</p>");
    s.append("<p class=\"note\">Trained ")
        .append(Html.esc(m.get(RUN_DATE)))
        .append(" on gold version ")
        .append(Html.num(m.get(GOLD_VERSION)))
        .append(" (")
        .append(Html.num(m.get(TRAIN_ROWS)))
        .append(" / ")
        .append(Html.num(m.get(VALIDATION_ROWS)))
        .append(" / ")
        .append(Html.num(m.get(TEST_ROWS)))
        .append(" rows train / validation / test), selection on ")
        .append(Html.esc(m.get(SELECTION_METRIC)))
        .append(", cross-validation ")
        .append(Html.num(m.get(CV_METRIC)))
        .append(", decision threshold ")
        .append(Html.num(m.get(THRESHOLD)))
        .append(".</p>");
    Map<String, Object> train = map(m.get(TRAIN_METRICS));
    Map<String, Object> validation = map(m.get(VALIDATION_METRICS));
    Map<String, Object> test = map(m.get(TEST_METRICS));
    List<List<String>> metricRows = new ArrayList<>();
    for (String k : new LinkedHashSet<>(train.keySet())) {
      metricRows.add(
          List.of(
              Html.esc(k),
              Html.num(train.get(k)),
              Html.num(validation.get(k)),
              Html.num(test.get(k))));
    }
    s.append(Html.table(List.of("metric", "train", "validation", "test"), metricRows));
    s.append("<div class=\"charts\">");
    Object threshold = m.get(THRESHOLD);
    s.append(
        curve(
            m.get(ModelsTable.ROC_CURVE),
            "ROC curve (test split), AUC " + Html.num(test.get("areaUnderROC")),
            "false positive rate",
            "true positive rate",
            true,
            threshold));
    s.append(
        curve(
            m.get(ModelsTable.PR_CURVE),
            "Precision-recall curve (test split), area " + Html.num(test.get("areaUnderPR")),
            "recall",
            "precision",
            false,
            threshold));
    s.append("</div>");
    s.append("<div class=\"charts\">").append(confusion(m)).append(importances(m)).append("</div>");
    return s.toString();
  }

  /**
   * A curve of the test split; the model's decision threshold (if recorded) marked at the nearest
   * curve point.
   */
  private String curve(
      Object points, String caption, String xLabel, String yLabel, boolean roc, Object threshold) {
    List<Object> pts = list(points);
    if (pts.isEmpty()) {
      return "<figure><figcaption>"
          + Html.esc(caption.substring(0, caption.indexOf(" (")))
          + "</figcaption>"
          + Html.empty(
              "Not recorded for this model version (curves are stored for binary labels by tune since lakeml added them).")
          + "</figure>";
    }
    List<double[]> xy = new ArrayList<>();
    List<List<String>> rows = new ArrayList<>();
    for (Object o : pts) {
      Map<String, Object> p = map(o);
      xy.add(new double[] {num(p.get("x")), num(p.get("y"))});
      rows.add(List.of(Html.num(p.get("x")), Html.num(p.get("y")), Html.num(p.get(THRESHOLD))));
    }
    List<Svg.Series> series = new ArrayList<>(List.of(new Svg.Series("", xy, true)));
    if (threshold instanceof Number t) {
      double[] nearest = null;
      double best = Double.MAX_VALUE;
      for (Object o : pts) {
        Map<String, Object> p = map(o);
        if (p.get(THRESHOLD) instanceof Number pt
            && Math.abs(pt.doubleValue() - t.doubleValue()) < best) {
          best = Math.abs(pt.doubleValue() - t.doubleValue());
          nearest = new double[] {num(p.get("x")), num(p.get("y"))};
        }
      }
      if (nearest != null) {
        series =
            List.of(
                new Svg.Series("curve", xy, true),
                new Svg.Series(
                    "decision threshold " + Html.num(t), List.<double[]>of(nearest), false));
      }
    }
    return figure(
        caption,
        Svg.xy(
            caption, xLabel, yLabel, series, null, new double[] {0, 1}, new double[] {0, 1}, roc),
        List.of(xLabel, yLabel, "threshold"),
        rows);
  }

  private String confusion(Map<String, Object> m) {
    Map<String, Object> cm = ReportReader.parse(str(m.get(CONFUSION_MATRIX)));
    if (cm == null || list(cm.get("matrix")).isEmpty()) {
      return "<figure><figcaption>Confusion matrix</figcaption>"
          + Html.empty("Not recorded for this model version.")
          + "</figure>";
    }
    List<Object> classes = list(cm.get("classes"));
    List<Object> matrix = list(cm.get("matrix"));
    double max = 1;
    for (Object r : matrix) {
      for (Object v : list(r)) {
        max = Math.max(max, num(v));
      }
    }
    StringBuilder s =
        new StringBuilder(
            "<figure><figcaption>Confusion matrix (test split; rows: true class, columns: predicted)</figcaption>"
                + "<table class=\"confusion\"><thead><tr><th></th>");
    classes.forEach(c -> s.append("<th>").append(Html.esc(c)).append("</th>"));
    s.append("</tr></thead><tbody>");
    for (int i = 0; i < matrix.size(); i++) {
      s.append("<tr><th>")
          .append(Html.esc(i < classes.size() ? classes.get(i) : i))
          .append("</th>");
      List<Object> row = list(matrix.get(i));
      for (int j = 0; j < row.size(); j++) {
        double v = num(row.get(j));
        // shade by count: correct predictions blue, errors orange
        String color = i == j ? "0,114,178" : "230,159,0";
        s.append(
            String.format(
                Locale.ROOT,
                "<td style=\"background:rgba(%s,%.2f)\">%s</td>",
                color,
                0.08 + 0.6 * v / max,
                Html.num(v)));
      }
      s.append("</tr>");
    }
    s.append("</tbody></table>");
    if (classes.size() > 2) {
      s.append(perClass(classes, matrix));
    }
    return s.append("</figure>").toString();
  }

  /** A multiclass model's precision, recall and F1 per class, from its confusion matrix. */
  static String perClass(List<Object> classes, List<Object> matrix) {
    double[][] m = new double[matrix.size()][];
    for (int i = 0; i < m.length; i++) {
      m[i] = list(matrix.get(i)).stream().mapToDouble(HtmlReport::num).toArray();
    }
    List<ClassScores> scores = ClassScores.of(m);
    StringBuilder s =
        new StringBuilder(
            "<table class=\"per-class\"><caption>Per class (test split)</caption><thead><tr>"
                + "<th>class</th><th>rows</th><th>predicted</th><th>precision</th><th>recall</th>"
                + "<th>F1</th></tr></thead><tbody>");
    for (int i = 0; i < scores.size(); i++) {
      ClassScores c = scores.get(i);
      s.append("<tr><th>")
          .append(Html.esc(i < classes.size() ? classes.get(i) : i))
          .append("</th><td>")
          .append(c.support())
          .append("</td><td>")
          .append(c.predicted())
          .append("</td><td>")
          .append(score(c.precision()))
          .append("</td><td>")
          .append(score(c.recall()))
          .append("</td><td>")
          .append(score(c.f1()))
          .append("</td></tr>");
    }
    return s.append("</tbody></table>").toString();
  }

  private static String score(double v) {
    return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.3f", v);
  }

  private String importances(Map<String, Object> m) {
    List<Object> permuted = list(m.get(ModelsTable.PERMUTATION_IMPORTANCE));
    String permutation =
        permuted.isEmpty()
            ? ""
            : featureBars(
                "Permutation importance: drop in validation "
                    + str(m.get(ModelsTable.PERMUTATION_METRIC))
                    + " when the column is shuffled ("
                    + Html.num(m.get(ModelsTable.PERMUTATION_ROWS))
                    + " rows)",
                permuted,
                "column",
                "drop");
    List<Object> features = list(m.get(ModelsTable.FEATURE_IMPORTANCE));
    if (features.isEmpty()) {
      return permutation
          + "<figure><figcaption>Feature importances or coefficients</figcaption>"
          + Html.empty(
              "Not recorded for this model version (stored for tree models and linear models by tune since lakeml added them).")
          + "</figure>";
    }
    String kind = str(m.get(ModelsTable.IMPORTANCE_KIND));
    // per kind: the per-column chart's title and value header, then the per-slot chart's title
    String[] titles =
        switch (kind) {
          case "coefficient" ->
              new String[] {
                "Per input column: |coefficients| summed",
                "sum of |coefficient|",
                "Coefficients (scaled features)"
              };
          case "coefficient-norm" ->
              new String[] {
                "Per input column: coefficient norms summed",
                "sum of norms",
                "Coefficients' L2 norm over the classes (scaled features)"
              };
          default ->
              new String[] {
                "Feature importance per input column", "importance", "Feature importances"
              };
        };
    List<Object> columns = list(m.get(ModelsTable.COLUMN_IMPORTANCE));
    String byColumn = columns.isEmpty() ? "" : featureBars(titles[0], columns, "column", titles[1]);
    return permutation
        + byColumn
        + featureBars(titles[2], features, "feature", kind.isEmpty() ? "value" : kind);
  }

  /** A bar chart and table of (feature, value) rows, in their stored order. */
  private String featureBars(
      String title, List<Object> items, String nameHeader, String valueHeader) {
    List<Svg.Bar> bars = new ArrayList<>();
    List<List<String>> rows = new ArrayList<>();
    for (Object o : items) {
      Map<String, Object> f = map(o);
      bars.add(new Svg.Bar(str(f.get("feature")), num(f.get(VALUE)), false));
      rows.add(List.of(Html.esc(f.get("feature")), Html.num(f.get(VALUE))));
    }
    return figure(
        title, Svg.bars(title, bars, null, null, null), List.of(nameHeader, valueHeader), rows);
  }

  private String champions() {
    if (d.champions().isEmpty()) {
      return Html.empty(
          why(
              "promote",
              "No model of "
                  + d.dataset()
                  + " has been champion on or before "
                  + d.runDate()
                  + "."));
    }
    List<Map<String, Object>> oldestFirst = new ArrayList<>(d.champions());
    java.util.Collections.reverse(oldestFirst);
    List<String> when = new ArrayList<>();
    List<double[]> pts = new ArrayList<>();
    List<List<String>> rows = new ArrayList<>();
    for (Map<String, Object> c : oldestFirst) {
      pts.add(new double[] {when.size(), num(c.get(VERSION))});
      String at = time(c.get(AT));
      when.add(at.length() >= 16 ? at.substring(5, 16) : at); // MM-dd HH:mm
    }
    for (Map<String, Object> c : d.champions()) {
      rows.add(
          List.of(
              Html.esc(time(c.get(AT))),
              Html.esc(c.get(ACTION)),
              "v" + Html.num(c.get(VERSION)),
              c.get(PREVIOUS_VERSION) == null ? "–" : "v" + Html.num(c.get(PREVIOUS_VERSION)),
              Html.esc(c.get(ACTOR)),
              "<span class=\"msg\">" + Html.esc(c.get(REASON)) + "</span>"));
    }
    return "<p>Current champion: <strong>v"
        + Html.num(d.champions().get(0).get(VERSION))
        + "</strong> ("
        + d.champions().size()
        + " change(s)).</p>"
        + "<div class=\"charts\">"
        + figure(
            "Champion version after each change",
            Svg.xy(
                "Champion history",
                "changed at (UTC)",
                "version",
                List.of(new Svg.Series("", pts, true)),
                when,
                null,
                new double[] {0, pts.stream().mapToDouble(p -> p[1]).max().orElse(1)},
                false),
            List.of("at (UTC)", "action", "version", "previous", "actor", "reason"),
            rows)
        + "</div>"
        + Html.table(List.of("at (UTC)", "action", "version", "previous", "actor", "reason"), rows);
  }

  private String monitoring() {
    List<Map<String, Object>> psi =
        d.monitor().stream()
            .filter(r -> "feature".equals(r.get(KIND)) || "prediction".equals(r.get(KIND)))
            .toList();
    if (psi.isEmpty()) {
      return Html.empty(
          why(
              "monitor",
              "No monitoring rows for "
                  + d.dataset()
                  + " on "
                  + d.runDate()
                  + " (_system.monitor)."));
    }
    List<Svg.Bar> bars = new ArrayList<>();
    List<List<String>> rows = new ArrayList<>();
    Double threshold = null;
    for (Map<String, Object> r : psi) {
      bars.add(
          new Svg.Bar(str(r.get(NAME)), num(r.get(VALUE)), Boolean.TRUE.equals(r.get(BREACHED))));
      rows.add(
          List.of(
              Html.esc(r.get(KIND)),
              Html.esc(r.get(NAME)),
              Html.num(r.get(VALUE)),
              Html.num(r.get(THRESHOLD)),
              Html.badge(Boolean.TRUE.equals(r.get(BREACHED)) ? "breached" : "ok")));
      threshold = r.get(THRESHOLD) == null ? threshold : num(r.get(THRESHOLD));
    }
    StringBuilder s =
        new StringBuilder(
            "<p>Population stability (PSI) of the rows scored on "
                + Html.esc(d.runDate())
                + " by model v"
                + Html.num(psi.get(0).get(MODEL_VERSION))
                + " against its training data; the line is the threshold "
                + Html.num(threshold)
                + ".</p>");
    s.append("<div class=\"charts\">")
        .append(
            figure(
                "PSI per feature and of the predicted class",
                Svg.bars("PSI", bars, null, null, threshold),
                List.of("kind", "name", "PSI", "threshold", "result"),
                rows))
        .append("</div>");
    List<List<String>> other = new ArrayList<>();
    for (Map<String, Object> r : d.monitor()) {
      String result = Html.badge(Boolean.TRUE.equals(r.get(BREACHED)) ? "breached" : "ok");
      switch (str(r.get(KIND))) {
        case MonitorTable.LABELS ->
            other.add(
                List.of(
                    "labels from",
                    Html.esc(r.get(NAME)) + " version " + Html.num(r.get(VALUE)),
                    ""));
        case MonitorTable.PERFORMANCE ->
            other.add(
                List.of(
                    Html.esc(r.get(NAME)) + " on labelled scored rows",
                    Html.num(r.get(VALUE))
                        + " (largest allowed fall from test: "
                        + Html.num(r.get(THRESHOLD))
                        + ")",
                    result));
        case MonitorTable.SIGNAL ->
            other.add(
                List.of(
                    "retraining signal",
                    Boolean.TRUE.equals(r.get(BREACHED)) ? "raised" : "not raised",
                    result));
        default -> {}
      }
    }
    if (!other.isEmpty()) {
      s.append(Html.table(List.of("check", "value", "result"), other));
    }
    return s.toString();
  }

  /**
   * Why a section is empty: the stage's own word for the run date when it skipped or failed, else
   * {@code fallback}.
   */
  private String why(String stage, String fallback) {
    for (Map<String, Object> r : d.runs()) {
      if (stage.equals(r.get(JOB)) && !"SUCCEEDED".equals(r.get(STATUS))) {
        return fallback
            + " "
            + stage
            + " "
            + str(r.get(STATUS)).toLowerCase(Locale.ROOT)
            + " on "
            + d.runDate()
            + (r.get(MESSAGE) == null ? "." : ": " + r.get(MESSAGE));
      }
    }
    boolean ran = d.runs().stream().anyMatch(r -> stage.equals(r.get(JOB)));
    return ran ? fallback : fallback + " " + stage + " did not run on " + d.runDate() + ".";
  }

  // ---- value helpers (rows are JSON-shaped maps) ---------------------------------------------

  static double num(Object o) {
    return o instanceof Number n ? n.doubleValue() : o == null ? Double.NaN : parse(o, Double.NaN);
  }

  private static double parse(Object o, double fallback) {
    try {
      return o == null ? fallback : Double.parseDouble(String.valueOf(o));
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  private static boolean isNumber(String s) {
    return !Double.isNaN(parse(s, Double.NaN));
  }

  private static String str(Object o) {
    return o == null ? "" : String.valueOf(o);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object o) {
    return o instanceof List<?> l ? (List<Object>) l : List.of();
  }

  private static Object firstOf(Map<String, Object> m, String... keys) {
    for (String k : keys) {
      if (m.get(k) != null) {
        return m.get(k);
      }
    }
    return null;
  }

  private static Map<String, String> params(Map<String, Object> trial) {
    Map<String, Object> p = ReportReader.parse(str(trial.get(PARAMS)));
    Map<String, String> out = new TreeMap<>();
    if (p != null) {
      p.forEach((k, v) -> out.put(k, String.valueOf(v)));
    }
    return out;
  }

  /** "2026-11-20T06:51:02.123Z" → "2026-11-20 06:51:02". */
  private static String time(Object ts) {
    String s = str(ts);
    return s.length() >= 19 ? s.substring(0, 10) + " " + s.substring(11, 19) : s;
  }

  private static String day(Object ts) {
    String s = str(ts);
    return s.length() >= 10 ? s.substring(0, 10) : s;
  }
}
