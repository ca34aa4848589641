package io.lakeml.report;

import io.lakeml.tables.BiasTable;
import io.lakeml.tables.ChampionsTable;
import io.lakeml.tables.ModelsTable;
import io.lakeml.tables.MonitorTable;
import io.lakeml.tables.ProfileTable;
import io.lakeml.tables.QualityTable;
import io.lakeml.tables.RunsTable;
import io.lakeml.tables.TrialsTable;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * Everything one report shows, read from the lake's tables by {@link ReportReader} and drawn by
 * {@link HtmlReport}. Rows are kept as the tables' own JSON-shaped maps (column name → value; a
 * column a table or an older row lacks is simply absent), keyed by the column constants below.
 *
 * @param runs the stage runs of the run date shown (one per stage, see {@link
 *     ReportReader#stageRuns})
 * @param quality rule results of the latest validation on or before the run date
 * @param qualityTrend rule results of the last {@link ReportReader#TREND_DATES} validations (the
 *     one shown included)
 * @param profile column profiles (every scope) of the latest prepare on or before the run date
 * @param prepare metrics of the prepare run that wrote that profile (split sizes and label rates)
 * @param bias pre-training rows of the latest gold version measured and post-training rows of
 *     {@code model}
 * @param model the registry row of the newest model version trained on or before the run date, or
 *     null
 * @param trials the trials of the tune run that trained {@code model}
 * @param champions champion changes up to the run date, newest first
 * @param monitor monitoring rows of the run date
 */
record ReportData(
    String dataset,
    LocalDate runDate,
    String generatedAt,
    String lakemlVersion,
    String reportPath,
    double diMin,
    double diMax,
    List<Map<String, Object>> runs,
    List<Map<String, Object>> quality,
    List<Map<String, Object>> qualityTrend,
    List<Map<String, Object>> profile,
    io.lakeml.core.PrepareMetrics prepare,
    List<Map<String, Object>> bias,
    Map<String, Object> model,
    List<Map<String, Object>> trials,
    List<Map<String, Object>> champions,
    List<Map<String, Object>> monitor) {

  /** Section ids, in page order: the page's self-check and the tests expect exactly these. */
  static final List<String> SECTIONS =
      List.of(
          "overview",
          "quality",
          "profile",
          "splits",
          "bias",
          "tuning",
          "model",
          "champions",
          "monitoring");

  // columns shared by several _system tables (each table class declares its own, equal spelling)
  static final String DATASET = RunsTable.DATASET;
  static final String RUN_DATE = RunsTable.RUN_DATE;
  static final String RUN_ID = RunsTable.RUN_ID;
  static final String VERSION = ModelsTable.VERSION;
  static final String STATUS = ModelsTable.STATUS;
  static final String PARAMS = ModelsTable.PARAMS;
  static final String ALGORITHM = ModelsTable.ALGORITHM;
  static final String METRIC = BiasTable.METRIC;
  static final String VALUE = BiasTable.VALUE;
  static final String THRESHOLD = ModelsTable.THRESHOLD;

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
  static final String RULE_ID = QualityTable.RULE_ID;
  static final String CHECK = QualityTable.CHECK;
  static final String COLUMN = QualityTable.COLUMN;
  static final String ACTION = QualityTable.ACTION;
  static final String ROWS_CHECKED = QualityTable.ROWS_CHECKED;
  static final String ROWS_FAILED = QualityTable.ROWS_FAILED;
  static final String RATIO = QualityTable.RATIO;
  static final String PASSED = QualityTable.PASSED;

  // _system.profile
  static final String SCOPE = ProfileTable.SCOPE;
  static final String TYPE = ProfileTable.TYPE;
  static final String COUNT = ProfileTable.COUNT;
  static final String NULLS = ProfileTable.NULLS;
  static final String DISTINCT = ProfileTable.DISTINCT_APPROX;
  static final String MIN = ProfileTable.MIN;
  static final String MAX = ProfileTable.MAX;
  static final String MEAN = ProfileTable.MEAN;
  static final String QUANTILES = ProfileTable.QUANTILES;
  static final String TOP_VALUES = ProfileTable.TOP_VALUES;
  static final String LABEL_RATE = ProfileTable.LABEL_RATE;

  // _system.bias
  static final String STAGE = BiasTable.STAGE;
  static final String VARIANT = BiasTable.VARIANT;
  static final String MODEL_VERSION = BiasTable.MODEL_VERSION;
  static final String GOLD_VERSION = BiasTable.GOLD_VERSION;
  static final String ATTRIBUTE = BiasTable.ATTRIBUTE;
  static final String GROUP = BiasTable.GROUP;
  static final String CI_LOW = BiasTable.CI_LOW;
  static final String CI_HIGH = BiasTable.CI_HIGH;
  static final String NOTE = BiasTable.NOTE;

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
  static final String CANDIDATE = TrialsTable.CANDIDATE;
  static final String RUNG = TrialsTable.RUNG;
  static final String ROWS = TrialsTable.ROWS;
  static final String MEAN_METRIC = TrialsTable.MEAN;
  static final String STD = TrialsTable.STD;
  static final String SECONDS = TrialsTable.SECONDS;
  static final String FOLD_METRICS = TrialsTable.FOLD_METRICS;
  static final String TRIAL_VALIDATION = TrialsTable.VALIDATION_METRIC;
  static final String SELECTED = TrialsTable.SELECTED;

  // _system.champions
  static final String PREVIOUS_VERSION = ChampionsTable.PREVIOUS_VERSION;
  static final String REASON = ChampionsTable.REASON;
  static final String ACTOR = ChampionsTable.ACTOR;
  static final String AT = ChampionsTable.AT;

  // _system.monitor
  static final String KIND = MonitorTable.KIND;
  static final String NAME = MonitorTable.NAME;
  static final String BREACHED = MonitorTable.BREACHED;
}
