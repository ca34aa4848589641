package io.lakeml.report;

import io.lakeml.tables.ChampionsTable;
import io.lakeml.tables.ModelsTable;
import io.lakeml.tables.RunsTable;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * Everything one report shows, read from the lake's tables by {@link ReportReader} and drawn by
 * {@link HtmlReport}. Rows are kept as the tables' own JSON-shaped maps (column name → value; a
 * column a table or an older row lacks is simply absent), keyed by the column constants below.
 *
 * @param runs the stage runs of the run date shown (one per stage, see {@link ReportReader#stageRuns})
 * @param quality rule results of the latest validation on or before the run date
 * @param qualityTrend rule results of the last {@link ReportReader#TREND_DATES} validations (the one shown included)
 * @param profile column profiles (every scope) of the latest prepare on or before the run date
 * @param prepare metrics of the prepare run that wrote that profile (split sizes and label rates)
 * @param bias pre-training rows of the latest gold version measured and post-training rows of {@code model}
 * @param model the registry row of the newest model version trained on or before the run date, or null
 * @param trials the trials of the tune run that trained {@code model}
 * @param champions champion changes up to the run date, newest first
 * @param monitor monitoring rows of the run date
 */
record ReportData(String dataset, LocalDate runDate, String generatedAt, String lakemlVersion, String reportPath,
    double diMin, double diMax, List<Map<String, Object>> runs, List<Map<String, Object>> quality,
    List<Map<String, Object>> qualityTrend, List<Map<String, Object>> profile, Map<String, Object> prepare,
    List<Map<String, Object>> bias, Map<String, Object> model, List<Map<String, Object>> trials,
    List<Map<String, Object>> champions, List<Map<String, Object>> monitor) {

  /** Section ids, in page order: the page's self-check and the tests expect exactly these. */
  static final List<String> SECTIONS = List.of("overview", "quality", "profile", "splits", "bias", "tuning", "model", "champions", "monitoring");

  // columns shared by several _system tables
  static final String DATASET = "dataset";
  static final String RUN_DATE = "run_date";
  static final String RUN_ID = "run_id";
  static final String VERSION = "version";
  static final String STATUS = "status";
  static final String PARAMS = "params";
  static final String ALGORITHM = "algorithm";
  static final String METRIC = "metric";
  static final String VALUE = "value";
  static final String THRESHOLD = "threshold";

  // _system.runs
  static final String JOB = RunsTable.JOB;
  static final String MESSAGE = RunsTable.MESSAGE;
  static final String STARTED_AT = RunsTable.STARTED_AT;
  static final String ENDED_AT = RunsTable.ENDED_AT;
  static final String DURATION_MS = RunsTable.DURATION_MS;
  static final String TABLES_READ = RunsTable.TABLES_READ;
  static final String TABLES_WRITTEN = RunsTable.TABLES_WRITTEN;
  static final String METRICS_JSON = RunsTable.METRICS_JSON;
  static final String CONFIG_HASH = RunsTable.CONFIG_HASH;

  // _system.quality
  static final String RULE_ID = "rule_id";
  static final String CHECK = "check";
  static final String COLUMN = "column";
  static final String ACTION = "action";
  static final String ROWS_CHECKED = "rows_checked";
  static final String ROWS_FAILED = "rows_failed";
  static final String RATIO = "ratio";
  static final String PASSED = "passed";

  // _system.profile
  static final String SCOPE = "scope";
  static final String TYPE = "type";
  static final String COUNT = "count";
  static final String NULLS = "nulls";
  static final String DISTINCT = "distinct_approx";
  static final String MIN = "min";
  static final String MAX = "max";
  static final String MEAN = "mean";
  static final String QUANTILES = "quantiles";
  static final String TOP_VALUES = "top_values";
  static final String LABEL_RATE = "label_rate";

  // _system.bias
  static final String STAGE = "stage";
  static final String VARIANT = "variant";
  static final String MODEL_VERSION = "model_version";
  static final String GOLD_VERSION = "gold_version";
  static final String ATTRIBUTE = "attribute";
  static final String GROUP = "group";
  static final String CI_LOW = "ci_low";
  static final String CI_HIGH = "ci_high";
  static final String NOTE = "note";

  // _system.models
  static final String STATUS_REASON = ModelsTable.STATUS_REASON;
  static final String SELECTION_METRIC = ModelsTable.SELECTION_METRIC;
  static final String CV_METRIC = ModelsTable.CV_METRIC;
  static final String TRAIN_METRICS = ModelsTable.TRAIN_METRICS;
  static final String VALIDATION_METRICS = ModelsTable.VALIDATION_METRICS;
  static final String TEST_METRICS = ModelsTable.TEST_METRICS;
  static final String CONFUSION_MATRIX = ModelsTable.CONFUSION_MATRIX;
  static final String TRAIN_ROWS = ModelsTable.TRAIN_ROWS;
  static final String VALIDATION_ROWS = ModelsTable.VALIDATION_ROWS;
  static final String TEST_ROWS = ModelsTable.TEST_ROWS;
  static final String BIAS_GATE = ModelsTable.BIAS_GATE;
  static final String BIAS_REASON = ModelsTable.BIAS_REASON;
  static final String STRATEGY = ModelsTable.STRATEGY;
  static final String TRIALS = ModelsTable.TRIALS;
  static final String SEARCH_SECONDS = ModelsTable.SEARCH_SECONDS;

  // _system.trials
  static final String CANDIDATE = "candidate";
  static final String RUNG = "rung";
  static final String ROWS = "rows";
  static final String MEAN_METRIC = "mean";
  static final String STD = "std";
  static final String SECONDS = "seconds";
  static final String FOLD_METRICS = "fold_metrics";
  static final String TRIAL_VALIDATION = "validation_metric";
  static final String SELECTED = "selected";

  // _system.champions
  static final String PREVIOUS_VERSION = ChampionsTable.PREVIOUS_VERSION;
  static final String REASON = ChampionsTable.REASON;
  static final String ACTOR = ChampionsTable.ACTOR;
  static final String AT = ChampionsTable.AT;

  // _system.monitor
  static final String KIND = "kind";
  static final String NAME = "name";
  static final String BREACHED = "breached";
}
