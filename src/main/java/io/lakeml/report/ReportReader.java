package io.lakeml.report;

import static io.lakeml.report.ReportData.*;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.dense_rank;
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
import org.apache.spark.sql.expressions.Window;

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

  private static final ObjectMapper JSON = io.lakeml.config.Json.MAPPER;

  private final SparkSession spark;
  private final LakeCatalog cat;
  private final String dataset;
  private final LocalDate runDate;
  private final Map<String, Long> versions = new LinkedHashMap<>();
  private final Map<String, Dataset<Row>> loaded = new java.util.HashMap<>();
  private List<Map<String, Object>> ledgerOfDate;

  ReportReader(SparkSession spark, LakeCatalog cat, String dataset, LocalDate runDate) {
    this.spark = spark;
    this.cat = cat;
    this.dataset = dataset;
    this.runDate = runDate;
    for (LakeCatalog.Table t :
        List.of(
            cat.quality(),
            cat.profile(),
            cat.models(),
            cat.trials(),
            cat.bias(),
            cat.champions(),
            cat.monitor())) {
      // the reads below at this version reuse the snapshot this loads
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

  /** The ledger rows of the dataset and run date, in start order (read once). */
  private List<Map<String, Object>> ledgerOfDate() {
    if (ledgerOfDate == null) {
      Dataset<Row> ledger = ledger();
      ledgerOfDate =
          ledger == null ? List.of() : rows(ledger.where(onDate(runDate)).orderBy(col(STARTED_AT)));
    }
    return ledgerOfDate;
  }

  /**
   * The dataset's rows of the run ledger (its latest version: it grows with every run), or null.
   */
  private Dataset<Row> ledger() {
    if (!loaded.containsKey(cat.runs().name()) && DeltaTables.exists(spark, cat.runs().path())) {
      loaded.put(
          cat.runs().name(),
          spark
              .read()
              .format("delta")
              .load(cat.runs().path())
              .where(col(DATASET).equalTo(dataset)));
    }
    return loaded.get(cat.runs().name());
  }

  ReportData read(
      String generatedAt,
      String lakemlVersion,
      String reportPath,
      double diMin,
      double diMax,
      List<Map<String, Object>> runs) {
    Column onOrBefore = col(RUN_DATE).leq(lit(Date.valueOf(runDate)));
    // the last TREND_DATES validations in one read; the latest of them is the one shown in full
    List<Map<String, Object>> trend =
        query(
            cat.quality(),
            q ->
                q.where(onOrBefore)
                    .withColumn(
                        "_rank",
                        dense_rank()
                            .over(Window.partitionBy(DATASET).orderBy(col(RUN_DATE).desc())))
                    .where(col("_rank").leq(TREND_DATES))
                    .drop("_rank")
                    .orderBy(RUN_DATE, RULE_ID));
    Object qualityDate = trend.isEmpty() ? null : trend.get(trend.size() - 1).get(RUN_DATE);
    List<Map<String, Object>> quality =
        trend.stream().filter(r -> r.get(RUN_DATE).equals(qualityDate)).toList();
    List<Map<String, Object>> profile =
        query(cat.profile(), q -> latest(q.where(onOrBefore), RUN_DATE));
    io.lakeml.core.PrepareMetrics prepare = prepareMetrics(onOrBefore);

    Map<String, Object> model =
        first(query(cat.models(), q -> q.where(onOrBefore).orderBy(col(VERSION).desc()).limit(1)));
    List<Map<String, Object>> trials =
        model == null
            ? List.of()
            : query(
                cat.trials(),
                q ->
                    q.where(col(RUN_ID).equalTo(model.get(RUN_ID)))
                        .orderBy(col(RUNG), col(ALGORITHM), col(CANDIDATE)));
    // pre-training rows of the latest gold version measured, post-training rows of the model shown
    List<Map<String, Object>> bias =
        query(
            cat.bias(),
            q -> {
              Dataset<Row> pre =
                  latest(q.where(onOrBefore.and(col(STAGE).equalTo("pre"))), GOLD_VERSION);
              return model == null
                  ? pre
                  : pre.unionByName(
                      q.where(
                          col(STAGE)
                              .equalTo("post")
                              .and(col(MODEL_VERSION).equalTo(model.get(VERSION)))));
            });
    // champion changes made by runs of this run date or earlier (their run date is in the ledger;
    // 'at' is wall-clock time), newest first
    Dataset<Row> ledger = ledger();
    List<Map<String, Object>> champions =
        ledger == null
            ? List.of()
            : query(
                cat.champions(),
                q -> {
                  Dataset<Row> ids = ledger.where(onOrBefore).select(RUN_ID);
                  return q.join(ids, q.col(RUN_ID).equalTo(ids.col(RUN_ID)), "left_semi")
                      .orderBy(col(AT).desc())
                      .limit(50);
                });
    List<Map<String, Object>> monitor = query(cat.monitor(), q -> q.where(onDate(runDate)));
    return new ReportData(
        dataset,
        runDate,
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

  /**
   * The rows with the largest value of {@code column} (e.g. the latest run date). The rows are one
   * dataset's, so the window's partition by dataset changes no rank; without a partition Spark
   * warns on every query that it moves all rows to one partition (13 warnings per report).
   */
  private static Dataset<Row> latest(Dataset<Row> rows, String column) {
    return rows.withColumn(
            "_rank", dense_rank().over(Window.partitionBy(DATASET).orderBy(col(column).desc())))
        .where(col("_rank").equalTo(1))
        .drop("_rank");
  }

  /**
   * Metrics of the latest successful prepare on or before the run date (they hold the split sizes).
   */
  private io.lakeml.core.PrepareMetrics prepareMetrics(Column onOrBefore) {
    Dataset<Row> ledger = ledger();
    if (ledger == null) {
      return null;
    }
    Map<String, Object> run =
        first(
            ledger
                .where(
                    col(JOB)
                        .equalTo("prepare")
                        .and(col(STATUS).equalTo("SUCCEEDED"))
                        .and(onOrBefore))
                .orderBy(col(STARTED_AT).desc())
                .limit(1));
    return run == null
        ? null
        : io.lakeml.core.JobResult.metricsAs(
            parse((String) run.get(METRICS_JSON)), io.lakeml.core.PrepareMetrics.class);
  }

  /**
   * The dataset's rows of a table, at the version this report reads, shaped by {@code q}; none when
   * the table does not exist yet.
   */
  private List<Map<String, Object>> query(
      LakeCatalog.Table t, java.util.function.UnaryOperator<Dataset<Row>> q) {
    Long v = versions.get(t.name());
    if (v == null) {
      return List.of();
    }
    // loaded once per table: later queries reuse the resolved snapshot
    Dataset<Row> base =
        loaded.computeIfAbsent(
            t.name(),
            k ->
                spark
                    .read()
                    .format("delta")
                    .option("versionAsOf", v)
                    .load(t.path())
                    .where(col(DATASET).equalTo(dataset)));
    return rows(q.apply(base));
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
    // bounded: limit MAX_ROWS
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
