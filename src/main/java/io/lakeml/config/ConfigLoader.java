package io.lakeml.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigUtil;
import io.lakeml.config.DatasetConfig.Action;
import io.lakeml.config.DatasetConfig.Algorithm;
import io.lakeml.config.DatasetConfig.Check;
import io.lakeml.config.DatasetConfig.Column;
import io.lakeml.config.DatasetConfig.Features;
import io.lakeml.config.DatasetConfig.Format;
import io.lakeml.config.DatasetConfig.Label;
import io.lakeml.config.DatasetConfig.Mode;
import io.lakeml.config.DatasetConfig.Rule;
import io.lakeml.config.DatasetConfig.Sensitive;
import io.lakeml.config.DatasetConfig.Source;
import io.lakeml.config.DatasetConfig.Strategy;
import io.lakeml.config.DatasetConfig.Tune;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Stream;

/**
 * Loads and validates configuration without starting Spark.
 *
 * <p>Precedence, highest first: {@code --set key=value} on the command line &gt; environment file
 * ({@code conf/<env>.conf}) &gt; dataset file ({@code conf/datasets/<name>.conf}) &gt; packaged
 * defaults ({@code lakeml-defaults.conf} in the jar). Every problem found (syntax, unknown key,
 * wrong type, missing key, dangling column reference) is reported at once in a {@link
 * ConfigException}.
 */
public final class ConfigLoader {
  private static final Pattern DATASET_NAME = Pattern.compile("[a-z][a-z0-9_]*");
  private static final Pattern COLUMN_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final List<String> ROOTS = List.of("lake", "spark", "dataset");

  /** Algorithms the tune stage knows; grids are checked against MLlib there. */
  public static final Set<String> ALGORITHMS =
      Set.of(
          "logistic-regression",
          "random-forest",
          "gradient-boosted-trees",
          "linear-svc",
          "naive-bayes",
          "decision-tree",
          "xgboost",
          "xgboost-random-forest");

  /** MLlib's GBT and linear SVC classifiers are binary only. */
  static final Set<String> BINARY_ONLY = Set.of("gradient-boosted-trees", "linear-svc");

  /** Selection metrics: MLlib evaluator metric names. */
  public static final Set<String> BINARY_METRICS =
      Set.of(
          "areaUnderROC", "areaUnderPR", "f1", "accuracy", "weightedPrecision", "weightedRecall");

  public static final Set<String> MULTICLASS_METRICS =
      Set.of("f1", "accuracy", "weightedPrecision", "weightedRecall");

  private ConfigLoader() {}

  /**
   * Loads the configuration for a run.
   *
   * @param confDir the {@code conf/} folder
   * @param env environment name: {@code conf/<env>.conf} must exist
   * @param dataset dataset name or null for commands that need none
   * @param overrides {@code key=value} strings from {@code --set}
   */
  public static LakemlConfig load(
      Path confDir, String env, String dataset, List<String> overrides) {
    return load(confDir, env, dataset, overrides, System::getenv);
  }

  /**
   * As {@link #load(Path, String, String, List)}, with the process environment replaced by {@code
   * environment} (a variable name → value or null): where JDBC credentials named by {@code
   * user-env} and {@code password-env} are looked up.
   */
  public static LakemlConfig load(
      Path confDir,
      String env,
      String dataset,
      List<String> overrides,
      Function<String, String> environment) {
    List<String> problems = new ArrayList<>();
    if (!Files.isDirectory(confDir)) {
      throw new ConfigException(
          "configuration folder "
              + confDir.toAbsolutePath()
              + " does not exist. Run from the project folder or pass --conf-dir.");
    }
    Config merged = ConfigFactory.empty();
    for (String set : overrides) {
      int eq = set.indexOf('=');
      if (eq <= 0) {
        problems.add(
            "--set '" + set + "' is not key=value. Write it as --set dataset.tune.folds=5.");
        continue;
      }
      String key = set.substring(0, eq).trim();
      String value = set.substring(eq + 1).trim();
      try {
        Config one =
            ConfigFactory.parseString(
                key + " = " + quoteIfNeeded(value),
                ConfigParseOptions.defaults().setOriginDescription("command line --set " + set));
        merged =
            one.withFallback(merged); // a later --set of the same key wins, as on any command line
      } catch (com.typesafe.config.ConfigException e) {
        problems.add(
            "--set '"
                + set
                + "' cannot be parsed: "
                + e.getMessage()
                + ". Quote the value if it contains special characters.");
      }
    }
    Path envFile = confDir.resolve(env + ".conf");
    if (!Files.isRegularFile(envFile)) {
      List<String> environments = listConf(confDir);
      problems.add(
          "environment file "
              + envFile
              + " does not exist (from --env "
              + env
              + "). "
              + (environments.isEmpty()
                  // a new configuration folder (new-dataset --conf-dir): it needs one to start from
                  ? confDir
                      + " holds no environment file yet: copy the project's conf/local.conf there (it names lake.root and Spark's settings)"
                  : "Use one of " + environments + " or create " + envFile)
              + ".");
    } else {
      merged = merged.withFallback(parseFile(envFile, problems));
    }
    if (dataset != null) {
      if (datasetNameProblem(dataset).isPresent()) {
        problems.add(datasetNameProblem(dataset).get());
      } else {
        Path dsFile = confDir.resolve("datasets").resolve(dataset + ".conf");
        if (!Files.isRegularFile(dsFile)) {
          List<String> known = listConf(confDir.resolve("datasets"));
          problems.add(
              "dataset '"
                  + dataset
                  + "' has no configuration file "
                  + dsFile
                  + ". Known datasets: "
                  + known
                  + Suggest.didYouMean(dataset, known)
                  + ". Create the file (see README, 'Adding a dataset').");
        } else {
          merged = merged.withFallback(parseFile(dsFile, problems));
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    try {
      merged = merged.withFallback(ConfigKey.DEFAULTS).resolve();
    } catch (com.typesafe.config.ConfigException e) {
      throw new ConfigException(e.getMessage());
    }
    if (dataset == null) {
      // commands without a dataset ignore the dataset defaults
      merged = merged.withoutPath("dataset");
    }
    Path projectDir = confDir.toAbsolutePath().normalize().getParent();
    return bind(merged, env, dataset, projectDir, environment);
  }

  /** Binds an already merged config (exposed for tests). */
  static LakemlConfig bind(Config merged, String env, String dataset, Path projectDir) {
    return bind(merged, env, dataset, projectDir, System::getenv);
  }

  static LakemlConfig bind(
      Config merged,
      String env,
      String dataset,
      Path projectDir,
      Function<String, String> environment) {
    ConfigReader r = new ConfigReader(merged);
    Settings.Lake lake =
        new Settings.Lake(r.get(ConfigKeys.LAKE_ROOT), r.get(ConfigKeys.SKIP_UNCHANGED));
    Settings.Spark spark =
        new Settings.Spark(
            r.get(ConfigKeys.SPARK_MASTER),
            r.stringMap("spark.conf"),
            new Settings.SmallInput(
                r.get(ConfigKeys.SMALL_INPUT_MAX_MB), r.stringMap("spark.small-input.conf")),
            new Settings.WideInput(
                r.get(ConfigKeys.WIDE_INPUT_MIN_COLUMNS),
                r.strings("spark.wide-input.stages"),
                r.stringMap("spark.wide-input.conf")));
    for (String stage : spark.wideInput().stages()) {
      if (!Settings.WideInput.STAGES.contains(stage)) {
        r.problem(
            "spark.wide-input.stages",
            "names no stage '" + stage + "'" + Suggest.didYouMean(stage, Settings.WideInput.STAGES),
            "Use stages of the nightly: " + Settings.WideInput.STAGES);
      }
    }
    Optional<DatasetConfig> ds =
        dataset == null
            ? Optional.empty()
            : Optional.of(bindDataset(r, dataset, projectDir, environment));
    r.reportUnknownKeys(ROOTS);
    if (!r.problems().isEmpty()) {
      throw new ConfigException(r.problems());
    }
    // how a stage decides it has nothing to do is not part of what it computes: left out of the
    // hash
    String hash =
        sha256(
            merged.withoutPath("lake.skip-unchanged").root().render(ConfigRenderOptions.concise()));
    String datasetHash = datasetHash(merged);
    // gold does not depend on the search or on deployment, a model version not on deployment: a
    // change there must not rewrite gold (and so retrain from an identical table)
    String goldHash = datasetHash(merged.withoutPath("dataset.tune").withoutPath("dataset.deploy"));
    String modelHash = datasetHash(merged.withoutPath("dataset.deploy"));
    return new LakemlConfig(
        env, projectDir, lake, spark, ds, hash, datasetHash, goldHash, modelHash);
  }

  private static DatasetConfig bindDataset(
      ConfigReader r, String name, Path projectDir, Function<String, String> environment) {
    String p = "dataset.";
    Format format = r.get(ConfigKeys.SOURCE_FORMAT);
    Mode mode = r.get(ConfigKeys.SOURCE_MODE);
    Map<String, String> options = r.stringMap(p + "source.options");
    for (String k : List.of("encoding", "charset")) {
      String v = options.get(k);
      if (v != null && !knownCharset(v)) {
        r.problem(
            p + "source.options." + k,
            "'" + v + "' is not an encoding Spark's CSV reader accepts",
            "Use one of "
                + SPARK_CHARSETS
                + " (a Windows-1252 file reads as ISO-8859-1 but for € and „)");
      }
    }
    Optional<DatasetConfig.Jdbc> jdbc = Optional.empty();
    if (format == Format.JDBC) {
      jdbc = JdbcBinder.bind(r, p + "source", mode, options, projectDir, environment);
    } else if (r.has(p + "source.jdbc")) {
      r.subtree(p + "source.jdbc");
      r.problem(
          p + "source.jdbc",
          "a jdbc block is only read with dataset.source.format = jdbc, the format is " + format,
          "Set dataset.source.format = jdbc, or remove the jdbc block");
    }
    Source source =
        new Source(
            format,
            mode,
            r.optional(ConfigKeys.SOURCE_PATH).orElse(name),
            r.strings(p + "source.missing-values"),
            r.get(ConfigKeys.SCHEMA_DRIFT),
            options,
            r.get(ConfigKeys.MAX_FILES_PER_BATCH),
            jdbc,
            decimalSeparator(r, p, format));

    List<Column> columns = new ArrayList<>();
    List<com.typesafe.config.Config> items = r.objects(p + "schema");
    if (items.isEmpty()) {
      r.problem(
          p + "schema",
          "the dataset declares no columns",
          "List them as schema = [ { name = id, type = string }, … ]");
    }
    Set<String> seen = new HashSet<>();
    Set<String> landedSeen = new HashSet<>();
    for (int i = 0; i < items.size(); i++) {
      ConfigReader c = r.child(items.get(i), p + "schema[" + i + "]");
      String col = c.string("name", null, true, "Give every column a name.");
      ColumnType type = c.enumValue("type", ColumnType.class, ColumnType.STRING);
      String landedAs = c.string("landed-as", null);
      c.reportUnknownKeys(null);
      if (col == null) {
        continue;
      }
      if (landedAs != null) {
        if (col.contains("{")) {
          c.problem(
              "landed-as",
              "landed-as names one landed column, and '" + col + "' is a range",
              "Declare that column on its own line");
          continue;
        } else if (landedAs.isEmpty() || landedAs.equals(col)) {
          c.problem(
              "landed-as",
              "landed-as '" + landedAs + "' is empty or the column's own name",
              "Remove landed-as");
          continue;
        } else if (!landedSeen.add(landedAs)) {
          c.problem(
              "landed-as",
              "landed column '" + landedAs + "' is mapped twice",
              "Map each landed name to one column");
          continue;
        }
      }
      List<String> names;
      try {
        names = ColumnPatterns.expandRange(col); // pixel{1..784}: one entry, many columns
      } catch (IllegalArgumentException e) {
        c.problem(
            "name",
            e.getMessage(),
            "Write one range {from..to} with from <= to, e.g. pixel{1..784}");
        continue;
      }
      for (String one : names) {
        if (!COLUMN_NAME.matcher(one).matches() || one.startsWith("_")) {
          c.problem(
              "name",
              "column name '" + one + "' is invalid",
              "Use letters, digits and '_', not starting with '_' or a digit "
                  + "(names starting with '_' are reserved for lakeml; a range is written pixel{1..784})");
          break;
        } else if (!seen.add(one)) {
          c.problem("name", "column '" + one + "' is declared twice", "Remove one of them");
        } else {
          columns.add(new Column(one, type, landedAs));
        }
      }
    }
    if (format == Format.JDBC && !landedSeen.isEmpty()) {
      r.problem(
          p + "schema",
          "landed-as renames columns of landing files, and this source is JDBC",
          "Alias the columns in dataset.source.jdbc.query instead (SELECT \"Loan Amount\" AS loan_amount …)");
    }
    Set<String> known = new TreeSet<>(seen);

    List<String> key = r.strings(p + "key");
    checkColumns(r, p + "key", key, known);

    Optional<Label> label = Optional.empty();
    if (r.has(p + "label")) {
      String labelCol =
          r.string(
              ConfigKeys.LABEL_COLUMN.path(),
              null,
              true,
              "Name the label column: dataset.label.column = survived.");
      // without a positive class the label is multiclass (every distinct value a class)
      Optional<String> positive = r.optional(ConfigKeys.LABEL_POSITIVE);
      Optional<String> favorable = r.optional(ConfigKeys.LABEL_FAVORABLE).or(() -> positive);
      if (positive.isEmpty() && favorable.isPresent()) {
        r.problem(
            p + "label.favorable",
            "a favorable outcome needs a binary label",
            "Set dataset.label.positive too, or remove favorable (fairness metrics are defined for binary labels)");
      }
      if (labelCol != null) {
        checkColumns(r, p + "label.column", List.of(labelCol), known);
      }
      label = Optional.of(new Label(labelCol, positive, favorable));
    }

    List<Sensitive> sensitive = new ArrayList<>();
    List<com.typesafe.config.Config> sens = r.objects(p + "sensitive");
    for (int i = 0; i < sens.size(); i++) {
      ConfigReader c = r.child(sens.get(i), p + "sensitive[" + i + "]");
      String col = c.string("column", null, true, "Name the sensitive column.");
      List<String> privileged = c.strings("privileged");
      if (privileged.isEmpty()) {
        c.problem(
            "privileged",
            "no privileged values given",
            "List the values of the privileged group: privileged = [\"male\"]");
      }
      List<Double> bands = new ArrayList<>();
      for (String b : c.strings("bands")) {
        try {
          double v = Double.parseDouble(b);
          if (!bands.isEmpty() && v <= bands.get(bands.size() - 1)) {
            c.problem(
                "bands",
                "cut points must increase: " + b + " follows " + bands.get(bands.size() - 1),
                "List them in ascending order: bands = [25, 60]");
          }
          bands.add(v);
        } catch (NumberFormatException e) {
          c.problem(
              "bands",
              "'" + b + "' is not a number",
              "List the cut points of a numeric attribute: bands = [40] makes the groups \"< 40\" and \">= 40\"");
        }
      }
      c.reportUnknownKeys(null);
      if (col != null) {
        checkColumns(c, "column", List.of(col), known);
        Sensitive s = new Sensitive(col, privileged, bands);
        if (!bands.isEmpty()) {
          Optional<Column> declared =
              columns.stream().filter(x -> x.name().equals(col)).findFirst();
          if (declared.isPresent() && !declared.get().type().isNumeric()) {
            c.problem(
                "bands",
                "'" + col + "' is a " + declared.get().type() + ", bands need a number",
                "Declare the column as int, long or double in dataset.schema, or remove bands and list its privileged values");
          }
          List<String> groups = s.bandLabels();
          for (String v : privileged) {
            if (!groups.contains(v)) {
              c.problem(
                  "privileged",
                  "'" + v + "' is not one of the groups " + groups + " that the bands make",
                  "Name the privileged group by its band, e.g. privileged = [\""
                      + groups.get(0)
                      + "\"]"
                      + Suggest.didYouMean(v, groups));
            }
          }
        }
        sensitive.add(s);
      }
    }

    List<String> schemaOrder = columns.stream().map(Column::name).toList();
    Set<String> notFeatures = new HashSet<>(key);
    label.ifPresent(l -> notFeatures.add(l.column()));
    Features features =
        new Features(
            resolvePatterns(
                r,
                p + "features.numeric",
                r.strings(p + "features.numeric"),
                schemaOrder,
                notFeatures),
            resolvePatterns(
                r,
                p + "features.categorical",
                r.strings(p + "features.categorical"),
                schemaOrder,
                notFeatures));
    checkColumns(r, p + "features.numeric", features.numeric(), known);
    checkColumns(r, p + "features.categorical", features.categorical(), known);
    checkNotFeatures(
        r, p, features, label.map(Label::column).filter(Objects::nonNull).orElse(null), key);
    if (label.isPresent()) {
      checkNotLakemlNames(r, p, columns, label.get().column(), key, format == Format.JDBC);
    }

    List<Rule> rules = bindRules(r, p + "validation.rules", known);
    DatasetConfig.Prepare prepare = bindPrepare(r, p + "prepare", known, columns, features, label);
    Tune tune = bindTune(r, p + "tune", label.map(Label::binary).orElse(true));
    DatasetConfig.Bias bias = bindBias(r, p + "bias", sensitive, label);
    DatasetConfig.Deploy deploy =
        bindDeploy(r, p + "deploy", label.map(Label::binary).orElse(true));
    return new DatasetConfig(
        name, source, columns, key, label, sensitive, features, rules, prepare, tune, bias, deploy);
  }

  private static List<Rule> bindRules(ConfigReader r, String path, Set<String> known) {
    List<Rule> rules = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    List<com.typesafe.config.Config> items = r.objects(path);
    for (int i = 0; i < items.size(); i++) {
      ConfigReader c = r.child(items.get(i), path + "[" + i + "]");
      String id = c.string("id", "rule-" + i, true, "Give every rule a unique id.");
      Check check = parseCheck(c);
      Optional<String> column = Optional.ofNullable(c.string("column", null));
      Action action = c.enumValue("action", Action.class, Action.FAIL);
      Optional<Double> min = Optional.ofNullable(c.number("min"));
      Optional<Double> max = Optional.ofNullable(c.number("max"));
      List<String> values = c.strings("values");
      Optional<String> pattern = Optional.ofNullable(c.string("pattern", null));
      Optional<String> expression = Optional.ofNullable(c.string("expression", null));
      Optional<Double> maxNullRatio = Optional.ofNullable(c.number("max-null-ratio"));
      c.reportUnknownKeys(null);
      if (!ids.add(id)) {
        c.problem("id", "rule id '" + id + "' is used twice", "Give each rule its own id");
      }
      if (check == null) {
        continue;
      }
      if (check.needsColumn()) {
        if (column.isEmpty()) {
          c.problem("column", "a '" + check + "' rule needs a column", "Add column = <name>");
        } else {
          checkColumns(c, "column", List.of(column.get()), known);
        }
      }
      switch (check) {
        case RANGE, ROW_COUNT -> {
          if (min.isEmpty() && max.isEmpty()) {
            c.problem(
                "min",
                "a '" + check + "' rule needs min, max or both",
                "Add min = … and/or max = …");
          }
          if (check == Check.ROW_COUNT && action == Action.DROP) {
            c.problem(
                "action",
                "a 'row-count' rule applies to the whole table and cannot drop rows",
                "Use action = warn or action = fail");
          }
        }
        case ALLOWED -> {
          if (values.isEmpty()) {
            c.problem(
                "values",
                "an 'allowed' rule needs the list of allowed values",
                "Add values = [a, b]");
          }
        }
        case REGEX -> {
          if (pattern.isEmpty()) {
            c.problem("pattern", "a 'regex' rule needs a pattern", "Add pattern = \"^[A-Z]+$\"");
          } else {
            try {
              Pattern.compile(pattern.get());
            } catch (PatternSyntaxException e) {
              c.problem(
                  "pattern",
                  "invalid regular expression: " + e.getDescription(),
                  "Fix the pattern");
            }
          }
        }
        case SQL -> {
          if (expression.isEmpty()) {
            c.problem(
                "expression",
                "a 'sql' rule needs a Spark SQL boolean expression",
                "Add expression = \"age >= 0\"");
          }
        }
        case NOT_NULL -> {
          if (maxNullRatio.isPresent() && (maxNullRatio.get() < 0 || maxNullRatio.get() > 1)) {
            c.problem(
                "max-null-ratio",
                "must lie between 0 and 1, cannot be " + maxNullRatio.get(),
                "Use a ratio such as 0.05");
          }
        }
        default -> {}
      }
      rules.add(
          new Rule(id, check, column, action, min, max, values, pattern, expression, maxNullRatio));
    }
    return rules;
  }

  private static DatasetConfig.Prepare bindPrepare(
      ConfigReader r,
      String p,
      Set<String> known,
      List<Column> columns,
      Features features,
      Optional<Label> label) {
    double train = r.get(ConfigKeys.SPLIT_TRAIN);
    double validation = r.get(ConfigKeys.SPLIT_VALIDATION);
    double test = r.get(ConfigKeys.SPLIT_TEST);
    if (Math.abs(train + validation + test - 1.0) > 1e-9) {
      r.problem(
          p + ".split",
          "train + validation + test must be 1, cannot be " + (train + validation + test),
          "Set fractions such as train = 0.6, validation = 0.2, test = 0.2");
    }
    if (train <= 0) {
      r.problem(
          p + ".split.train", "the training split cannot be empty", "Give it a fraction above 0");
    }
    int seed = r.get(ConfigKeys.SPLIT_SEED);
    List<String> stratify =
        r.has(p + ".split.stratify-by")
            ? r.strings(p + ".split.stratify-by")
            : label
                .map(l -> l.column() == null ? List.<String>of() : List.of(l.column()))
                .orElse(List.of());
    checkColumns(r, p + ".split.stratify-by", stratify, known);
    Optional<String> time = r.optional(ConfigKeys.SPLIT_TIME_COLUMN);
    time.ifPresent(t -> checkColumns(r, p + ".split.time-column", List.of(t), known));
    int exactMaxRows = r.get(ConfigKeys.SPLIT_EXACT_MAX_ROWS);
    DatasetConfig.Scaling scaling = r.get(ConfigKeys.SCALING);

    List<DatasetConfig.Derived> derived = new ArrayList<>();
    List<com.typesafe.config.Config> items = r.objects(p + ".derived");
    Set<String> featureNames = new HashSet<>(features.numeric());
    featureNames.addAll(features.categorical());
    for (int i = 0; i < items.size(); i++) {
      ConfigReader c = r.child(items.get(i), p + ".derived[" + i + "]");
      String dname = c.string("name", null, true, "Name the derived feature.");
      String expr =
          c.string(
              "expression",
              null,
              true,
              "Give a Spark SQL expression, e.g. expression = \"a + b\".");
      String kind = c.string("kind", "numeric");
      c.reportUnknownKeys(null);
      if (!kind.equals("numeric") && !kind.equals("categorical")) {
        c.problem(
            "kind",
            "'" + kind + "' is not numeric or categorical",
            "Use kind = numeric or kind = categorical");
      }
      if (dname != null
          && (known.contains(dname)
              || !COLUMN_NAME.matcher(dname).matches()
              || isAddedColumn(dname))) {
        c.problem(
            "name",
            "derived feature name '"
                + dname
                + "' is invalid, clashes with a schema column or is one lakeml adds ("
                + String.join(", ", new TreeSet<>(ADDED_COLUMNS.keySet()))
                + ")",
            "Choose a new name of letters, digits and '_'");
      } else if (dname != null && expr != null) {
        derived.add(new DatasetConfig.Derived(dname, expr, kind.equals("numeric")));
        featureNames.add(dname);
      }
    }

    Map<String, DatasetConfig.Missing> missing = new LinkedHashMap<>();
    com.typesafe.config.Config m = r.subtree(p + ".missing");
    if (m != null) {
      for (String col : new TreeSet<>(m.root().keySet())) {
        String path = p + ".missing." + col;
        String raw = String.valueOf(m.root().get(col).unwrapped());
        if (!featureNames.contains(col)) {
          r.problem(
              path,
              "'" + col + "' is not a feature column " + new TreeSet<>(featureNames),
              "Set missing-value policies for features only"
                  + Suggest.didYouMean(col, featureNames));
          continue;
        }
        boolean numeric =
            features.numeric().contains(col)
                || derived.stream().anyMatch(d -> d.name().equals(col) && d.numeric());
        String policyName = raw.contains(":") ? raw.substring(0, raw.indexOf(':')) : raw;
        Optional<String> value =
            raw.contains(":") ? Optional.of(raw.substring(raw.indexOf(':') + 1)) : Optional.empty();
        DatasetConfig.MissingPolicy policy = null;
        for (DatasetConfig.MissingPolicy mp : DatasetConfig.MissingPolicy.values()) {
          if (mp.toString().equals(policyName)) {
            policy = mp;
          }
        }
        List<String> allowed =
            numeric
                ? List.of("drop", "mean", "median", "mode", "constant:<number>")
                : List.of("drop", "category", "constant:<text>");
        if (policy == null
            || (numeric && policy == DatasetConfig.MissingPolicy.CATEGORY)
            || (!numeric
                && (policy == DatasetConfig.MissingPolicy.MEAN
                    || policy == DatasetConfig.MissingPolicy.MEDIAN
                    || policy == DatasetConfig.MissingPolicy.MODE))) {
          r.problem(
              path,
              "'"
                  + raw
                  + "' is not a missing-value policy for a "
                  + (numeric ? "numeric" : "categorical")
                  + " feature",
              "Use one of " + allowed);
          continue;
        }
        if (policy == DatasetConfig.MissingPolicy.CONSTANT) {
          if (value.isEmpty()) {
            r.problem(path, "constant needs a value", "Write it as \"constant:0\"");
            continue;
          }
          if (numeric) {
            try {
              Double.parseDouble(value.get());
            } catch (NumberFormatException e) {
              r.problem(
                  path,
                  "'" + value.get() + "' is not a number",
                  "Write a numeric constant such as \"constant:0\"");
              continue;
            }
          }
        }
        missing.put(col, new DatasetConfig.Missing(policy, value));
      }
    }
    DatasetConfig.Leakage leakage =
        new DatasetConfig.Leakage(
            r.get(ConfigKeys.LEAKAGE_ACTION), r.get(ConfigKeys.LEAKAGE_MAX_AUC));
    return new DatasetConfig.Prepare(
        new DatasetConfig.Split(train, validation, test, seed, stratify, time, exactMaxRows),
        scaling,
        missing,
        derived,
        leakage);
  }

  private static Check parseCheck(ConfigReader c) {
    String raw = c.string("check", null, true, "Set check to one of " + checkIds() + ".");
    if (raw == null) {
      return null;
    }
    for (Check k : Check.values()) {
      if (k.toString().equals(raw)) {
        return k;
      }
    }
    c.problem(
        "check",
        "'" + raw + "' is not a known check",
        "Use one of " + checkIds() + Suggest.didYouMean(raw, checkIds()));
    return null;
  }

  private static List<String> checkIds() {
    return Stream.of(Check.values()).map(Check::toString).toList();
  }

  private static Tune bindTune(ConfigReader r, String p, boolean binary) {
    String metric = r.optional(ConfigKeys.TUNE_METRIC).orElse(binary ? "areaUnderROC" : "f1");
    Set<String> metrics = binary ? BINARY_METRICS : MULTICLASS_METRICS;
    if (!metrics.contains(metric)) {
      r.problem(
          p + ".metric",
          "'" + metric + "' is not a metric for a " + (binary ? "binary" : "multiclass") + " label",
          "Use one of " + new TreeSet<>(metrics) + Suggest.didYouMean(metric, metrics));
    }
    int folds = r.get(ConfigKeys.TUNE_FOLDS);
    int parallelism = r.get(ConfigKeys.TUNE_PARALLELISM);
    int seed = r.get(ConfigKeys.TUNE_SEED);
    Strategy strategy = r.get(ConfigKeys.TUNE_STRATEGY);
    int trials = r.get(ConfigKeys.TUNE_TRIALS);
    int eta = r.get(ConfigKeys.HALVING_ETA);
    double minFraction = r.get(ConfigKeys.HALVING_MIN_FRACTION);
    List<Algorithm> algorithms = new ArrayList<>();
    List<com.typesafe.config.Config> items = r.objects(p + ".algorithms");
    for (int i = 0; i < items.size(); i++) {
      ConfigReader c = r.child(items.get(i), p + ".algorithms[" + i + "]");
      String type =
          c.string("type", null, true, "Set type to one of " + new TreeSet<>(ALGORITHMS) + ".");
      Config grid = c.subtree("grid");
      c.reportUnknownKeys(null);
      if (type != null && !ALGORITHMS.contains(type)) {
        c.problem(
            "type",
            "'" + type + "' is not a known algorithm",
            "Use one of " + new TreeSet<>(ALGORITHMS) + Suggest.didYouMean(type, ALGORITHMS));
      } else if (type != null && !binary && BINARY_ONLY.contains(type)) {
        c.problem(
            "type",
            type
                + " supports binary labels only, and dataset.label has no positive class (multiclass)",
            "Remove it, or use one of "
                + new TreeSet<>(
                    ALGORITHMS.stream().filter(a -> !BINARY_ONLY.contains(a)).toList()));
      }
      Map<String, List<String>> values = new LinkedHashMap<>();
      Map<String, DatasetConfig.Range> ranges = new LinkedHashMap<>();
      if (grid != null) {
        ConfigReader g = c.child(grid, c.display("grid"));
        for (String param : new TreeSet<>(grid.root().keySet())) {
          if (grid.getValue(param).valueType() == com.typesafe.config.ConfigValueType.OBJECT) {
            ConfigReader rg = g.child(grid.getConfig(param), g.display(param));
            Double min = rg.number("min");
            Double max = rg.number("max");
            String scale = rg.string("scale", "linear");
            rg.reportUnknownKeys(null);
            if (min == null || max == null || min > max) {
              g.problem(
                  param,
                  "a range needs min <= max",
                  "Write it as " + param + " = { min = 0.001, max = 1.0, scale = log }");
            } else if (!scale.equals("linear") && !scale.equals("log")) {
              g.problem(param + ".scale", "'" + scale + "' is not a scale", "Use linear or log");
            } else if (scale.equals("log") && min <= 0) {
              g.problem(
                  param,
                  "a log-scale range needs min > 0",
                  "Set min to a positive value such as 0.001");
            } else {
              ranges.put(param, new DatasetConfig.Range(min, max, scale.equals("log")));
            }
            continue;
          }
          List<String> candidates = g.strings(param);
          if (candidates.isEmpty()) {
            g.problem(
                param,
                "a grid parameter needs at least one value",
                "Write it as " + param + " = [v1, v2]");
          }
          values.put(param, candidates);
        }
      }
      if (!ranges.isEmpty() && strategy == Strategy.GRID) {
        c.problem(
            "grid",
            "ranges (" + String.join(", ", ranges.keySet()) + ") need a random search",
            "Set dataset.tune.strategy = random (or halving), or list values: param = [v1, v2]");
      }
      if (type != null) {
        algorithms.add(new Algorithm(type, values, ranges));
      }
    }
    int retrainDays = r.get(ConfigKeys.RETRAIN_DAYS);
    boolean sharedPass = r.get(ConfigKeys.SHARED_PASS);
    String classWeight = r.get(ConfigKeys.CLASS_WEIGHT);
    return new Tune(
        metric,
        folds,
        parallelism,
        seed,
        strategy,
        trials,
        eta,
        minFraction,
        retrainDays,
        sharedPass,
        algorithms,
        bindThreshold(r),
        classWeight.equals("balanced"));
  }

  /** {@code dataset.tune.threshold}: f1, base-rate or a number strictly between 0 and 1. */
  private static DatasetConfig.Threshold bindThreshold(ConfigReader r) {
    String path = ConfigKeys.TUNE_THRESHOLD.path();
    Optional<String> configured = r.optional(ConfigKeys.TUNE_THRESHOLD);
    if (configured.isEmpty()) {
      return new DatasetConfig.Threshold(DatasetConfig.ThresholdRule.FIXED, 0.5);
    }
    String raw = configured.get();
    for (DatasetConfig.ThresholdRule rule : DatasetConfig.ThresholdRule.values()) {
      if (rule != DatasetConfig.ThresholdRule.FIXED && rule.toString().equals(raw)) {
        return new DatasetConfig.Threshold(rule, Double.NaN);
      }
    }
    try {
      double v = Double.parseDouble(raw);
      if (v > 0 && v < 1) {
        return new DatasetConfig.Threshold(DatasetConfig.ThresholdRule.FIXED, v);
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    r.problem(
        path,
        "'" + raw + "' is not a threshold rule",
        "Use f1 (best F1 on validation), base-rate (flag the training split's positive rate) "
            + "or a number between 0 and 1 such as 0.5"
            + Suggest.didYouMean(raw, List.of("f1", "base-rate")));
    return new DatasetConfig.Threshold(DatasetConfig.ThresholdRule.FIXED, 0.5);
  }

  private static DatasetConfig.Deploy bindDeploy(ConfigReader r, String p, boolean binary) {
    Map<String, Double> requirements = new LinkedHashMap<>();
    Set<String> metrics = binary ? BINARY_METRICS : MULTICLASS_METRICS;
    Map<String, String> raw = r.stringMap(p + ".requirements");
    for (Map.Entry<String, String> e : raw.entrySet()) {
      if (!metrics.contains(e.getKey())) {
        r.problem(
            p + ".requirements." + e.getKey(),
            "'" + e.getKey() + "' is not a test metric of this label",
            "Use one of " + new TreeSet<>(metrics) + Suggest.didYouMean(e.getKey(), metrics));
        continue;
      }
      try {
        requirements.put(e.getKey(), Double.parseDouble(e.getValue()));
      } catch (NumberFormatException ex) {
        r.problem(
            p + ".requirements." + e.getKey(),
            "expected a number but found '" + e.getValue() + "'",
            "Write e.g. " + e.getKey() + " = 0.75");
      }
    }
    String labelsFrom = r.get(ConfigKeys.LABELS_FROM);
    String labelsColumn = r.get(ConfigKeys.LABELS_COLUMN);
    int lookback = r.get(ConfigKeys.LABELS_LOOKBACK_DAYS);
    return new DatasetConfig.Deploy(
        requirements,
        r.get(ConfigKeys.MARGIN),
        r.get(ConfigKeys.MIN_VALIDATION_AUC),
        !r.get(ConfigKeys.SCORE_ROWS).equals("run-date"),
        r.get(ConfigKeys.PSI_THRESHOLD),
        r.get(ConfigKeys.METRIC_DROP),
        new DatasetConfig.Labels(
            Optional.of(labelsFrom).filter(x -> !x.isBlank()),
            Optional.of(labelsColumn).filter(x -> !x.isBlank()),
            lookback));
  }

  private static DatasetConfig.Bias bindBias(
      ConfigReader r, String p, List<Sensitive> sensitive, Optional<Label> label) {
    Set<String> declared = new TreeSet<>();
    sensitive.forEach(s -> declared.add(s.column()));
    List<List<String>> intersections = new ArrayList<>();
    List<?> raw = r.has(p + ".intersections") ? r.rawList(p + ".intersections") : List.of();
    for (int i = 0; i < raw.size(); i++) {
      String at = p + ".intersections[" + i + "]";
      if (!(raw.get(i) instanceof List<?> group) || group.size() < 2) {
        r.problem(
            p + ".intersections",
            "item " + i + " is not a list of two or more attributes",
            "Write it as intersections = [[sex, passengerClass]]");
        continue;
      }
      List<String> cols = group.stream().map(String::valueOf).toList();
      for (String c : cols) {
        if (!declared.contains(c)) {
          r.problem(
              p + ".intersections",
              "'" + c + "' in " + at + " is not a declared sensitive attribute " + declared,
              "Declare it in dataset.sensitive first" + Suggest.didYouMean(c, declared));
        }
      }
      intersections.add(cols);
    }
    int minGroupSize = r.get(ConfigKeys.BIAS_MIN_GROUP_SIZE);
    int bootstrap = r.get(ConfigKeys.BIAS_BOOTSTRAP);
    double confidence = r.get(ConfigKeys.BIAS_CONFIDENCE);
    int seed = r.get(ConfigKeys.BIAS_SEED);
    double lo = r.get(ConfigKeys.DI_MIN);
    double hi = r.get(ConfigKeys.DI_MAX);
    DatasetConfig.GateAction action = r.get(ConfigKeys.GATE_ACTION);
    boolean reweigh = r.get(ConfigKeys.REWEIGH);
    if (reweigh && sensitive.isEmpty()) {
      r.problem(
          p + ".reweigh",
          "reweighing needs a sensitive attribute",
          "Declare dataset.sensitive, or set reweigh = false");
    }
    if (reweigh && label.isPresent() && !label.get().binary()) {
      r.problem(
          p + ".reweigh",
          "reweighing is defined for binary labels",
          "Set dataset.label.positive, or set reweigh = false");
    }
    if (lo > hi) {
      r.problem(
          p + ".policy",
          "di-min " + lo + " is above di-max " + hi,
          "Use e.g. di-min = 0.8, di-max = 1.25");
    }
    return new DatasetConfig.Bias(
        intersections,
        minGroupSize,
        bootstrap,
        confidence,
        seed,
        lo,
        hi,
        r.get(ConfigKeys.EOD_MAX),
        action,
        reweigh);
  }

  /**
   * The columns lakeml adds beside a dataset's own, by the name a dataset column must not have
   * (compared without case, as Spark resolves names): prepare adds the first four to gold's rows,
   * scoring runs every silver column through the saved pipeline, whose last stages add the next
   * three, and the predictions table puts the last four beside the key columns.
   */
  public static final Map<String, String> ADDED_COLUMNS =
      Map.ofEntries(
          Map.entry(
              io.lakeml.tables.GoldTable.LABEL,
              "gold's numeric label (allowed as the name of the label column itself)"),
          Map.entry(io.lakeml.tables.GoldTable.WEIGHT, "gold's training weight"),
          Map.entry(io.lakeml.tables.GoldTable.SPLIT, "gold's train/validation/test split"),
          Map.entry(io.lakeml.tables.GoldTable.FEATURES, "gold's feature vector"),
          Map.entry("rawPrediction", "the model's raw scores when scoring"),
          Map.entry(io.lakeml.tables.PredictionsTable.PROBABILITY, "the model's probabilities"),
          Map.entry(io.lakeml.tables.PredictionsTable.PREDICTION, "the model's prediction"),
          Map.entry(io.lakeml.tables.PredictionsTable.MODEL_VERSION, "predictions' model version"),
          Map.entry(
              io.lakeml.tables.PredictionsTable.SILVER_VERSION, "predictions' silver version"),
          Map.entry(io.lakeml.tables.PredictionsTable.RUN_ID, "predictions' run id"),
          Map.entry(io.lakeml.tables.PredictionsTable.RUN_DATE, "predictions' run date"));

  /** Whether {@code name} is one of {@link #ADDED_COLUMNS}, compared without case. */
  public static boolean isAddedColumn(String name) {
    return ADDED_COLUMNS.keySet().stream().anyMatch(name::equalsIgnoreCase);
  }

  /** Of {@link #ADDED_COLUMNS}, those only the predictions table adds, beside the key columns. */
  private static final Set<String> PREDICTIONS_ONLY =
      Set.of(
          io.lakeml.tables.PredictionsTable.MODEL_VERSION,
          io.lakeml.tables.PredictionsTable.SILVER_VERSION,
          io.lakeml.tables.PredictionsTable.RUN_ID,
          io.lakeml.tables.PredictionsTable.RUN_DATE);

  /**
   * A modelled dataset's column may not be named like a column lakeml adds to its rows: prepare
   * would silently replace a feature named {@code weight} with 1.0 (the model then learns nothing
   * from it), a feature named {@code label} with the label itself, and scoring fails on a column
   * named {@code prediction}.
   */
  private static void checkNotLakemlNames(
      ConfigReader r,
      String p,
      List<Column> columns,
      String labelColumn,
      List<String> key,
      boolean jdbc) {
    for (Column c : columns) {
      String name = c.name();
      for (Map.Entry<String, String> added : ADDED_COLUMNS.entrySet()) {
        String taken = added.getKey();
        if (!name.equalsIgnoreCase(taken)
            || taken.equals(io.lakeml.tables.GoldTable.LABEL) && name.equals(labelColumn)
            || PREDICTIONS_ONLY.contains(taken) && !key.isEmpty() && !key.contains(name)) {
          continue;
        }
        String rename = name + "_value";
        r.problem(
            p + "schema",
            "column '"
                + name
                + "' has the name of a column lakeml adds beside the dataset's own ("
                + added.getValue()
                + "): the two would clash, and prepare would overwrite a feature of that name",
            jdbc
                ? "Alias it in dataset.source.jdbc.query (SELECT "
                    + name
                    + " AS "
                    + rename
                    + " …) and use "
                    + rename
                    + " in the schema, features, key and sensitive"
                : "Declare it under another name, the files staying as they are: { name = "
                    + rename
                    + ", type = "
                    + c.type()
                    + ", landed-as = \""
                    + (c.landedAs() != null ? c.landedAs() : name)
                    + "\" }, and use "
                    + rename
                    + " in dataset.features, key and sensitive");
      }
    }
  }

  /**
   * The label, and a key, must not be features: a model given the answer (or a row's identity)
   * scores perfectly in every split and learns nothing that holds on new rows.
   */
  private static void checkNotFeatures(
      ConfigReader r, String p, Features features, String labelColumn, List<String> key) {
    for (String kind : List.of("numeric", "categorical")) {
      List<String> cols = kind.equals("numeric") ? features.numeric() : features.categorical();
      if (labelColumn != null && cols.contains(labelColumn)) {
        r.problem(
            p + "features." + kind,
            "the label column '"
                + labelColumn
                + "' is listed as a feature: the model would be given the answer "
                + "(every split then scores AUC 1.0 and nothing is learned)",
            "Remove '" + labelColumn + "' from dataset.features." + kind);
      }
      for (String k : key) {
        if (cols.contains(k)) {
          r.problem(
              p + "features." + kind,
              "the key column '"
                  + k
                  + "' is listed as a feature: a row's identity predicts nothing about new rows "
                  + "and lets the model memorise the training rows",
              "Remove '"
                  + k
                  + "' from dataset.features."
                  + kind
                  + " (derive a feature from it under prepare.derived if part of it carries meaning)");
        }
      }
    }
  }

  /**
   * A feature list with its ranges and globs ({@link ColumnPatterns}) replaced by the schema's
   * columns they name; a pattern naming none is a problem. Each column once, first mention first.
   */
  private static List<String> resolvePatterns(
      ConfigReader r,
      String path,
      List<String> entries,
      List<String> schema,
      Set<String> excluded) {
    java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
    for (String e : entries) {
      List<String> names;
      try {
        names = ColumnPatterns.resolve(e, schema, excluded);
      } catch (IllegalArgumentException ex) {
        r.problem(
            path,
            ex.getMessage(),
            "Write one range {from..to} with from <= to, e.g. pixel{1..784}");
        continue;
      }
      if (names.isEmpty()) {
        r.problem(
            path,
            "'"
                + e
                + "' matches no column of the dataset schema (the label and key are never matched by a pattern)",
            "Fix the pattern, or name the columns one by one");
      }
      out.addAll(names);
    }
    return new ArrayList<>(out);
  }

  private static void checkColumns(
      ConfigReader r, String path, List<String> cols, Set<String> known) {
    for (String col : cols) {
      if (!known.contains(col)) {
        r.problem(
            path,
            "column '" + col + "' is not in the dataset schema " + known,
            "Declare it in dataset.schema or fix the name" + Suggest.didYouMean(col, known));
      }
    }
  }

  private static Config parseFile(Path file, List<String> problems) {
    try {
      return ConfigFactory.parseFile(
          file.toFile(),
          ConfigParseOptions.defaults()
              .setAllowMissing(false)
              .setOriginDescription(file.toString()));
    } catch (com.typesafe.config.ConfigException e) {
      problems.add(
          "cannot parse " + file + ": " + e.getMessage() + ". Fix the HOCON syntax at that line.");
      return ConfigFactory.empty();
    }
  }

  private static String quoteIfNeeded(String value) {
    // Plain words and numbers parse as HOCON; anything with special characters is quoted.
    if (value.matches("[A-Za-z0-9_.\\-]*")
        || value.startsWith("[")
        || value.startsWith("{")
        || value.startsWith("\"")) {
      return value;
    }
    return ConfigUtil.quoteString(value);
  }

  /**
   * Checks a dataset name against the rule every command applies; the problem, or empty when the
   * name is valid.
   */
  public static Optional<String> datasetNameProblem(String dataset) {
    return DATASET_NAME.matcher(dataset).matches()
        ? Optional.empty()
        : Optional.of(
            "dataset name '"
                + dataset
                + "' is invalid: use lowercase letters, digits and '_', starting with a letter.");
  }

  /**
   * Whether a column name may be declared in {@code dataset.schema} (names starting with '_' are
   * lakeml's).
   */
  public static boolean isValidColumnName(String column) {
    return COLUMN_NAME.matcher(column).matches() && !column.startsWith("_");
  }

  /** Names of the datasets configured in {@code <confDir>/datasets/}, sorted. */
  public static List<String> datasetNames(Path confDir) {
    return listConf(confDir.resolve("datasets"));
  }

  private static List<String> listConf(Path dir) {
    List<String> names = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      files
          .map(f -> f.getFileName().toString())
          .filter(n -> n.endsWith(".conf"))
          .map(n -> n.substring(0, n.length() - ".conf".length()))
          .sorted()
          .forEach(names::add);
    } catch (IOException e) {
      // folder missing: no names to offer
    }
    return names;
  }

  /** The SHA-256 of a text, as hex. */
  private static String datasetHash(Config merged) {
    return merged.hasPath("dataset")
        ? sha256(merged.getConfig("dataset").root().render(ConfigRenderOptions.concise()))
        : "";
  }

  public static String sha256(String text) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * {@code source.decimal-separator}: "." or ","; a comma only for CSV, whose numbers arrive as
   * text (JSON and Parquet carry typed numbers, a database its own types).
   */
  private static char decimalSeparator(ConfigReader r, String p, Format format) {
    String key = p + "source.decimal-separator";
    String v = r.get(ConfigKeys.DECIMAL_SEPARATOR);
    if (v.equals(",") && format != Format.CSV) {
      r.problem(
          key,
          "is ',' but the source format is " + format + ", whose numbers are not text",
          "Remove decimal-separator: it applies to CSV files only");
      return '.';
    }
    return v.charAt(0);
  }

  /** The encodings Spark 4's CSV reader accepts (without its legacy setting). */
  static final List<String> SPARK_CHARSETS =
      List.of("UTF-8", "ISO-8859-1", "US-ASCII", "UTF-16", "UTF-16BE", "UTF-16LE", "UTF-32");

  private static boolean knownCharset(String name) {
    try {
      return java.nio.charset.Charset.isSupported(name)
          && SPARK_CHARSETS.contains(java.nio.charset.Charset.forName(name).name());
    } catch (java.nio.charset.IllegalCharsetNameException e) {
      return false;
    }
  }
}
