package io.lakeml.report;

import static io.lakeml.report.ReportData.*;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lakeml.core.LakeCatalog;
import io.lakeml.core.SmallTables;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/**
 * Reads what a report shows from the {@code _system} tables, each at one fixed Delta version (so
 * the report and the versions it records agree), and always bounded: one dataset's rows, then one
 * run date or model version, and a row limit. The tables are read on the driver ({@link
 * SmallTables}: Delta Kernel, no Spark job), and rows arrive as JSON-shaped maps, as Spark's {@code
 * toJSON} writes them, so a column an older table lacks is just absent.
 */
final class ReportReader {
  /** How many earlier validations the quality trend shows. */
  static final int TREND_DATES = 30;

  /** Upper bound on rows shown from any one table (the tables are small; this keeps them so). */
  static final int MAX_ROWS = 2000;

  private static final ObjectMapper JSON = io.lakeml.config.Json.MAPPER;

  private final SmallTables tables;
  private final LakeCatalog cat;
  private final String dataset;
  private final String runDate;
  private final Map<String, Long> versions = new LinkedHashMap<>();
  private List<Map<String, Object>> ledger;

  ReportReader(SparkSession spark, LakeCatalog cat, String dataset, LocalDate runDate) {
    this.tables = SmallTables.of(spark);
    this.cat = cat;
    this.dataset = dataset;
    this.runDate = runDate.toString();
    for (LakeCatalog.Table t :
        List.of(
            cat.quality(),
            cat.profile(),
            cat.models(),
            cat.trials(),
            cat.bias(),
            cat.champions(),
            cat.monitor())) {
      tables.latestVersion(t.path()).ifPresent(v -> versions.put(t.name(), v));
    }
  }

  /**
   * The Delta versions this report reads, by table. The run ledger is not among them: every job
   * appends to it, even a skipped one, so the report tracks the ledger rows it shows instead
   * ({@link #stageRuns}).
   */
  Map<String, Long> versions() {
    return versions;
  }

  /**
   * One ledger row per job of the dataset and run date (the report's own runs excluded): the latest
   * run that did something (succeeded or failed), otherwise the first skipped one. Reruns that skip
   * everything therefore leave this list, and the report, unchanged.
   */
  List<Map<String, Object>> stageRuns() {
    Map<String, Map<String, Object>> byJob = new LinkedHashMap<>();
    for (Map<String, Object> r : ledgerOfDate()) {
      String job = (String) r.get(JOB);
      if (!ReportJob.NAME.equals(job)
          && (!byJob.containsKey(job) || !"SKIPPED".equals(r.get(STATUS)))) {
        byJob.put(job, r);
      }
    }
    List<Map<String, Object>> out = new ArrayList<>(byJob.values());
    out.sort(Comparator.comparing(r -> (String) r.get(STARTED_AT)));
    return out;
  }

  /** The last successful report of this dataset and run date in the ledger, or null. */
  Map<String, Object> lastReport() {
    Map<String, Object> last = null;
    for (Map<String, Object> r : ledgerOfDate()) {
      if (ReportJob.NAME.equals(r.get(JOB)) && "SUCCEEDED".equals(r.get(STATUS))) {
        last = r; // in start order: the last one wins
      }
    }
    return last;
  }

  /** The ledger rows of the dataset and run date, in start order. */
  private List<Map<String, Object>> ledgerOfDate() {
    return shown(ledger().stream().filter(r -> runDate.equals(r.get(RUN_DATE))), by(STARTED_AT));
  }

  /**
   * The dataset's rows of the run ledger at its latest version (it grows with every run), read
   * once.
   */
  private List<Map<String, Object>> ledger() {
    if (ledger == null) {
      ledger = tables.rows(cat.runs().path(), OptionalLong.empty(), dataset);
    }
    return ledger;
  }

  ReportData read(
      String generatedAt,
      String lakemlVersion,
      String reportPath,
      double diMin,
      double diMax,
      List<Map<String, Object>> runs) {
    Predicate<Map<String, Object>> upToRunDate = r -> onOrBefore(r.get(RUN_DATE));
    // the last TREND_DATES validations; the latest of them is the one shown in full
    List<Map<String, Object>> validated = rows(cat.quality(), upToRunDate);
    List<Object> dates =
        validated.stream()
            .map(r -> r.get(RUN_DATE))
            .distinct()
            .sorted(ReportReader::compare)
            .toList();
    Set<Object> trendDates =
        new HashSet<>(dates.subList(Math.max(0, dates.size() - TREND_DATES), dates.size()));
    List<Map<String, Object>> trend =
        shown(
            validated.stream().filter(r -> trendDates.contains(r.get(RUN_DATE))),
            by(RUN_DATE).thenComparing(by(RULE_ID)));
    Object qualityDate = trend.isEmpty() ? null : trend.get(trend.size() - 1).get(RUN_DATE);
    List<Map<String, Object>> quality =
        trend.stream().filter(r -> r.get(RUN_DATE).equals(qualityDate)).toList();
    List<Map<String, Object>> profile = latest(rows(cat.profile(), upToRunDate), RUN_DATE);
    io.lakeml.core.PrepareMetrics prepare = prepareMetrics();

    Map<String, Object> model =
        first(shown(rows(cat.models(), upToRunDate).stream(), by(VERSION).reversed()));
    List<Map<String, Object>> trials =
        model == null
            ? List.of()
            : shown(
                rows(cat.trials(), r -> Objects.equals(r.get(RUN_ID), model.get(RUN_ID))).stream(),
                by(RUNG).thenComparing(by(ALGORITHM)).thenComparing(by(CANDIDATE)));
    // pre-training rows of the latest gold version measured, post-training rows of the model shown
    List<Map<String, Object>> biasRows = rows(cat.bias(), r -> true);
    List<Map<String, Object>> pre =
        latest(
            biasRows.stream()
                .filter(r -> "pre".equals(r.get(STAGE)) && onOrBefore(r.get(RUN_DATE)))
                .toList(),
            GOLD_VERSION);
    List<Map<String, Object>> bias =
        shown(
            Stream.concat(
                pre.stream(),
                model == null
                    ? Stream.empty()
                    : biasRows.stream()
                        .filter(
                            r ->
                                "post".equals(r.get(STAGE))
                                    && Objects.equals(r.get(MODEL_VERSION), model.get(VERSION)))),
            null);
    // champion changes made by runs of this run date or earlier (their run date is in the ledger;
    // 'at' is wall-clock time), newest first
    Set<Object> runIds = new HashSet<>();
    ledger().stream().filter(upToRunDate).forEach(r -> runIds.add(r.get(RUN_ID)));
    List<Map<String, Object>> champions =
        rows(cat.champions(), r -> runIds.contains(r.get(RUN_ID))).stream()
            .sorted(by(AT).reversed())
            .limit(50)
            .toList();
    List<Map<String, Object>> monitor =
        shown(rows(cat.monitor(), r -> runDate.equals(r.get(RUN_DATE))).stream(), null);
    return new ReportData(
        dataset,
        LocalDate.parse(runDate),
        generatedAt,
        lakemlVersion,
        reportPath,
        diMin,
        diMax,
        runs,
        quality,
        trend,
        profile,
        prepare,
        bias,
        model,
        trials,
        champions,
        monitor);
  }

  /** The rows with the largest value of {@code column} (e.g. the latest run date). */
  private static List<Map<String, Object>> latest(List<Map<String, Object>> rows, String column) {
    Object max = rows.stream().map(r -> r.get(column)).max(ReportReader::compare).orElse(null);
    return shown(rows.stream().filter(r -> Objects.equals(r.get(column), max)), null);
  }

  /**
   * Metrics of the latest successful prepare on or before the run date (they hold the split sizes).
   */
  private io.lakeml.core.PrepareMetrics prepareMetrics() {
    Map<String, Object> run =
        ledger().stream()
            .filter(
                r ->
                    "prepare".equals(r.get(JOB))
                        && "SUCCEEDED".equals(r.get(STATUS))
                        && onOrBefore(r.get(RUN_DATE)))
            .max(by(STARTED_AT))
            .orElse(null);
    return run == null
        ? null
        : io.lakeml.core.JobResult.metricsAs(
            parse((String) run.get(METRICS_JSON)), io.lakeml.core.PrepareMetrics.class);
  }

  /**
   * The dataset's rows of a table that {@code keep} accepts, at the version this report reads; none
   * when the table does not exist yet.
   */
  private List<Map<String, Object>> rows(LakeCatalog.Table t, Predicate<Map<String, Object>> keep) {
    Long v = versions.get(t.name());
    if (v == null) {
      return List.of();
    }
    return tables.rows(t.path(), OptionalLong.of(v), dataset).stream().filter(keep).toList();
  }

  private boolean onOrBefore(Object date) {
    return date instanceof String d && d.compareTo(runDate) <= 0;
  }

  /** At most {@link #MAX_ROWS} rows, in {@code order} (or as read when null). */
  private static List<Map<String, Object>> shown(
      Stream<Map<String, Object>> rows, Comparator<Map<String, Object>> order) {
    return (order == null ? rows : rows.sorted(order)).limit(MAX_ROWS).toList();
  }

  /** Ascending by one column, nulls first (as Spark's orderBy). */
  private static Comparator<Map<String, Object>> by(String column) {
    return (a, b) -> compare(a.get(column), b.get(column));
  }

  /**
   * Orders two JSON values of one column: numbers by value, text (dates and timestamps are
   * fixed-width text) by character, nulls first.
   */
  static int compare(Object a, Object b) {
    if (a == null || b == null) {
      return a == null ? (b == null ? 0 : -1) : 1;
    }
    if (a instanceof Number x && b instanceof Number y) {
      return Double.compare(x.doubleValue(), y.doubleValue());
    }
    return a.toString().compareTo(b.toString());
  }

  private static Map<String, Object> first(List<Map<String, Object>> rows) {
    return rows.isEmpty() ? null : rows.get(0);
  }

  static Map<String, Object> parse(String json) {
    if (json == null) {
      return null;
    }
    try {
      return JSON.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() {});
    } catch (IOException e) {
      throw new UncheckedIOException("unreadable JSON in a lakeml table: " + json, e);
    }
  }
}
