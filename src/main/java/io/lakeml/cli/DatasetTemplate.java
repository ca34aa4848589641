package io.lakeml.cli;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import io.lakeml.config.ColumnType;
import io.lakeml.config.ConfigException;
import io.lakeml.config.ConfigLoader;
import io.lakeml.config.DatasetConfig.Format;
import io.lakeml.core.Typing;
import io.lakeml.model.LabelCoding;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;

/**
 * A first dataset configuration from a sample file: Spark's schema inference on the sample, then
 * guesses of label, key, features and sensitive attributes by name, type and cardinality, rendered
 * as a commented {@code conf/datasets/<name>.conf} that {@link ConfigLoader} accepts. Guesses only:
 * {@link Guess#checks()} says what a person should look at.
 */
final class DatasetTemplate {
  /**
   * Whole names that say "the label" in any domain, before {@link #LABEL_NAMES}: a column named
   * {@code y} is the target even when another two-valued column is named like one (UCI's bank
   * marketing data has {@code default}, the customer's credit default, beside its label {@code y}).
   */
  static final List<String> GENERIC_LABEL_NAMES =
      List.of("label", "target", "y", "class", "outcome");

  /** Names (or name parts) that suggest the label, in order of preference. */
  static final List<String> LABEL_NAMES =
      List.of(
          "label",
          "target",
          "survived",
          "churn",
          "default",
          "outcome",
          "attrition",
          "fraud",
          "deny",
          "denied",
          "approved",
          "converted",
          "callback",
          "response",
          "y");

  /**
   * Whole names of a two-valued label that, as parts, name features too ({@code passengerClass},
   * {@code annual_income}): UCI's Adult ({@code income}), German credit ({@code class}), the breast
   * cancer data ({@code diagnosis}). After {@link #LABEL_NAMES}.
   */
  static final List<String> WHOLE_LABEL_NAMES = List.of("class", "income", "salary", "diagnosis");

  /**
   * Label names whose positive class is bad for the person: the favorable outcome is the other
   * value.
   */
  static final List<String> ADVERSE_LABEL_NAMES =
      List.of("churn", "default", "attrition", "fraud", "deny", "denied");

  /** Names of a multiclass label, when no two-valued label is found. */
  static final List<String> MULTICLASS_LABEL_NAMES =
      List.of("label", "target", "class", "species", "variety", "category", "y");

  /** Names (or name parts) of attributes a fairness review usually looks at. */
  static final List<String> SENSITIVE_NAMES =
      List.of("sex", "gender", "race", "ethnicity", "age", "religion");

  /** Label values read as the positive class when present; otherwise the rarer value is. */
  static final Set<String> POSITIVE_VALUES =
      Set.of("yes", "y", "true", "t", "1", "1.0", "positive", "pos", "bad");

  /** Values listed per column (allowed-values rule, privileged group hints). */
  static final int MAX_VALUES = 20;

  /**
   * An id-like column whose values are this share of the rows or more is proposed as the key even
   * when a few repeat.
   */
  static final double KEY_MIN_DISTINCT_SHARE = 0.9;

  /**
   * A numeric column with at most this many distinct values (and few per row) is treated as
   * categorical.
   */
  static final int CATEGORICAL_NUMERIC_MAX = 5;

  /**
   * A text column with more distinct values than this is left out of the features (free text,
   * names).
   */
  static final int CATEGORICAL_TEXT_MAX = 50;

  /**
   * Below this share of the positive class in the sample the template sets {@code tune.threshold =
   * f1}: a 0.5 cut on a rare class's probability may flag almost no rows (an HR sample with 20 %
   * leavers flagged 1 % of them).
   */
  static final double RARE_POSITIVE_SHARE = 0.35;

  /**
   * Rows from which a whole-number column with a different value in every row, filling at least
   * half of the range from its smallest to its largest value, is taken for a row number or
   * identifier and left out of the features (an employee number 1000…2469 over 1,470 rows; a
   * measure spreads wider).
   */
  static final int SEQUENCE_MIN_ROWS = 10;

  /** One column of the sample: inferred type, cardinality and (when few) its values. */
  record Col(
      String name,
      String sparkType,
      ColumnType type,
      long nonNull,
      long distinct,
      List<String> values,
      Long min,
      Long max) {
    /**
     * Whether the values are whole numbers, all different, and dense in their range, as row numbers
     * and identifiers are.
     */
    boolean sequenceLike(long rows) {
      return min != null
          && max != null
          && rows >= SEQUENCE_MIN_ROWS
          && distinct == rows
          && nonNull == rows
          && max - min + 1 <= 2 * rows;
    }
  }

  /** What was guessed; {@code leftOut} maps column → why it is not a feature. */
  record Guess(
      String dataset,
      Format format,
      Map<String, String> options,
      long rows,
      List<Col> columns,
      String label,
      String positive,
      String key,
      List<String> numeric,
      List<String> categorical,
      List<String> sensitive,
      Map<String, String> leftOut,
      List<String> checks,
      String threshold,
      String favorable,
      Map<String, String> landedAs,
      char decimalSeparator,
      List<String> missingTokens,
      Map<String, String> derived,
      Set<String> derivedCategorical) {}

  private DatasetTemplate() {}

  /** Reads the sample with Spark's inference (sample only) and guesses roles. */
  static Guess infer(
      SparkSession spark,
      String dataset,
      String sample,
      Format format,
      Map<String, String> options) {
    Dataset<Row> df =
        switch (format) {
          case CSV ->
              spark
                  .read()
                  .format("csv")
                  .option("escape", "\"") // as ingest reads it: RFC 4180's doubled quotes
                  .options(options)
                  .option("header", options.getOrDefault("header", "true"))
                  .option("inferSchema", "true")
                  .option("multiLine", "false")
                  .option("nullValue", "NA")
                  .load(sample);
          // Spark does not look for timestamps in JSON text unless asked
          case JSON ->
              spark
                  .read()
                  .format("json")
                  .option("multiLine", "false")
                  .option("inferTimestamp", "true")
                  .load(sample);
          case PARQUET -> spark.read().format("parquet").load(sample);
          case JDBC ->
              throw new ConfigException(
                  "new-dataset builds a template from a sample file; write a JDBC dataset by hand (README, 'JDBC sources').");
        };
    List<String> problems = new ArrayList<>();
    boolean headerless = format == Format.CSV && "false".equals(options.get("header"));
    if (headerless) {
      // Spark's _c0, _c1, … as col_1, col_2, …: names the user replaces, in file order
      df =
          df.toDF(
              java.util.stream.IntStream.rangeClosed(1, df.columns().length)
                  .mapToObj(i -> "col_" + i)
                  .toArray(String[]::new));
    }
    // A header that ends with a delimiter (every line ends with one: Kaggle's breast-cancer
    // data.csv) has an empty last name, which Spark's reader calls _c<index>. Ingest leaves that
    // column out, so the template does too when the sample has nothing under it.
    boolean trailing = false;
    String[] read = df.columns();
    String last = read.length > 1 ? read[read.length - 1] : "";
    if (format == Format.CSV && last.equals("_c" + (read.length - 1))) {
      if (df.where(col(last).isNotNull().and(trim(col(last)).notEqual(""))).isEmpty()) {
        df = df.drop(last);
        trailing = true;
      } else {
        problems.add(
            "the sample "
                + sample
                + "'s last column has no name but holds values: name it in the header of the"
                + " sample and of the files that will land.");
      }
    }
    if (List.of(df.columns()).contains("_corrupt_record")) {
      problems.add(
          "the sample "
              + sample
              + " has lines that are not JSON objects. Fix them or use another sample (one JSON object per line).");
    }
    // a landed name that is not a column name ("Loan Amount", "sepal.length") gets one, declared
    // with landed-as
    Map<String, String> landedAs = new LinkedHashMap<>();
    List<String> names = new ArrayList<>();
    java.util.Set<String> taken = new java.util.HashSet<>();
    for (String c : df.columns()) {
      if (ConfigLoader.isValidColumnName(c) && !c.startsWith("_") && !addedByLakeml(c)) {
        taken.add(c);
      }
    }
    for (String c : df.columns()) {
      if (c.equals("_corrupt_record")
          || ConfigLoader.isValidColumnName(c) && !c.startsWith("_") && !addedByLakeml(c)) {
        names.add(c);
        continue;
      }
      String n = addedByLakeml(c) ? c.toLowerCase(Locale.ROOT) + "_value" : columnNameFor(c);
      String base = n;
      for (int i = 2; taken.contains(n); i++) {
        n = base + "_" + i;
      }
      taken.add(n);
      landedAs.put(n, c);
      names.add(n);
    }
    if (!landedAs.isEmpty()) {
      df = df.toDF(names.toArray(new String[0]));
    }
    if (df.columns().length == 0) {
      problems.add(
          "the sample "
              + sample
              + " has no columns"
              + (format == Format.CSV ? " (a CSV sample needs a header line)" : "")
              + ".");
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    // read once: the checks below and the guess each make a pass over the sample
    Dataset<Row> sampleRows = df.cache();
    df = sampleRows;
    try {
      char decimal = '.';
      List<String> commaNumbers = format == Format.CSV ? decimalCommaColumns(df) : List.of();
      if (!commaNumbers.isEmpty()) {
        // read as Spark would read them with the separator set: numbers, not free text
        decimal = ',';
        // one projection, as ingest types them (a withColumn per column grows the plan per column)
        Map<String, Column> typed = new LinkedHashMap<>();
        for (String c : commaNumbers) {
          typed.put(c, Typing.fromDecimalComma(col(c)).cast("double"));
        }
        df = df.withColumns(typed);
      }
      // numbers with a few missing-value tokens ("N/A", "-"): inferred as text, they were left out
      Map<String, List<String>> tokened = numbersWithTokens(df);
      if (!tokened.isEmpty()) {
        Map<String, Column> typed = new LinkedHashMap<>();
        tokened.forEach(
            (c, tokens) ->
                typed.put(
                    c,
                    when(trim(col(c)).isin(tokens.toArray()), lit(null))
                        .otherwise(trim(col(c)).try_cast("double"))));
        df = df.withColumns(typed);
      }
      Map<String, String> shapes = decimal == '.' ? textShapes(df) : Map.of();
      Guess g = guess(dataset, format, options, df, landedAs, decimal, tokened, shapes);
      if (headerless) {
        g.checks()
            .add(
                0,
                "the sample has no header line (no field of its first line has a letter, or its words are values of their columns further down): its "
                    + df.columns().length
                    + " columns are named col_1 … col_"
                    + df.columns().length
                    + " in file order, and options.header = false reads every file that way. Rename"
                    + " them in dataset.schema (and in features, label and rules) but keep their order;"
                    + " the files must not have a header line either.");
      }
      if (trailing) {
        g.checks()
            .add(
                "the header ends with a delimiter: its unnamed last column is empty in every row of the"
                    + " sample and is not declared. Ingest leaves it out, and sends a row with a value"
                    + " under it to quarantine.");
      }
      long split = format == Format.CSV ? quotedLineBreaks(sample, options) : 0;
      if (split > 0) {
        g.checks()
            .add(
                "about "
                    + split
                    + " record(s) of the sample hold a line break inside a quoted field: ingest reads one record per line, "
                    + "so each goes to quarantine as broken quoting (and the counts above include their halves). "
                    + "Replace line breaks inside fields before the files land.");
      }
      return g;
    } finally {
      sampleRows.unpersist();
    }
  }

  static Guess guess(String dataset, Format format, Map<String, String> options, Dataset<Row> df) {
    return guess(dataset, format, options, df, Map.of(), '.', Map.of(), Map.of());
  }

  /**
   * A number written with a decimal comma and, optionally, '.' between thousands: 3655,57 or
   * 1.234,5.
   */
  static final String DECIMAL_COMMA_NUMBER = "^\\s*[+-]?(\\d{1,3}(\\.\\d{3})+|\\d+)(,\\d+)?\\s*$";

  /**
   * The text columns whose every value is a number written with a decimal comma, at least one with
   * a comma (European exports; Spark's inference reads them as text). None when some column holds
   * numbers with a decimal point: the file does not use one convention, and the user decides.
   */
  static List<String> decimalCommaColumns(Dataset<Row> df) {
    List<String> text = new ArrayList<>();
    boolean pointDecimals = false;
    for (StructField f : df.schema().fields()) {
      if (f.dataType() instanceof org.apache.spark.sql.types.StringType) {
        text.add(f.name());
      }
      pointDecimals |= f.dataType() instanceof DoubleType || f.dataType() instanceof DecimalType;
    }
    if (text.isEmpty() || pointDecimals) {
      return List.of();
    }
    List<Column> aggs = new ArrayList<>();
    for (String c : text) {
      aggs.add(
          sum(
              when(col(c).isNotNull().and(not(col(c).rlike(DECIMAL_COMMA_NUMBER))), 1)
                  .otherwise(0)));
      aggs.add(sum(when(col(c).contains(","), 1).otherwise(0)));
    }
    // bounded: one row of two counts per text column
    Row r = df.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0])).first();
    List<String> out = new ArrayList<>();
    for (int i = 0; i < text.size(); i++) {
      if (!r.isNullAt(2 * i) && r.getLong(2 * i) == 0 && r.getLong(2 * i + 1) > 0) {
        out.add(text.get(i));
      }
    }
    return out;
  }

  /** An amount as spreadsheets export it: "$1,234.50", "-€5", "15%", "1,000". */
  static final String AMOUNT =
      "^\\s*[-+]?[$€£¥]?\\s*[-+]?(\\d{1,3}(,\\d{3})+|\\d+)(\\.\\d+)?\\s*%?\\s*$";

  /** A date written with slashes, month or day first: "03/01/2024", "3/1/24". */
  static final String SLASH_DATE = "^\\s*\\d{1,2}/\\d{1,2}/(\\d{2}|\\d{4})\\s*$";

  /**
   * Text columns whose values are all amounts with a currency sign, thousands separators or a
   * percent sign ("money"), or all dates with slashes ("slash-date"); Spark infers both as text.
   */
  static Map<String, String> textShapes(Dataset<Row> df) {
    List<String> text = textColumns(df);
    if (text.isEmpty()) {
      return Map.of();
    }
    List<Column> aggs = new ArrayList<>();
    for (String c : text) {
      Column v = col(c);
      Column present = v.isNotNull().and(trim(v).notEqual(""));
      aggs.add(count(when(present, 1)));
      aggs.add(count(when(present.and(v.rlike(AMOUNT)), 1)));
      aggs.add(count(when(present.and(v.rlike("[$€£¥%,]")), 1)));
      aggs.add(count(when(present.and(v.rlike(SLASH_DATE)), 1)));
    }
    // bounded: one row of four counts per text column
    Row r = df.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0])).first();
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < text.size(); i++) {
      long present = r.getLong(4 * i);
      if (present == 0) {
        continue;
      }
      if (r.getLong(4 * i + 1) == present && r.getLong(4 * i + 2) > 0) {
        out.put(text.get(i), "money");
      } else if (r.getLong(4 * i + 3) == present) {
        out.put(text.get(i), "slash-date");
      }
    }
    return out;
  }

  /**
   * Records of a local CSV sample split by a line break inside quotes, counted as lines with an odd
   * number of quote characters (a split record makes two); 0 when the sample is not a local file.
   */
  static long quotedLineBreaks(String sample, Map<String, String> options) {
    java.nio.file.Path file;
    try {
      file =
          sample.startsWith("file:")
              ? java.nio.file.Path.of(java.net.URI.create(sample))
              : java.nio.file.Path.of(sample);
    } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
      return 0;
    }
    if (!java.nio.file.Files.isRegularFile(file)) {
      return 0;
    }
    String encoding = options.getOrDefault("encoding", options.getOrDefault("charset", "UTF-8"));
    try (java.io.BufferedReader reader =
            new java.io.BufferedReader(
                new java.io.InputStreamReader(
                    io.lakeml.core.Compressed.open(file),
                    java.nio.charset.Charset.forName(encoding)));
        java.util.stream.Stream<String> lines = reader.lines()) {
      long odd = lines.filter(l -> l.chars().filter(ch -> ch == '"').count() % 2 == 1).count();
      return odd / 2;
    } catch (java.io.IOException | java.io.UncheckedIOException e) {
      return 0; // the sample was read by Spark already; this count is only a hint
    }
  }

  /** The sample's columns Spark read as text. */
  private static List<String> textColumns(Dataset<Row> df) {
    return java.util.Arrays.stream(df.schema().fields())
        .filter(f -> f.dataType() instanceof org.apache.spark.sql.types.StringType)
        .map(StructField::name)
        .toList();
  }

  /** The most missing-value tokens a number column may hold to be proposed as a number. */
  static final int MAX_TOKENS = 3;

  /**
   * Text columns that are numbers but for a few short tokens without digits ("N/A", "-", "none"),
   * which would be missing values, with those tokens: at least 80 % of the values are numbers.
   */
  static Map<String, List<String>> numbersWithTokens(Dataset<Row> df) {
    List<String> text = textColumns(df);
    if (text.isEmpty()) {
      return Map.of();
    }
    List<Column> aggs = new ArrayList<>();
    for (String c : text) {
      Column v = trim(col(c));
      Column other = v.notEqual("").and(v.try_cast("double").isNull());
      aggs.add(count(when(v.notEqual(""), 1)));
      aggs.add(count(when(other, 1)));
      aggs.add(
          org.apache.spark.sql.functions.slice(
              org.apache.spark.sql.functions.array_sort(collect_set(when(other, v))),
              1,
              MAX_TOKENS + 1));
    }
    // bounded: one row of two counts and at most four values per text column
    Row r = df.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0])).first();
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (int i = 0; i < text.size(); i++) {
      long values = r.getLong(3 * i);
      long others = r.getLong(3 * i + 1);
      List<String> tokens = r.getList(3 * i + 2);
      if (others > 0
          && others * 5 <= values
          && tokens.size() <= MAX_TOKENS
          && tokens.stream().allMatch(t -> t.length() <= 15 && !t.matches(".*\\d.*"))) {
        out.put(text.get(i), List.copyOf(tokens));
      }
    }
    return out;
  }

  /**
   * A landed name lakeml gives a column of its own beside the dataset's (gold's {@code weight}, the
   * predictions' {@code prediction}, …; ConfigLoader#ADDED_COLUMNS): declared under another name
   * with landed-as. Not {@code label}, which is most often the label column itself, the one column
   * allowed that name.
   */
  static boolean addedByLakeml(String landed) {
    return !landed.equalsIgnoreCase(io.lakeml.tables.GoldTable.LABEL)
        && ConfigLoader.isAddedColumn(landed);
  }

  /**
   * A column name for a landed name that is not one: lower case, every run of other characters one
   * '_', none at either end, and 'c_' before a leading digit ("Loan Amount" → loan_amount).
   */
  static String columnNameFor(String landed) {
    String n =
        landed.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_+|_+$", "");
    if (n.isEmpty()) {
      return "column";
    }
    return Character.isDigit(n.charAt(0)) ? "c_" + n : n;
  }

  private static Guess guess(
      String dataset,
      Format format,
      Map<String, String> options,
      Dataset<Row> df,
      Map<String, String> landedAs,
      char decimalSeparator,
      Map<String, List<String>> tokened,
      Map<String, String> shapes) {
    // one aggregation: rows, non-null and distinct counts of every column
    List<Column> aggs = new ArrayList<>();
    for (String c : df.columns()) {
      aggs.add(count(col(c)));
      aggs.add(countDistinct(col(c)));
    }
    // and the range of every whole-number column, to tell row numbers from measures
    List<String> integral = new ArrayList<>();
    for (StructField f : df.schema().fields()) {
      ColumnType t = columnType(f.dataType());
      if (t == ColumnType.INT || t == ColumnType.LONG) {
        integral.add(f.name());
        aggs.add(org.apache.spark.sql.functions.min(col(f.name())).cast("long"));
        aggs.add(org.apache.spark.sql.functions.max(col(f.name())).cast("long"));
      }
    }
    aggs.add(count(org.apache.spark.sql.functions.lit(1)));
    Row stats = df.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0])).first();
    long rows = stats.getLong(aggs.size() - 1);
    if (rows == 0) {
      throw new ConfigException(
          "the sample has no data rows: the template needs a few rows to guess types and roles.");
    }
    StructField[] fields = df.schema().fields();
    List<String> few = new ArrayList<>();
    for (int i = 0; i < fields.length; i++) {
      if (stats.getLong(2 * i + 1) <= MAX_VALUES) {
        few.add(fields[i].name());
      }
    }
    Map<String, List<String>> values = new LinkedHashMap<>();
    if (!few.isEmpty()) {
      List<Column> sets = few.stream().map(c -> collect_set(col(c).cast("string"))).toList();
      Row r = df.agg(sets.get(0), sets.subList(1, sets.size()).toArray(new Column[0])).first();
      for (int i = 0; i < few.size(); i++) {
        values.put(few.get(i), new ArrayList<>(new TreeSet<>(r.getList(i))));
      }
    }
    List<Col> cols = new ArrayList<>();
    for (int i = 0; i < fields.length; i++) {
      String name = fields[i].name();
      int r = integral.indexOf(name);
      int at = 2 * fields.length + 2 * r;
      Long min = r < 0 || stats.isNullAt(at) ? null : stats.getLong(at);
      Long max = r < 0 || stats.isNullAt(at + 1) ? null : stats.getLong(at + 1);
      cols.add(
          new Col(
              name,
              fields[i].dataType().simpleString(),
              columnType(fields[i].dataType()),
              stats.getLong(2 * i),
              stats.getLong(2 * i + 1),
              values.getOrDefault(name, List.of()),
              min,
              max));
    }

    List<String> checks = new ArrayList<>();
    if (options.containsKey("encoding")) {
      checks.add(
          "the sample is not UTF-8 text: it is read as "
              + options.get("encoding")
              + " (options.encoding), and every file that lands must be in that encoding too.");
    }
    if (decimalSeparator == ',') {
      checks.add(
          "numbers are written with a decimal comma (3655,57): source.decimal-separator = \",\" is set and "
              + cols.stream().filter(c -> c.type() == ColumnType.DOUBLE).map(Col::name).toList()
              + " are typed double. If a column is really text, declare it type = string.");
    }
    tokened.forEach(
        (c, tokens) ->
            checks.add(
                "'"
                    + c
                    + "' holds numbers but for "
                    + tokens.stream().map(t -> "\"" + t + "\"").toList()
                    + ": typed double, with "
                    + (tokens.size() == 1 ? "that token" : "those tokens")
                    + " added to source.missing-values (rows holding other text go to quarantine)."));
    // key: an id-like name whose values are all present and all different
    String key = null;
    for (Col c : cols) {
      if (idLike(c.name())
          && c.nonNull() == rows
          && c.distinct() == rows
          && (key == null || c.name().equalsIgnoreCase("id"))) {
        key = c.name();
      }
    }
    if (key == null) {
      // an id-like column that repeats on a few rows: a record exported again (a correction)
      for (Col c : cols) {
        if (key == null
            && idLike(c.name())
            && c.nonNull() == rows
            && c.distinct() < rows
            && c.distinct() >= KEY_MIN_DISTINCT_SHARE * rows) {
          key = c.name();
          checks.add(
              "key '"
                  + key
                  + "': "
                  + (rows - c.distinct())
                  + " row(s) of the sample repeat an earlier row's "
                  + key
                  + ". etl keeps one row per key, the latest (later file, later line); if the repeats are separate records, remove the key.");
        }
      }
    }
    final String keyColumn = key;
    if (key == null) {
      List<String> unique =
          cols.stream()
              .filter(c -> c.nonNull() == rows && c.distinct() == rows)
              .map(Col::name)
              .toList();
      checks.add(
          "no key found (no id-like column with a distinct value in every row): without dataset.key, etl rebuilds silver from bronze on every run. "
              + (unique.isEmpty()
                  ? "Declare key = [col] if the data has one."
                  : "Unique in the sample: "
                      + unique
                      + " — declare key = [col] if one identifies a row."));
    }

    // label: a two-valued column named like a label, or else the only two-valued column
    String label = binaryNamed(cols, key, GENERIC_LABEL_NAMES, String::equalsIgnoreCase);
    if (label == null) {
      label = binaryNamed(cols, key, LABEL_NAMES, DatasetTemplate::nameMatches);
    }
    if (label == null) {
      label = binaryNamed(cols, key, WHOLE_LABEL_NAMES, String::equalsIgnoreCase);
    }
    // no two-valued label by name: a label by name with a few repeated values is a multiclass label
    // (wine's
    // "target", iris's "species" under "label"/"target"/"class"…), before any unnamed two-valued
    // column
    boolean multiclass = false;
    if (label == null) {
      for (String wanted : MULTICLASS_LABEL_NAMES) {
        for (Col c : cols) {
          if (label == null
              && !c.name().equals(key)
              && c.distinct() > 2
              && c.distinct() <= MAX_VALUES
              && c.distinct() * 2 <= c.nonNull()
              && c.name()
                  .equalsIgnoreCase(
                      wanted)) { // the whole name: "passengerClass" is a feature, not a label
            label = c.name();
            multiclass = true;
            checks.add(
                "label '"
                    + label
                    + "' is multiclass ("
                    + c.distinct()
                    + " classes in the sample: "
                    + c.values()
                    + "): the model predicts one of them; there is no positive class, so no decision threshold, and no fairness metrics (they need a binary favorable outcome).");
          }
        }
      }
    }
    for (Col c : cols) {
      if (!c.name().equals(keyColumn)
          && !c.name().equals(label)
          && labelDistinct(c) > 2
          && (LABEL_NAMES.stream().anyMatch(w -> nameMatches(c.name(), w))
              // a multiclass name with more values than the guess takes (25 categories)
              || MULTICLASS_LABEL_NAMES.contains(c.name().toLowerCase(Locale.ROOT)))) {
        checks.add(
            "'"
                + c.name()
                + "' is named like a label but has "
                + c.distinct()
                + " values in the sample: if it is the label (multiclass), set label { column = "
                + c.name()
                + " } without positive.");
      }
    }
    if (label == null) {
      List<Col> binary =
          cols.stream().filter(c -> !c.name().equals(keyColumn) && labelDistinct(c) == 2).toList();
      Col last = cols.isEmpty() ? null : cols.get(cols.size() - 1);
      if (binary.size() == 1) {
        label = binary.get(0).name();
        checks.add(
            "label '"
                + label
                + "' is a guess: it is the only column with two values in the sample.");
      } else if (binary.size() > 1
          && binary.contains(last)
          && SENSITIVE_NAMES.stream().noneMatch(w -> nameMatches(last.name(), w))) {
        // a downloaded dataset puts its target last more often than anywhere else (UCI's heart
        // failure records' DEATH_EVENT after five yes/no conditions, Kaggle's Transported)
        label = last.name();
        checks.add(
            "label '"
                + label
                + "' is a guess: it is the last of the "
                + binary.size()
                + " columns with two values in the sample "
                + binary.stream().map(Col::name).toList()
                + ", where downloaded files usually put the target. Set label { column = … } if another is.");
      } else if (binary.isEmpty()
          && last != null
          && !last.name().equals(keyColumn)
          && last.distinct() > 2
          && last.distinct() <= MAX_VALUES
          && last.distinct() * 2 <= last.nonNull()
          && SENSITIVE_NAMES.stream().noneMatch(w -> nameMatches(last.name(), w))) {
        // UCI's wine quality: "quality", 3 to 8, is the last column
        label = last.name();
        multiclass = true;
        checks.add(
            "label '"
                + label
                + "' is a guess: it is the last column and has "
                + last.distinct()
                + " values, each repeated, in the sample "
                + last.values()
                + ", so the model predicts one of them (multiclass: no positive class, no decision "
                + "threshold, no fairness metrics). Set label { column = … } if another is.");
      } else {
        checks.add(
            "no label found"
                + (binary.isEmpty()
                    ? ""
                    : " (two-valued columns: " + binary.stream().map(Col::name).toList() + ")")
                + ": prepare, tune and bias need one. Uncomment and edit the label line.");
      }
    }
    String positive = null;
    String threshold = null;
    String favorable = null;
    if (label != null && !multiclass) {
      String l = label;
      Col lc = cols.stream().filter(c -> c.name().equals(l)).findFirst().orElseThrow();
      // as the pipeline reads a binary label: "Yes", " YES" and "yes" are one answer
      List<String> answers = labelValues(lc);
      Map<String, Long> counts = new LinkedHashMap<>();
      valueCounts(df, label)
          .forEach((v, n) -> counts.merge(LabelCoding.normalized(v), n, Long::sum));
      if (answers.size() < lc.values().size()) {
        checks.add(
            "label '"
                + label
                + "' writes its two answers in "
                + lc.values().size()
                + " ways "
                + lc.values().stream().map(v -> "\"" + v + "\"").toList()
                + ": lakeml reads a binary label regardless of case, surrounding spaces and a final full stop.");
      }
      positive =
          answers.stream()
              .filter(POSITIVE_VALUES::contains)
              .findFirst()
              .map(v -> spelling(lc, v))
              .orElse(null);
      if (positive == null) {
        positive = spelling(lc, rarer(counts, answers));
        checks.add(
            "positive class \""
                + positive
                + "\" of '"
                + label
                + "' is the rarer of "
                + lc.values()
                + " in the sample: the model predicts it.");
      }
      double share =
          (double) counts.getOrDefault(LabelCoding.normalized(positive), 0L)
              / Math.max(1, lc.nonNull());
      if (share < RARE_POSITIVE_SHARE) {
        threshold = "f1";
        checks.add(
            String.format(
                Locale.ROOT,
                "positive class \"%s\" is %.1f %% of the sample: tune.threshold = f1 picks the decision threshold with the best F1 "
                    + "on the validation split (a 0.5 cut may predict it for almost no row); base-rate or a number are the alternatives.",
                positive,
                100 * share));
      }
      if (ADVERSE_LABEL_NAMES.stream().anyMatch(w -> nameMatches(l, w))) {
        String p2 = positive;
        favorable =
            answers.stream()
                .filter(v -> !v.equals(LabelCoding.normalized(p2)))
                .findFirst()
                .map(v -> spelling(lc, v))
                .orElse(null);
        checks.add(
            "favorable outcome \""
                + favorable
                + "\": '"
                + label
                + "' names an outcome that is bad for the person, so the bias metrics count the other value \""
                + favorable
                + "\" as favorable; set favorable = \""
                + positive
                + "\" if predicting \""
                + positive
                + "\" helps the person.");
      } else {
        checks.add(
            "favorable outcome: the label's favorable value defaults to the positive class \""
                + positive
                + "\"; when the positive class is bad for the person (default, churn…), set favorable to the other value.");
      }
    }

    List<String> numeric = new ArrayList<>();
    List<String> categorical = new ArrayList<>();
    Map<String, String> derived = new LinkedHashMap<>();
    Set<String> derivedCategorical = new LinkedHashSet<>();
    Set<String> names = cols.stream().map(Col::name).collect(java.util.stream.Collectors.toSet());
    List<String> sensitive = new ArrayList<>();
    Map<String, String> leftOut = new LinkedHashMap<>();
    List<String> dates = new ArrayList<>();
    for (Col c : cols) {
      if (c.name().equals(key) || c.name().equals(label)) {
        continue;
      }
      if (SENSITIVE_NAMES.stream().anyMatch(s -> nameMatches(c.name(), s))) {
        sensitive.add(c.name());
      }
      if (c.nonNull() == 0) {
        leftOut.put(c.name(), "always empty in the sample");
      } else if (c.distinct() == 1) {
        leftOut.put(
            c.name(),
            "the same value"
                + (c.values().isEmpty() ? "" : " (" + c.values().get(0) + ")")
                + " in every row of the sample: it cannot tell rows apart");
      } else if (c.sequenceLike(rows)) {
        leftOut.put(
            c.name(),
            "a different whole number in every row, "
                + c.min()
                + " to "
                + c.max()
                + ": a row number or identifier? Declare it as key, or add it to features.numeric if it is a measure");
      } else if (idLike(c.name()) && c.distinct() * 2 > c.nonNull()) {
        leftOut.put(
            c.name(),
            "an identifier ("
                + c.distinct()
                + " distinct values in "
                + c.nonNull()
                + " rows): a row's identity predicts nothing about new rows");
      } else if (c.type().isNumeric()) {
        if (c.distinct() <= CATEGORICAL_NUMERIC_MAX && c.distinct() * 2 < c.nonNull()) {
          categorical.add(c.name());
        } else {
          numeric.add(c.name());
        }
      } else if (c.type() == ColumnType.BOOLEAN) {
        categorical.add(c.name());
      } else if (c.type() == ColumnType.DATE || c.type() == ColumnType.TIMESTAMP) {
        dates.add(c.name());
        leftOut.put(
            c.name(),
            "a "
                + c.type()
                + ": make a feature of it with prepare.derived, or use it as prepare.split.time-column");
      } else if (!c.sparkType().equals("string")) {
        List<String> made = nestedFeatures(df, c.name(), names, derived, derivedCategorical);
        leftOut.put(
            c.name(),
            "a nested value ("
                + c.sparkType()
                + "), ingested as JSON text"
                + (made.isEmpty()
                    ? ""
                    : "; its fields are features through prepare.derived: "
                        + String.join(", ", made)));
      } else if ("money".equals(shapes.get(c.name()))) {
        String name = c.name() + "_value";
        while (names.contains(name)) {
          name += "_";
        }
        derived.put(name, "try_cast(regexp_replace(" + c.name() + ", '[^0-9.+-]', '') AS double)");
        leftOut.put(
            c.name(),
            "amounts written with a currency sign, thousands separators or % (\"$1,234.50\", \"15%\"): the feature is "
                + name
                + ", the number without them (prepare.derived)");
      } else if ("slash-date".equals(shapes.get(c.name()))) {
        leftOut.put(
            c.name(),
            "dates written like 03/01/2024 (month or day first?): derive features with prepare.derived, e.g. "
                + "month(to_date("
                + c.name()
                + ", 'MM/dd/yyyy')), or land them as yyyy-MM-dd and declare type = date");
      } else if (c.distinct() > CATEGORICAL_TEXT_MAX
          || (c.distinct() == c.nonNull() && c.nonNull() >= 10)) {
        List<String> parts = compoundFeatures(df, c.name(), names, derived, derivedCategorical);
        leftOut.put(
            c.name(),
            "text with "
                + c.distinct()
                + " distinct values in "
                + c.nonNull()
                + " rows: "
                + (parts.isEmpty()
                    ? "a name or free text?"
                    : "values of parts joined by a separator, whose parts are features through prepare.derived: "
                        + String.join(", ", parts)));
      } else {
        categorical.add(c.name());
      }
    }
    if (!dates.isEmpty()) {
      String first = dates.get(0);
      checks.add(
          "date/time column(s) "
              + dates
              + " are not features (a raw date predicts nothing about later rows): if the label "
              + "depends on when, derive features in prepare.derived, e.g. { name = hour_of_day, "
              + "expression = \"hour("
              + first
              + ")\", kind = numeric } or dayofweek("
              + first
              + ") as a categorical one.");
    }
    if (!sensitive.isEmpty()) {
      checks.add(
          "sensitive attributes "
              + sensitive
              + " are commented out: name the privileged group of each and uncomment to get fairness metrics and the bias gate.");
    }
    checks.add(
        "types were inferred from the sample only: a column that is numeric in the sample but not in later files sends those rows to quarantine.");
    checks.add("tune.algorithms is a small starting grid; widen it once the pipeline runs.");
    if (!landedAs.isEmpty()) {
      List<String> pairs =
          landedAs.entrySet().stream()
              .limit(3)
              .map(e -> "'" + e.getValue() + "' as " + e.getKey())
              .toList();
      checks.add(
          landedAs.size()
              + " landed column name(s) are not valid column names, or are names lakeml gives columns of its own"
              + " (gold's weight, split and features, the predictions' prediction and probability, …):"
              + " declared under new names with landed-as ("
              + String.join(", ", pairs)
              + (landedAs.size() > 3 ? ", …" : "")
              + "), and ingest renames them (keep the files' header as it is).");
    }
    return new Guess(
        dataset,
        format,
        options,
        rows,
        cols,
        label,
        positive,
        key,
        numeric,
        categorical,
        sensitive,
        leftOut,
        checks,
        threshold,
        favorable,
        java.util.Collections.unmodifiableMap(new LinkedHashMap<>(landedAs)),
        decimalSeparator,
        tokened.values().stream().flatMap(List::stream).distinct().sorted().toList(),
        derived,
        derivedCategorical);
  }

  /**
   * Features from a JSON object's fields (one level): ingest lands the object as JSON text, so each
   * numeric field becomes a derived numeric feature and each text or true/false field with few
   * values a categorical one, read with {@code get_json_object}. Returns the names made.
   */
  private static List<String> nestedFeatures(
      Dataset<Row> df,
      String column,
      Set<String> names,
      Map<String, String> derived,
      Set<String> categorical) {
    List<String> made = new ArrayList<>();
    if (!(df.schema().apply(column).dataType() instanceof StructType struct)) {
      return made;
    }
    for (StructField f : struct.fields()) {
      if (!f.name().matches("[A-Za-z_][A-Za-z0-9_]*")) {
        continue; // a JSON path needs quoting for other names; left to the user
      }
      String name = column + "_" + columnNameFor(f.name());
      while (names.contains(name) || derived.containsKey(name)) {
        name += "_";
      }
      String path = "get_json_object(" + column + ", '$." + f.name() + "')";
      DataType t = f.dataType();
      if (t instanceof NumericType) {
        derived.put(name, "try_cast(" + path + " AS double)");
        made.add(name);
      } else if (t.equals(DataTypes.StringType) || t.equals(DataTypes.BooleanType)) {
        // bounded: a count of the sample's distinct values of one field
        long distinct = df.select(col(column).getField(f.name())).distinct().count();
        if (distinct > 1 && distinct <= CATEGORICAL_TEXT_MAX) {
          derived.put(name, path);
          categorical.add(name);
          made.add(name);
        }
      }
    }
    return made;
  }

  /**
   * The label's values as silver holds them, for its allowed-values rule: as the sample writes
   * them, stripped (etl trims text). A label Spark read as true/false is declared as text, which
   * keeps the file's spelling, and Spark reads true/false in any case: Kaggle's {@code True}/{@code
   * False}, R's and Excel's {@code TRUE}/{@code FALSE} and {@code true}/{@code false} are all
   * allowed, or every row of such a file would fail the rule.
   */
  static List<String> allowedLabelValues(Col label) {
    List<String> written = label.values().stream().map(String::strip).distinct().toList();
    if (!"boolean".equals(label.sparkType())) {
      return written;
    }
    List<String> all = new ArrayList<>();
    for (String v : written) {
      String lower = v.toLowerCase(Locale.ROOT);
      all.add(lower);
      all.add(Character.toUpperCase(lower.charAt(0)) + lower.substring(1));
      all.add(lower.toUpperCase(Locale.ROOT));
    }
    return all.stream().distinct().toList();
  }

  /**
   * The first column other than {@code key} with two values (as a label reads them) whose name
   * {@code matches} one of {@code names}, trying the names in their order; null when none does.
   */
  private static String binaryNamed(
      List<Col> cols,
      String key,
      List<String> names,
      java.util.function.BiPredicate<String, String> matches) {
    for (String wanted : names) {
      for (Col c : cols) {
        if (!c.name().equals(key) && labelDistinct(c) == 2 && matches.test(c.name(), wanted)) {
          return c.name();
        }
      }
    }
    return null;
  }

  /** Separators of compound values ({@code "B/0/P"}), as regex character classes. */
  private static final List<String> PART_SEPARATORS = List.of("[/]", "[|]", "[:]");

  /**
   * Features from the parts of compound text values, such as a cabin written deck/number/side
   * ({@code "B/0/P"}, Kaggle's Spaceship Titanic): when every value in the sample has the same
   * number (2 to 6) of parts between one separator, each part with numbers only becomes a derived
   * numeric feature and each part with 2 to {@link #CATEGORICAL_TEXT_MAX} values a categorical one
   * ({@code try_element_at(split(…))}, null where a later value has fewer parts). Returns the names
   * made; none when no separator splits every value alike.
   */
  private static List<String> compoundFeatures(
      Dataset<Row> df,
      String column,
      Set<String> names,
      Map<String, String> derived,
      Set<String> categorical) {
    List<String> made = new ArrayList<>();
    Dataset<Row> present = df.select(col(column)).where(col(column).isNotNull());
    for (String sep : PART_SEPARATORS) {
      String split = "split(" + column + ", '" + sep + "')";
      // bounded: the distinct part counts of one column, a handful of rows
      List<Row> sizes =
          present.select(expr("size(" + split + ")")).distinct().limit(2).collectAsList();
      if (sizes.size() != 1 || sizes.get(0).getInt(0) < 2 || sizes.get(0).getInt(0) > 6) {
        continue;
      }
      int n = sizes.get(0).getInt(0);
      for (int i = 1; i <= n; i++) {
        String part = "try_element_at(" + split + ", " + i + ")";
        // bounded: one row of counts
        Row counts =
            present
                .select(expr(part).as("p"))
                .agg(
                    countDistinct(col("p")),
                    sum(
                        when(col("p").isNotNull().and(expr("try_cast(p AS double)").isNull()), 1)
                            .otherwise(0)))
                .first();
        long distinct = counts.getLong(0);
        boolean numbers = counts.isNullAt(1) || counts.getLong(1) == 0;
        String name = column + "_" + i;
        while (names.contains(name) || derived.containsKey(name)) {
          name += "_";
        }
        if (numbers && distinct > CATEGORICAL_NUMERIC_MAX) {
          derived.put(name, "try_cast(" + part + " AS double)");
          made.add(name);
        } else if (distinct > 1 && distinct <= CATEGORICAL_TEXT_MAX) {
          derived.put(name, part);
          categorical.add(name);
          made.add(name);
        }
      }
      return made;
    }
    return made;
  }

  /** How often each value of a column known to have two values occurs in the sample. */
  private static Map<String, Long> valueCounts(Dataset<Row> df, String column) {
    Map<String, Long> counts = new LinkedHashMap<>();
    // bounded: value counts of a column known to have two values
    for (Row r : df.groupBy(col(column).cast("string")).count().collectAsList()) {
      if (!r.isNullAt(0)) {
        counts.put(r.getString(0), r.getLong(1));
      }
    }
    return counts;
  }

  /**
   * A column's distinct values as a binary label reads them (case, surrounding spaces and a final
   * full stop ignored), or none when the sample has too many to list.
   */
  private static List<String> labelValues(Col c) {
    return c.values().stream().map(LabelCoding::normalized).distinct().toList();
  }

  /** Distinct values as a label reads them. */
  private static long labelDistinct(Col c) {
    return c.values().isEmpty() ? c.distinct() : labelValues(c).size();
  }

  /**
   * How the sample writes an answer: its one spelling; its one spelling up to spaces and a final
   * full stop ({@code " >50K"} and {@code " >50K."} give {@code ">50K"}); or else the answer itself
   * (lower case) when it has several.
   */
  private static String spelling(Col c, String answer) {
    List<String> ways =
        c.values().stream().filter(v -> LabelCoding.normalized(v).equals(answer)).toList();
    if (ways.size() == 1) {
      return ways.get(0);
    }
    List<String> cased = ways.stream().map(LabelCoding::written).distinct().toList();
    return cased.size() == 1 ? cased.get(0) : answer;
  }

  /** The value seen less often (ties: the later in sort order). */
  private static String rarer(Map<String, Long> counts, List<String> values) {
    String best = null;
    for (String v : values) {
      if (best == null || counts.getOrDefault(v, 0L) <= counts.getOrDefault(best, 0L)) {
        best = v;
      }
    }
    return best;
  }

  /**
   * Names of identifiers: {@code id}, {@code customer_id}, {@code orderID}, and numbers such as
   * {@code EmployeeNumber} or {@code account_no}.
   */
  static boolean idLike(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    if (lower.equals("id")
        || lower.endsWith("_id")
        || name.matches(".*[a-z0-9]Id")
        || (name.endsWith("ID") && name.length() > 2)) {
      return true;
    }
    String[] words = name.split("_|(?<=[a-z0-9])(?=[A-Z])");
    return words.length > 1
        && Set.of("number", "num", "no", "nr")
            .contains(words[words.length - 1].toLowerCase(Locale.ROOT));
  }

  /**
   * Whether a column name is {@code wanted} or has it as a word ({@code is_churn}, {@code
   * churnFlag}, {@code Churned}); a one-letter {@code wanted} must be the whole name.
   */
  static boolean nameMatches(String name, String wanted) {
    String lower = name.toLowerCase(Locale.ROOT);
    if (lower.equals(wanted) || wanted.length() < 2) {
      return lower.equals(wanted);
    }
    for (String word : name.split("_|(?<=[a-z0-9])(?=[A-Z])")) {
      String w = word.toLowerCase(Locale.ROOT);
      if (w.equals(wanted)
          || (wanted.length() >= 4 && w.startsWith(wanted) && w.length() <= wanted.length() + 2)) {
        return true;
      }
    }
    return false;
  }

  static ColumnType columnType(DataType t) {
    if (t instanceof IntegerType || t instanceof ShortType || t instanceof ByteType) {
      return ColumnType.INT;
    }
    if (t instanceof LongType) {
      return ColumnType.LONG;
    }
    if (t instanceof DoubleType || t instanceof FloatType || t instanceof DecimalType) {
      return ColumnType.DOUBLE;
    }
    if (t instanceof BooleanType) {
      return ColumnType.BOOLEAN;
    }
    if (t instanceof DateType) {
      return ColumnType.DATE;
    }
    if (t instanceof TimestampType || t instanceof TimestampNTZType) {
      return ColumnType.TIMESTAMP;
    }
    return ColumnType.STRING; // strings, and nested values (kept as their JSON text)
  }

  /** The commented configuration file. */
  static String render(Guess g, String sampleName) {
    StringBuilder b = new StringBuilder();
    b.append("# ")
        .append(g.dataset())
        .append(": generated by 'jobs/lakeml new-dataset' from the sample ")
        .append(sampleName)
        .append(" (")
        .append(g.rows())
        .append(" rows).\n");
    b.append(
        "# Every role below is a guess from the sample: check label, key, types, features and the\n");
    b.append("# sensitive attributes, then run 'jobs/lakeml nightly --dataset ")
        .append(g.dataset())
        .append("'.\n");
    b.append("# Landing: <lake>/landing/")
        .append(g.dataset())
        .append("/*")
        .append(g.format().suffix())
        .append(" — each new file is ingested exactly once.\n");
    b.append("dataset {\n");
    b.append("  source {\n");
    b.append("    format = ").append(g.format()).append('\n');
    b.append(
        "    mode = incremental           # or snapshot: the landing folder is one frozen dataset, reloaded when it changes\n");
    b.append(
        "    schema-drift = quarantine    # files with other columns: quarantine | evolve (add columns) | fail\n");
    if (g.missingTokens().isEmpty()) {
      b.append(
          "    # missing-values = [\"NA\", \"\"]   # tokens that mean missing (the default)\n");
    } else {
      List<String> tokens = new ArrayList<>(List.of("NA", ""));
      tokens.addAll(g.missingTokens());
      b.append("    missing-values = ")
          .append(list(tokens))
          .append("   # tokens that mean missing: the default and the sample's\n");
    }
    if (g.decimalSeparator() == ',') {
      b.append(
          "    decimal-separator = \",\"      # numbers are written 3655,57 (a '.' between thousands is ignored)\n");
    }
    if (!g.options().isEmpty()) {
      b.append("    options {");
      // HOCON needs a comma (or a new line) between two fields on one line
      b.append(' ')
          .append(
              String.join(
                  ", ",
                  g.options().entrySet().stream()
                      .map(e -> e.getKey() + " = " + quote(e.getValue()))
                      .toList()));
      b.append(" }\n");
    }
    b.append("  }\n");
    b.append("  schema = [\n");
    int width = g.columns().stream().mapToInt(c -> c.name().length()).max().orElse(0);
    for (Col c : g.columns()) {
      ColumnType type = c.name().equals(g.label()) ? ColumnType.STRING : c.type();
      String landed = g.landedAs().get(c.name());
      String decl =
          "    { name = "
              + quote(c.name())
              + ","
              + " ".repeat(width - c.name().length())
              + " type = "
              + type
              + (landed == null ? "" : ", landed-as = " + quote(landed))
              + " }";
      b.append(String.format(Locale.ROOT, "%-" + (width + 34) + "s", decl))
          .append("  # ")
          .append(describe(g, c))
          .append('\n');
    }
    b.append("  ]\n");
    if (g.key() != null) {
      Col kc = g.columns().stream().filter(c -> c.name().equals(g.key())).findFirst().orElseThrow();
      b.append("  key = [")
          .append(quote(g.key()))
          .append(
              kc.distinct() == g.rows()
                  ? "]   # unique in every row of the sample\n"
                  : "]   # "
                      + (g.rows() - kc.distinct())
                      + " row(s) of the sample repeat an id: etl keeps the latest row of each\n");
    } else {
      b.append(
          "  # key = [id]   # no id-like unique column found; without a key etl rebuilds silver on every run\n");
    }
    if (g.label() != null && g.positive() == null) {
      Col lc =
          g.columns().stream().filter(c -> c.name().equals(g.label())).findFirst().orElseThrow();
      b.append("  # label: multiclass, values ")
          .append(lc.values())
          .append("; the model predicts one of them (no positive class)\n");
      b.append("  label { column = ").append(quote(g.label())).append(" }\n");
    } else if (g.label() != null) {
      Col lc =
          g.columns().stream().filter(c -> c.name().equals(g.label())).findFirst().orElseThrow();
      String other =
          labelValues(lc).stream()
              .filter(v -> !v.equals(LabelCoding.normalized(g.positive())))
              .findFirst()
              .map(v -> spelling(lc, v))
              .orElse("?");
      b.append("  # label: values ")
          .append(lc.values())
          .append("; the model predicts positive. favorable (the outcome that is good\n");
      if (g.favorable() == null) {
        b.append("  # for the person) defaults to positive: set favorable = ")
            .append(quote(other))
            .append(" when positive is the bad outcome.\n");
      } else {
        b.append(
            "  # for the person) is the other value: the label's name says positive is the bad outcome.\n");
      }
      b.append("  label { column = ")
          .append(quote(g.label()))
          .append(", positive = ")
          .append(quote(g.positive()))
          .append(g.favorable() == null ? "" : ", favorable = " + quote(g.favorable()))
          .append(" }\n");
    } else {
      b.append(
          "  # label { column = y, positive = \"yes\" }   # no label found: name the column to predict and its positive class,\n");
      b.append(
          "  #                                           # then remove it from the features below (validation refuses the label as a feature)\n");
      b.append(
          "  # label { column = category }                # a label of three or more classes (multiclass): no positive class\n");
    }
    if (!g.sensitive().isEmpty()) {
      b.append(
          "  # Fairness: uncomment and name the privileged group (the values of the group the data favours).\n");
      b.append("  # sensitive = [\n");
      for (String s : g.sensitive()) {
        Col c = g.columns().stream().filter(x -> x.name().equals(s)).findFirst().orElseThrow();
        boolean many = c.type().isNumeric() && c.distinct() > MAX_VALUES;
        if (many) {
          // a numeric attribute with many values is judged by bands; 40 is the usual line for age
          // (e.g. the US ADEA)
          String cut =
              nameMatches(s, "age")
                  ? "40"
                  : c.min() != null && c.max() != null
                      ? String.valueOf((c.min() + c.max()) / 2)
                      : "…";
          b.append("  #   { column = ")
              .append(quote(s))
              .append(", bands = [")
              .append(cut)
              .append("], privileged = [\"< ")
              .append(cut)
              .append("\"] }   # numeric: groups \"< ")
              .append(cut)
              .append("\" and \">= ")
              .append(cut)
              .append("\"; more cut points make more bands; name the privileged band(s)\n");
          continue;
        }
        String hint =
            !c.values().isEmpty()
                ? "values " + c.values()
                : "numeric: groups are exact values; list the privileged ones, or use bands = [...]";
        b.append("  #   { column = ")
            .append(quote(s))
            .append(", privileged = [\"…\"] }   # ")
            .append(hint)
            .append('\n');
      }
      b.append("  # ]\n");
    }
    b.append("  features {\n");
    b.append("    numeric = ").append(list(g.numeric())).append('\n');
    b.append("    categorical = ").append(list(g.categorical())).append('\n');
    b.append("  }\n");
    g.leftOut()
        .forEach(
            (c, why) ->
                b.append("  # not a feature: ").append(c).append(" (").append(why).append(")\n"));
    if (!g.derived().isEmpty()) {
      b.append("  prepare.derived = [   # computed inside the feature pipeline, at scoring too\n");
      g.derived()
          .forEach(
              (name, expression) ->
                  b.append("    { name = ")
                      .append(quote(name))
                      .append(", expression = ")
                      .append(quote(expression))
                      .append(
                          g.derivedCategorical().contains(name)
                              ? ", kind = categorical }\n"
                              : ", kind = numeric }\n"));
      b.append("  ]\n");
    }
    b.append("  validation.rules = [\n");
    if (g.label() != null) {
      Col lc =
          g.columns().stream().filter(c -> c.name().equals(g.label())).findFirst().orElseThrow();
      // warn, not fail: rows land before their outcome is known (those are the rows to score);
      // prepare leaves them out of gold, and fails by itself when no labelled row is left
      b.append("    { id = label-present, check = not-null, column = ")
          .append(quote(g.label()))
          .append(", action = warn }  # rows without a label are scored, not trained on\n");
      b.append("    { id = label-values, check = allowed, column = ")
          .append(quote(g.label()))
          .append(", values = ")
          // as silver holds them: etl trims text
          .append(list(allowedLabelValues(lc)))
          .append(", action = fail }\n");
    }
    if (g.key() != null) {
      b.append("    { id = key-unique, check = unique, column = ")
          .append(quote(g.key()))
          .append(", action = warn }\n");
    }
    b.append("    # { id = enough-rows, check = row-count, min = 100, action = fail }\n");
    b.append("  ]\n");
    b.append("  tune {\n");
    b.append("    folds = 3\n");
    if (g.threshold() != null) {
      b.append(
          "    # the positive class is rare in the sample: the decision threshold with the best F1 on validation\n");
      b.append("    threshold = ").append(g.threshold()).append("\n");
    }
    b.append("    algorithms = [\n");
    // 0.001 too: with many classes or few features the stronger penalties underfit (a 25-class
    // sample: validation F1 0.656 at 0.01, 0.832 at 0.001; scikit-learn's default C = 1 is about
    // 0.0007 there)
    b.append("      { type = logistic-regression, grid { regParam = [0.001, 0.01, 0.1] } }\n");
    b.append("      { type = random-forest, grid { numTrees = [50], maxDepth = [5] } }\n");
    b.append("    ]\n");
    b.append("  }\n");
    b.append("}\n");
    return b.toString();
  }

  private static String describe(Guess g, Col c) {
    StringBuilder d = new StringBuilder();
    if (c.name().equals(g.label())) {
      d.append("label");
    } else if (c.name().equals(g.key())) {
      d.append("key");
    } else if (g.numeric().contains(c.name())) {
      d.append("numeric feature");
    } else if (g.categorical().contains(c.name())) {
      d.append("categorical feature");
    } else {
      d.append("not a feature");
    }
    d.append("; sample: ")
        .append(c.sparkType())
        .append(", ")
        .append(c.distinct())
        .append(" distinct");
    if (c.nonNull() < g.rows()) {
      d.append(", ").append(g.rows() - c.nonNull()).append(" missing");
    }
    if (!c.values().isEmpty() && c.values().size() <= 5) {
      d.append(", ").append(String.join("/", c.values()));
    }
    return d.toString().replace('\n', ' ');
  }

  private static String list(List<String> items) {
    return "[" + String.join(", ", items.stream().map(DatasetTemplate::quote).toList()) + "]";
  }

  /**
   * A HOCON quoted string (names too: an unquoted column called null or true would not stay a
   * name).
   */
  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char ch : s.toCharArray()) {
      switch (ch) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        default -> b.append(ch);
      }
    }
    return b.append('"').toString();
  }
}
