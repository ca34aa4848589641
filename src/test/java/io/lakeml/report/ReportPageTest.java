package io.lakeml.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakeml.testing.Chromium;
import io.lakeml.testing.TestProject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The page itself, from hand-made report data (no Spark, no lake): self-contained, every section
 * present, empty sections saying why, and — in headless Chromium, where installed — no script error
 * and the page's own check passing. The real titanic report is checked in QuickStartTest.
 */
class ReportPageTest {
  /** A lake where nothing has run yet: every section is there and says why it is empty. */
  static ReportData empty() {
    return new ReportData(
        "fresh",
        LocalDate.of(2026, 11, 20),
        "2026-11-20T03:00:00Z",
        "test",
        "file:/lake/reports/fresh/2026-11-20/index.html",
        0.8,
        1.25,
        List.of(),
        List.of(),
        List.of(),
        List.of(),
        null,
        List.of(),
        null,
        List.of(),
        List.of(),
        List.of());
  }

  /** A night whose tune failed: later sections explain with the stage's message. */
  static ReportData failedTune() {
    List<Map<String, Object>> runs =
        List.of(
            row(
                "run_id",
                "r1",
                "job",
                "ingest",
                "status",
                "SUCCEEDED",
                "started_at",
                "2026-11-20T02:30:00.000Z",
                "duration_ms",
                5200,
                "tables_written",
                Map.of("bronze.fresh", 0),
                "metrics_json",
                "{\"rowsRead\":100,\"rowsBronze\":98,\"rowsQuarantined\":2}"),
            row(
                "run_id",
                "r2",
                "job",
                "tune",
                "status",
                "FAILED",
                "started_at",
                "2026-11-20T02:31:00.000Z",
                "duration_ms",
                800,
                "message",
                "gold.fresh does not exist yet <run prepare> & retry",
                "metrics_json",
                "{}"));
    List<Map<String, Object>> quality =
        List.of(
            row(
                "run_date",
                "2026-11-20",
                "rule_id",
                "age-range",
                "check",
                "RANGE",
                "column",
                "age",
                "action",
                "DROP",
                "rows_checked",
                100,
                "rows_failed",
                3,
                "ratio",
                0.03,
                "passed",
                false),
            row(
                "run_date",
                "2026-11-20",
                "rule_id",
                "enough-rows",
                "check",
                "ROW_COUNT",
                "action",
                "FAIL",
                "rows_checked",
                100,
                "rows_failed",
                0,
                "ratio",
                0.0,
                "passed",
                true));
    List<Map<String, Object>> profile =
        List.of(
            row(
                "run_date",
                "2026-11-20",
                "scope",
                "all",
                "column",
                "age",
                "type",
                "double",
                "count",
                97,
                "nulls",
                3,
                "distinct_approx",
                60,
                "min",
                "0.17",
                "max",
                "80.0",
                "mean",
                29.9,
                "quantiles",
                List.of(5.0, 21.0, 28.0, 39.0, 57.0)),
            row(
                "run_date",
                "2026-11-20",
                "scope",
                "all",
                "column",
                "sex",
                "type",
                "string",
                "count",
                100,
                "nulls",
                0,
                "distinct_approx",
                2,
                "min",
                "female",
                "max",
                "male",
                "top_values",
                List.of(
                    Map.of("value", "male", "count", 64, "label_rate", 0.19),
                    Map.of("value", "female", "count", 36, "label_rate", 0.73))));
    return new ReportData(
        "fresh",
        LocalDate.of(2026, 11, 20),
        "2026-11-20T03:00:00Z",
        "test",
        "file:/lake/reports/fresh/2026-11-20/index.html",
        0.8,
        1.25,
        runs,
        quality,
        quality,
        profile,
        io.lakeml.core.JobResult.metricsAs(
            Map.of("splits", Map.of("train", Map.of("rows", 60, "labelRate", 0.38))),
            io.lakeml.core.PrepareMetrics.class),
        List.of(),
        null,
        List.of(),
        List.of(),
        List.of());
  }

  /** A table row as its JSON map (column, value, column, value, …). */
  private static Map<String, Object> row(Object... kv) {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  @Test
  void everySectionIsThereAndAnEmptyOneSaysWhy() {
    String html = HtmlReport.render(empty());
    for (String id : ReportData.SECTIONS) {
      assertThat(html).contains("<section id=\"" + id + "\"><h2>");
    }
    assertThat(html)
        .contains("No stage of fresh has run for 2026-11-20")
        .contains("monitor did not run on 2026-11-20")
        .contains("data-charts=\"0\"");
    // self-contained: nothing is loaded from elsewhere
    assertThat(html)
        .doesNotContain("<link")
        .doesNotContain("src=")
        .doesNotContain("@import")
        .doesNotContain("url(");

    String failed = HtmlReport.render(failedTune());
    assertThat(failed)
        .contains(
            "tune failed on 2026-11-20: gold.fresh does not exist yet &lt;run prepare&gt; &amp; retry")
        .contains(">98<")
        .contains("1 of 2 rules passed")
        .doesNotContain("<run prepare>");
  }

  @Test
  void theReportOpensInHeadlessChromiumWithoutErrorsAndChecksItself() throws IOException {
    Assumptions.assumeTrue(
        Chromium.binary().isPresent(), "no chromium binary (apt-get install chromium)");
    Path dir = TestProject.projectDir().resolve("target/report-page");
    Files.createDirectories(dir);
    for (Map.Entry<String, ReportData> e :
        Map.of("empty", empty(), "failed-tune", failedTune()).entrySet()) {
      Path page = dir.resolve(e.getKey() + ".html");
      Files.writeString(page, HtmlReport.render(e.getValue()));
      String dom = Chromium.dumpDom(page);
      assertThat(dom)
          .as(e.getKey())
          .contains("data-report-ok=\"true\"")
          .contains("page check: all 9 sections");
    }
    // a broken page fails the check: a missing section and a script error are both reported
    Path broken = dir.resolve("broken.html");
    Files.writeString(
        broken,
        HtmlReport.render(failedTune())
            .replace("<section id=\"bias\">", "<section id=\"bias-gone\">")
            .replace("</main>", "<script>undefinedFunction()</script></main>"));
    String dom = Chromium.dumpDom(broken);
    assertThat(dom)
        .contains("data-report-ok=\"false\"")
        .contains("page check FAILED: missing [\"bias\"]")
        .contains("undefinedFunction");
  }
}
