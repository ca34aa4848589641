package io.lakeml.report;

import static io.lakeml.report.ReportData.*;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lakeml.core.DeltaTables;
import io.lakeml.core.LakeCatalog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Reads what a report shows from the {@code _system} tables, each at one fixed Delta version (so
 * the report and the versions it records agree), and always bounded: one dataset, one run date or
 * model version, and a row limit. Rows arrive as JSON-shaped maps ({@link Dataset#toJSON}), so a
 * column an older table lacks is just absent.
 */
final class ReportReader {
  /** How many earlier validations the quality trend shows. */
  static final int TREND_DATES = 30;
  /** Upper bound on rows read from any one table (the tables are small; this keeps them so). */
  static final int MAX_ROWS = 2000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SparkSession spark;
  private final LakeCatalog cat;
  private final String dataset;
  private final LocalDate runDate;
  private final Map<String, Long> versions = new LinkedHashMap<>();

  ReportReader(SparkSession spark, LakeCatalog cat, String dataset, LocalDate runDate) {
    this.spark = spark;
    this.cat = cat;
    this.dataset = dataset;
    this.runDate = runDate;
    for (LakeCatalog.Table t : List.of(cat.quality(), cat.profile(), cat.models(), cat.trials(), cat.bias(), cat.champions(), cat.monitor())) {
      DeltaTables.version(spark, t.path()).ifPresent(v -> versions.put(t.name(), v));
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
    if (!DeltaTables.exists(spark, cat.runs().path())) {
      return List.of();
    }
    Dataset<Row> runs = spark.read().format("delta").load(cat.runs().path())
        .where(col(DATASET).equalTo(dataset).and(col(RUN_DATE).equalTo(lit(Date.valueOf(runDate)))).and(col(JOB).notEqual(ReportJob.NAME)));
    Map<String, Map<String, Object>> byJob = new LinkedHashMap<>();
    for (Map<String, Object> r : rows(runs.orderBy(col(STARTED_AT)))) {
      String job = (String) r.get(JOB);
      Map<String, Object> kept = byJob.get(job);
      boolean skipped = "SKIPPED".equals(r.get(STATUS));
      if (kept == null || !skipped) {
        byJob.put(job, r);
      }
    }
    List<Map<String, Object>> out = new ArrayList<>(byJob.values());
    out.sort(Comparator.comparing(r -> (String) r.get(STARTED_AT)));
    return out;
  }

  /** The last successful report of this dataset and run date in the ledger, or null. */
  Map<String, Object> lastReport() {
    if (!DeltaTables.exists(spark, cat.runs().path())) {
      return null;
    }
    List<Map<String, Object>> r = rows(spark.read().format("delta").load(cat.runs().path())
        .where(col(DATASET).equalTo(dataset).and(col(RUN_DATE).equalTo(lit(Date.valueOf(runDate))))
            .and(col(JOB).equalTo(ReportJob.NAME)).and(col(STATUS).equalTo("SUCCEEDED")))
        .orderBy(col(ENDED_AT).desc()).limit(1));
    return r.isEmpty() ? null : r.get(0);
  }

  ReportData read(String generatedAt, String lakemlVersion, String reportPath, double diMin, double diMax, List<Map<String, Object>> runs) {
    Column onOrBefore = col(RUN_DATE).leq(lit(Date.valueOf(runDate)));
    LocalDate qualityDate = latestDate(cat.quality(), onOrBefore);
    List<Map<String, Object>> quality = List.of();
    List<Map<String, Object>> trend = List.of();
    if (qualityDate != null) {
      quality = query(cat.quality(), q -> q.where(onDate(qualityDate)).orderBy(col(RULE_ID)));
      Date first = query(cat.quality(), q -> q.where(onOrBefore).select(RUN_DATE).distinct().orderBy(col(RUN_DATE).desc()).limit(TREND_DATES))
          .stream().map(r -> Date.valueOf((String) r.get(RUN_DATE))).min(Comparator.naturalOrder()).orElseThrow();
      trend = query(cat.quality(), q -> q.where(onOrBefore.and(col(RUN_DATE).geq(lit(first))))
          .select(RUN_DATE, RULE_ID, ROWS_FAILED, PASSED).orderBy(RUN_DATE, RULE_ID));
    }
    LocalDate profileDate = latestDate(cat.profile(), onOrBefore);
    List<Map<String, Object>> profile = profileDate == null ? List.of() : query(cat.profile(), q -> q.where(onDate(profileDate)));
    Map<String, Object> prepare = prepareMetrics(onOrBefore);

    Map<String, Object> model = first(query(cat.models(), q -> q.where(onOrBefore).orderBy(col(VERSION).desc()).limit(1)));
    List<Map<String, Object>> trials = model == null ? List.of()
        : query(cat.trials(), q -> q.where(col(RUN_ID).equalTo(model.get(RUN_ID))).orderBy(col(RUNG), col(ALGORITHM), col(CANDIDATE)));

    List<Map<String, Object>> bias = new ArrayList<>();
    Map<String, Object> pre = first(query(cat.bias(), q -> q.where(onOrBefore.and(col(STAGE).equalTo("pre"))).orderBy(col(GOLD_VERSION).desc()).limit(1)));
    if (pre != null) {
      bias.addAll(query(cat.bias(), q -> q.where(col(STAGE).equalTo("pre").and(col(GOLD_VERSION).equalTo(pre.get(GOLD_VERSION))))));
    }
    if (model != null) {
      bias.addAll(query(cat.bias(), q -> q.where(col(STAGE).equalTo("post").and(col(MODEL_VERSION).equalTo(model.get(VERSION))))));
    }
    // champion changes up to the end of the run date, newest first
    java.sql.Timestamp endOfDay = java.sql.Timestamp.valueOf(runDate.plusDays(1).atStartOfDay());
    List<Map<String, Object>> champions = query(cat.champions(), q -> q.where(col(AT).lt(lit(endOfDay))).orderBy(col(AT).desc()).limit(50));
    List<Map<String, Object>> monitor = query(cat.monitor(), q -> q.where(onDate(runDate)));
    return new ReportData(dataset, runDate, generatedAt, lakemlVersion, reportPath, diMin, diMax, runs, quality, trend, profile, prepare,
        bias, model, trials, champions, monitor);
  }

  /** Metrics of the latest successful prepare on or before the run date (they hold the split sizes). */
  private Map<String, Object> prepareMetrics(Column onOrBefore) {
    if (!DeltaTables.exists(spark, cat.runs().path())) {
      return null;
    }
    Map<String, Object> run = first(spark.read().format("delta").load(cat.runs().path())
        .where(col(DATASET).equalTo(dataset).and(col(JOB).equalTo("prepare")).and(col(STATUS).equalTo("SUCCEEDED")).and(onOrBefore))
        .orderBy(col(STARTED_AT).desc()).limit(1));
    return run == null ? null : parse((String) run.get(METRICS_JSON));
  }

  /**
   * The dataset's rows of a table, at the version this report reads, shaped by {@code q}; none when
   * the table does not exist yet.
   */
  private List<Map<String, Object>> query(LakeCatalog.Table t, java.util.function.UnaryOperator<Dataset<Row>> q) {
    Long v = versions.get(t.name());
    if (v == null) {
      return List.of();
    }
    return rows(q.apply(spark.read().format("delta").option("versionAsOf", v).load(t.path()).where(col(DATASET).equalTo(dataset))));
  }

  private LocalDate latestDate(LakeCatalog.Table t, Column onOrBefore) {
    Map<String, Object> r = first(query(t, q -> q.where(onOrBefore).agg(org.apache.spark.sql.functions.max(col(RUN_DATE)).as(RUN_DATE))));
    return r == null || r.get(RUN_DATE) == null ? null : LocalDate.parse((String) r.get(RUN_DATE));
  }

  private static Column onDate(LocalDate d) {
    return col(RUN_DATE).equalTo(lit(Date.valueOf(d)));
  }

  private static Map<String, Object> first(Dataset<Row> rows) {
    return first(rows(rows));
  }

  private static Map<String, Object> first(List<Map<String, Object>> rows) {
    return rows.isEmpty() ? null : rows.get(0);
  }

  /** At most {@link #MAX_ROWS} rows as maps; columns a table lacks (or nulls) are absent. */
  static List<Map<String, Object>> rows(Dataset<Row> rows) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (String json : rows.limit(MAX_ROWS).toJSON().collectAsList()) {
      out.add(parse(json));
    }
    return out;
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
