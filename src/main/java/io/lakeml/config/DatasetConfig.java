package io.lakeml.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Everything lakeml knows about one dataset, bound from {@code conf/datasets/<name>.conf}. Adding a
 * dataset means adding such a file and its landing data; no code changes.
 */
public record DatasetConfig(
    String name,
    Source source,
    List<Column> columns,
    List<String> key,
    Optional<Label> label,
    List<Sensitive> sensitive,
    Features features,
    List<Rule> rules,
    Prepare prepare,
    Tune tune,
    Bias bias,
    Deploy deploy) {

  public DatasetConfig {
    columns = List.copyOf(columns);
    key = List.copyOf(key);
    sensitive = List.copyOf(sensitive);
    rules = List.copyOf(rules);
  }

  /** Names of the declared columns, in schema order. */
  public List<String> columnNames() {
    List<String> names = new ArrayList<>();
    for (Column c : columns) {
      names.add(c.name());
    }
    return names;
  }

  /**
   * Features whose missing-value policy is {@code drop} (numeric first, then categorical): prepare
   * leaves rows without them out of gold, score quarantines them.
   */
  public List<String> featuresDroppedWhenMissing() {
    List<String> out = new ArrayList<>();
    for (String c : features.numeric()) {
      if (prepare.missingFor(c, true).policy() == MissingPolicy.DROP) {
        out.add(c);
      }
    }
    for (String c : features.categorical()) {
      if (prepare.missingFor(c, false).policy() == MissingPolicy.DROP) {
        out.add(c);
      }
    }
    return out;
  }

  public Optional<Column> column(String name) {
    return columns.stream().filter(c -> c.name().equals(name)).findFirst();
  }

  /**
   * Landed names that differ from the column names ({@code landed-as}), landed name → column name;
   * empty when every file's header already uses the column names.
   */
  public Map<String, String> landedNames() {
    Map<String, String> m = new java.util.LinkedHashMap<>();
    for (Column c : columns) {
      if (c.landedAs() != null) {
        m.put(c.landedAs(), c.name());
      }
    }
    return m;
  }

  /**
   * A declared column: name and type, and {@code landedAs}, the name the landing files give it when
   * that is not a valid column name ("Loan Amount", "sepal.length"), else null.
   */
  public record Column(String name, ColumnType type, String landedAs) {
    public Column(String name, ColumnType type) {
      this(name, type, null);
    }
  }

  /** Source formats: files accepted in landing, or a database table read over JDBC. */
  public enum Format {
    CSV,
    JSON,
    PARQUET,
    JDBC;

    /** File-name suffix that marks a landing file of this format. */
    public String suffix() {
      return this == JSON ? ".json" : "." + toString();
    }

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * incremental: each new landing file is ingested exactly once; snapshot: the whole folder is one
   * frozen version.
   */
  public enum Mode {
    INCREMENTAL,
    SNAPSHOT;

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** What to do with a landing file whose columns differ from the declared schema. */
  public enum DriftPolicy {
    EVOLVE,
    QUARANTINE,
    FAIL;

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Where and how raw data lands.
   *
   * @param path folder under the lake's landing layer
   * @param missingValues tokens that mean "no value" (compared after trimming)
   * @param options extra Spark reader options (e.g. delimiter)
   * @param decimalSeparator how numbers in CSV text write their fraction: '.' (the default) or ','
   *     (European exports: "3655,57"; a '.' is then a thousands separator and ignored)
   * @param jdbc the database source; present exactly when {@code format} is {@link Format#JDBC}
   */
  public record Source(
      Format format,
      Mode mode,
      String path,
      List<String> missingValues,
      DriftPolicy schemaDrift,
      Map<String, String> options,
      int maxFilesPerBatch,
      Optional<Jdbc> jdbc,
      char decimalSeparator) {
    public Source {
      missingValues = List.copyOf(missingValues);
      options = Map.copyOf(options);
    }

    /** Whether numbers are written with a decimal comma, as {@link #decimalSeparator} says. */
    public boolean decimalComma() {
      return decimalSeparator == ',';
    }
  }

  /**
   * A table or query read over JDBC (see the README, "JDBC sources").
   *
   * @param url JDBC URL without credentials
   * @param driver JDBC driver class
   * @param table table (or view) name, exclusive with {@code query}
   * @param query a SELECT whose rows are the source, exclusive with {@code table}
   * @param partitioning a parallel read split on a numeric, date or timestamp column
   * @param watermarkColumn incremental ingestion: each run reads only rows whose value is greater
   *     than the last committed one
   * @param fetchSize rows per round trip
   * @param credentials user and password, resolved from environment variables or a credentials file
   */
  public record Jdbc(
      String url,
      String driver,
      Optional<String> table,
      Optional<String> query,
      Optional<Partitioning> partitioning,
      Optional<String> watermarkColumn,
      int fetchSize,
      Credentials credentials) {
    /** What is read: the table name, or {@code (query)} as a derived table. */
    public String relation() {
      return table.orElseGet(() -> "(" + query.orElseThrow() + ") lakeml_query");
    }

    /** The source without credentials, for messages, summaries and lineage. */
    public String describe() {
      return JdbcUrls.redact(url) + " " + table.map(t -> "table " + t).orElse("query");
    }
  }

  /**
   * Parallel JDBC read: Spark splits {@code [lower, upper)} of {@code column} into {@code
   * partitions} strides.
   */
  public record Partitioning(String column, String lower, String upper, int partitions) {}

  /**
   * The label column, its positive class and the favorable outcome (not always the positive class).
   * Without a positive class the label is multiclass: every distinct value is a class.
   */
  public record Label(String column, Optional<String> positive, Optional<String> favorable) {
    public boolean binary() {
      return positive.isPresent();
    }
  }

  /** A sensitive attribute and the values that make up its privileged group. */
  public record Sensitive(String column, List<String> privileged, List<Double> bands) {
    public Sensitive {
      privileged = List.copyOf(privileged);
      bands = List.copyOf(bands);
    }

    /** An attribute judged by its exact values. */
    public Sensitive(String column, List<String> privileged) {
      this(column, privileged, List.of());
    }

    /**
     * The groups of a banded numeric attribute, in order: with {@code bands = [25, 60]}, {@code "<
     * 25"}, {@code "25 to < 60"} and {@code ">= 60"}; empty when judged by exact values.
     */
    public List<String> bandLabels() {
      if (bands.isEmpty()) {
        return List.of();
      }
      List<String> out = new java.util.ArrayList<>();
      for (int i = 0; i <= bands.size(); i++) {
        out.add(
            i == 0
                ? "< " + plain(bands.get(0))
                : i == bands.size()
                    ? ">= " + plain(bands.get(i - 1))
                    : plain(bands.get(i - 1)) + " to < " + plain(bands.get(i)));
      }
      return out;
    }

    private static String plain(double v) {
      return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }
  }

  /** Feature columns by kind. */
  public record Features(List<String> numeric, List<String> categorical) {
    public Features {
      numeric = List.copyOf(numeric);
      categorical = List.copyOf(categorical);
    }
  }

  /** Kinds of validation rule (evaluated by the prepare stage). */
  public enum Check {
    NOT_NULL("not-null"),
    UNIQUE("unique"),
    RANGE("range"),
    ALLOWED("allowed"),
    REGEX("regex"),
    ROW_COUNT("row-count"),
    SQL("sql");

    private final String id;

    Check(String id) {
      this.id = id;
    }

    /** Whether the rule applies to one column (and must name it). */
    public boolean needsColumn() {
      return this != ROW_COUNT && this != SQL;
    }

    @Override
    public String toString() {
      return id;
    }
  }

  /**
   * The leakage guard of a binary label: a feature whose single-feature AUC (or 1 − AUC) reaches
   * {@code maxAuc} separates the label almost alone, which in practice means it is the label under
   * another name or known only after the outcome.
   */
  public record Leakage(LeakageAction action, double maxAuc) {}

  /** What the leakage guard does with a feature that reaches the bound. */
  public enum LeakageAction {
    FAIL,
    WARN,
    OFF;

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** What a failing rule does: count it, drop the row to quarantine, or stop the job. */
  public enum Action {
    WARN,
    DROP,
    FAIL;

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** A declared validation rule; which optional fields are set depends on {@code check}. */
  public record Rule(
      String id,
      Check check,
      Optional<String> column,
      Action action,
      Optional<Double> min,
      Optional<Double> max,
      List<String> values,
      Optional<String> pattern,
      Optional<String> expression,
      Optional<Double> maxNullRatio) {
    public Rule {
      values = List.copyOf(values);
    }
  }

  /**
   * How prepare turns silver into gold: split, scaling, missing values, derived features, the
   * leakage guard.
   */
  public record Prepare(
      Split split,
      Scaling scaling,
      Map<String, Missing> missing,
      List<Derived> derived,
      Leakage leakage) {
    public Prepare {
      missing = Map.copyOf(missing);
      derived = List.copyOf(derived);
    }

    /** The missing-value policy of a feature column (configured, or the default for its kind). */
    public Missing missingFor(String column, boolean numeric) {
      return missing.getOrDefault(
          column,
          new Missing(numeric ? MissingPolicy.MEDIAN : MissingPolicy.CATEGORY, Optional.empty()));
    }
  }

  /**
   * Deterministic split fractions. Up to {@code exactMaxRows} rows, rows are ordered by a seeded
   * hash of the key (or of the whole row) within each stratum and cut exactly; above it each row's
   * own seeded hash decides (no sort, fractions to sampling error). With a time column the earliest
   * rows train, at any size.
   */
  public record Split(
      double train,
      double validation,
      double test,
      long seed,
      List<String> stratifyBy,
      Optional<String> timeColumn,
      long exactMaxRows) {
    public Split {
      stratifyBy = List.copyOf(stratifyBy);
    }
  }

  /** Scaling of numeric features: to 0..1 (min-max) or to zero mean and unit variance. */
  public enum Scaling {
    MINMAX,
    STANDARD;

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * What to do with a missing feature value. mean/median/mode are fitted on the training split
   * only.
   */
  public enum MissingPolicy {
    DROP,
    MEAN,
    MEDIAN,
    MODE,
    CATEGORY,
    CONSTANT;

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** A missing-value policy; {@code value} is set for {@code constant}. */
  public record Missing(MissingPolicy policy, Optional<String> value) {}

  /** A feature computed by a Spark SQL expression over the row. */
  public record Derived(String name, String expression, boolean numeric) {}

  /**
   * Model search settings (used by the tune stage).
   *
   * @param metric selection metric (MLlib evaluator metric name)
   * @param trials random candidates per algorithm (strategy random, or halving over ranges)
   * @param eta successive halving keeps the best 1/eta of the candidates per rung
   * @param minFraction fraction of the training split the first halving rung uses
   * @param retrainDays train again when the newest version from the same inputs is this many days
   *     old (0 = never)
   * @param sharedPass cross-validate eligible logistic-regression grids in shared passes instead of
   *     MLlib's CrossValidator
   * @param balancedClasses weight the training rows so that every class weighs the same in total
   */
  public record Tune(
      String metric,
      int folds,
      int parallelism,
      long seed,
      Strategy strategy,
      int trials,
      int eta,
      double minFraction,
      int retrainDays,
      boolean sharedPass,
      List<Algorithm> algorithms,
      Threshold threshold,
      boolean balancedClasses) {
    public Tune {
      algorithms = List.copyOf(algorithms);
    }
  }

  /**
   * How a binary model's decision threshold is chosen on the validation split: the one with the
   * best F1, the one that flags the training split's positive rate, or a fixed value.
   */
  public record Threshold(ThresholdRule rule, double value) {
    @Override
    public String toString() {
      return rule == ThresholdRule.FIXED ? String.valueOf(value) : rule.toString();
    }
  }

  /** Rules for {@link Threshold}. */
  public enum ThresholdRule {
    F1,
    BASE_RATE,
    FIXED;

    @Override
    public String toString() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
  }

  /** How candidates are searched. */
  public enum Strategy {
    GRID,
    RANDOM,
    HALVING;

    @Override
    public String toString() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * One algorithm and its search space: MLlib parameter name → candidate values (grid), and
   * parameter name → range to draw from (random search and halving).
   */
  public record Algorithm(String type, Map<String, List<String>> grid, Map<String, Range> ranges) {
    public Algorithm {
      grid = Map.copyOf(grid);
      ranges = Map.copyOf(ranges);
    }
  }

  /** A numeric range for random search; {@code log} draws uniformly in log space. */
  public record Range(double min, double max, boolean log) {}

  /**
   * Fairness analysis settings (used by the bias stage and, for reweighing, by prepare).
   *
   * @param intersections groups of sensitive attributes analysed jointly, e.g. [[sex,
   *     passengerClass]]
   * @param minGroupSize groups with fewer rows are reported as too small instead of with rates
   * @param bootstrap resamples for confidence intervals of post-training DI and SPD (0 = off)
   * @param reweigh write Kamiran–Calders weights into gold's weight column
   */
  public record Bias(
      List<List<String>> intersections,
      int minGroupSize,
      int bootstrap,
      double confidence,
      long seed,
      double diMin,
      double diMax,
      double eodMax,
      GateAction action,
      boolean reweigh) {
    public Bias {
      intersections = intersections.stream().map(List::copyOf).toList();
    }
  }

  /** What the bias gate does with a model version that violates the policy. */
  public enum GateAction {
    WARN,
    BLOCK;

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Promotion and scoring settings (deploy stages).
   *
   * @param requirements minimum test metrics a candidate must reach to become champion
   * @param margin how much a candidate's validation metric must exceed the champion's
   * @param minValidationAuc a binary candidate whose validation AUC is below this is not promoted
   *     automatically (0: no floor)
   * @param scoreAll score every silver row (true) or only rows ingested on the run date (false)
   * @param psiThreshold a feature or prediction PSI above it signals retraining
   * @param metricDrop a fall of the champion's metric on labelled scored rows (vs its test metric)
   *     above it signals retraining
   * @param labels where the true labels of scored rows come from, often days after scoring
   */
  public record Deploy(
      Map<String, Double> requirements,
      double margin,
      double minValidationAuc,
      boolean scoreAll,
      double psiThreshold,
      double metricDrop,
      Labels labels) {
    public Deploy {
      requirements = Map.copyOf(requirements);
    }
  }

  /**
   * The source of labels that arrive after scoring, for monitoring the champion's performance.
   *
   * @param from dataset whose silver table holds the key columns and the label (empty: this
   *     dataset's own silver, as it is updated)
   * @param column label column in that table (empty: this dataset's label column)
   * @param lookbackDays predictions of this many past run dates are matched with labels
   */
  public record Labels(Optional<String> from, Optional<String> column, int lookbackDays) {}
}
