package io.lakeml.ingest;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_except;
import static org.apache.spark.sql.functions.array_join;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.json_object_keys;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import com.univocity.parsers.csv.CsvParser;
import com.univocity.parsers.csv.CsvParserSettings;
import io.lakeml.config.ColumnType;
import io.lakeml.config.DatasetConfig;
import io.lakeml.config.DatasetConfig.DriftPolicy;
import io.lakeml.core.Columns;
import io.lakeml.core.JobFailure;
import io.lakeml.core.Quarantine;
import io.lakeml.core.Typing;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF3;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Parses a set of landing files into one frame of candidate bronze rows: every declared column as
 * raw text, lineage, and for each row a {@link #KIND} and reason. Every record read comes out as
 * exactly one row, so rows read = rows accepted + rows quarantined (+ blank JSON lines).
 */
final class LandingReader {
  /** Row classification: ok, or why the row goes to quarantine. */
  static final String KIND = "_kind";

  static final String OK = "ok";
  static final String MALFORMED = "malformed";
  static final String UNPARSABLE = "unparsable";
  static final String DRIFT = "schema_drift";
  static final String BLANK = "blank";

  /** Every kind a row can have. */
  static final List<String> KINDS = List.of(OK, MALFORMED, UNPARSABLE, DRIFT, BLANK);

  private static final String TYPING = "_typing_problems";

  /** The unnamed last column of a CSV header that ends with a delimiter. */
  private static final String TRAILING = "_trailing";

  private static final String DRIFT_REASON = "_drift_reason";

  /** Parsed rows and the columns added to bronze by schema evolution. */
  record Parsed(Dataset<Row> rows, List<String> bronzeColumns, List<String> addedColumns) {}

  private static final UserDefinedFunction DIAGNOSE_CSV =
      functions.udf(
          (UDF3<String, Integer, String, String>) LandingReader::diagnoseCsv, DataTypes.StringType);

  private final SparkSession spark;
  private final DatasetConfig dataset;
  private final Configuration hadoop;

  /** Data columns bronze already has: declared ones plus earlier evolved ones. */
  private final List<String> knownColumns;

  /** Landed name → column name, for columns declared with {@code landed-as}; and the inverse. */
  private final Map<String, String> landed;

  private final Map<String, String> landedByColumn = new LinkedHashMap<>();

  LandingReader(SparkSession spark, DatasetConfig dataset, List<String> bronzeExtraColumns) {
    this.spark = spark;
    this.dataset = dataset;
    this.hadoop = spark.sparkContext().hadoopConfiguration();
    List<String> known = new ArrayList<>(dataset.columnNames());
    known.addAll(bronzeExtraColumns);
    this.knownColumns = known;
    this.landed = dataset.landedNames();
    landed.forEach((l, c) -> landedByColumn.put(c, l));
  }

  /** The column name of a landed name (itself unless declared with {@code landed-as}). */
  private String columnOf(String landedName) {
    return landed.getOrDefault(landedName, landedName);
  }

  /** The landed name of a column (inverse of {@link #columnOf}). */
  private String landedOf(String column) {
    return landedByColumn.getOrDefault(column, column);
  }

  Parsed read(List<String> files) throws IOException {
    return switch (dataset.source().format()) {
      case CSV -> readCsv(files);
      case JSON -> readJson(files);
      case PARQUET -> readParquet(files);
      case JDBC ->
          throw new IllegalStateException(
              "JDBC sources are read by JdbcIngest, not from landing files");
    };
  }

  // ---------------------------------------------------------------- CSV

  private Parsed readCsv(List<String> files) throws IOException {
    char delimiter =
        dataset
            .source()
            .options()
            .getOrDefault("delimiter", dataset.source().options().getOrDefault("sep", ","))
            .charAt(0);
    // files without a header line (options.header = false: UCI's adult.data, heart's
    // processed.cleveland.data) hold the declared columns in their order
    boolean headerLine = headerLine(dataset);
    Map<List<String>, List<String>> byHeader = new LinkedHashMap<>();
    for (String f : files) {
      List<String> header =
          LandingFiles.csvHeader(f, delimiter, LandingFiles.charset(dataset.source()), hadoop);
      if (header.isEmpty()) {
        continue; // an empty file holds no records
      }
      if (!headerLine) {
        header = dataset.columnNames();
      } else {
        checkHeader(f, header);
      }
      byHeader.computeIfAbsent(header, h -> new ArrayList<>()).add(f);
    }
    List<Dataset<Row>> parts = new ArrayList<>();
    Set<String> added = new LinkedHashSet<>();
    for (Map.Entry<List<String>, List<String>> group : byHeader.entrySet()) {
      // A header that ends with a delimiter (Kaggle's breast-cancer data.csv: every line ends
      // with a comma) has an unnamed last column; it is read under TRAILING and left out of
      // bronze, and a row with a value there is quarantined rather than cut short.
      boolean trailing = trailingDelimiter(group.getKey());
      List<String> landedHeader =
          trailing ? group.getKey().subList(0, group.getKey().size() - 1) : group.getKey();
      // columns declared with landed-as get their column names once read (the reader wants the
      // landed
      // names in its schema, or it warns that the header does not conform)
      List<String> header = landedHeader.stream().map(this::columnOf).toList();
      String drift = drift(header, group.getValue(), added);
      StructType schema = new StructType();
      for (String c : landedHeader) {
        schema = schema.add(c, DataTypes.StringType);
      }
      if (trailing) {
        schema = schema.add(TRAILING, DataTypes.StringType);
      }
      schema = schema.add(Columns.CORRUPT, DataTypes.StringType);
      Dataset<Row> raw =
          spark
              .read()
              .format("csv")
              // RFC 4180, as Excel, pandas and Python's csv module write: a quote inside a quoted
              // field is doubled. Spark's default escape is a backslash, which split such fields
              // (13 % of a helpdesk export quarantined); options { escape = "\\" } restores it
              .option("escape", "\"")
              .options(dataset.source().options())
              .option("header", String.valueOf(headerLine))
              .option("mode", "PERMISSIVE")
              .option("multiLine", "false")
              .option("columnNameOfCorruptRecord", Columns.CORRUPT)
              .schema(schema)
              .load(group.getValue().toArray(new String[0]))
              .withColumn(Columns.SOURCE_FILE, col("_metadata.file_path"));
      if (!header.equals(landedHeader)) {
        List<String> renamed = new ArrayList<>(header);
        if (trailing) {
          renamed.add(TRAILING);
        }
        renamed.add(Columns.CORRUPT);
        renamed.add(Columns.SOURCE_FILE);
        raw = raw.toDF(renamed.toArray(new String[0]));
      }
      Column malformed = col(Columns.CORRUPT).isNotNull();
      Column malformedReason =
          concat(
              lit("malformed CSV record: "),
              DIAGNOSE_CSV.apply(
                  col(Columns.CORRUPT), lit(header.size()), lit(String.valueOf(delimiter))));
      Column rawRecord = coalesce(col(Columns.CORRUPT), to_json(struct(cols(header))));
      if (trailing) {
        Column beyond = col(TRAILING).isNotNull().and(trim(col(TRAILING)).notEqual(""));
        malformedReason =
            when(
                    col(Columns.CORRUPT).isNull().and(beyond),
                    lit(
                        "malformed CSV record: a value under the header's unnamed last column (the"
                            + " header ends with a delimiter, so that column is not ingested)"))
                .otherwise(malformedReason);
        malformed = malformed.or(beyond);
        List<Column> all = new ArrayList<>(List.of(cols(header)));
        all.add(col(TRAILING).as("_unnamed_last_column"));
        rawRecord = coalesce(col(Columns.CORRUPT), to_json(struct(all.toArray(new Column[0]))));
      }
      parts.add(classify(raw, header, header, malformed, malformedReason, drift, rawRecord));
    }
    return finish(parts, added);
  }

  /**
   * Whether a CSV source's files start with a header line: unless {@code options.header = false},
   * when they hold the declared columns in their order.
   */
  static boolean headerLine(io.lakeml.config.DatasetConfig dataset) {
    return !"false".equalsIgnoreCase(dataset.source().options().getOrDefault("header", "true"));
  }

  /**
   * Whether a CSV header ends with a delimiter: its last name empty, the others not. Exports that
   * end every line with the delimiter write one more, empty, field.
   */
  static boolean trailingDelimiter(List<String> header) {
    return header.size() > 1
        && (header.get(header.size() - 1) == null || header.get(header.size() - 1).isEmpty());
  }

  private void checkHeader(String file, List<String> header) {
    Set<String> seen = new LinkedHashSet<>();
    List<String> named = trailingDelimiter(header) ? header.subList(0, header.size() - 1) : header;
    for (String c : named) {
      if (c == null || c.isEmpty() || c.startsWith("_") || !seen.add(c)) {
        throw new JobFailure(
            "landing file "
                + file
                + " has a malformed header "
                + header
                + ": column names must be non-empty, unique and not start with '_'. Fix or remove the file and rerun; nothing of it was ingested.");
      }
    }
  }

  /** Explains why a CSV line was flagged malformed (runs on executors, only for bad lines). */
  static String diagnoseCsv(String line, Integer expected, String delimiter) {
    if (line == null) {
      return "unreadable record";
    }
    long quotes = line.chars().filter(ch -> ch == '"').count();
    if (quotes % 2 == 1) {
      return "broken quoting (unterminated quote)";
    }
    CsvParserSettings settings = new CsvParserSettings();
    settings.setMaxColumns(LandingFiles.MAX_COLUMNS);
    settings.getFormat().setDelimiter(delimiter.charAt(0));
    settings.setMaxCharsPerColumn(-1);
    String[] fields = new CsvParser(settings).parseLine(line);
    int n = fields == null ? 0 : fields.length;
    if (n != expected) {
      return "has " + n + " fields, the header has " + expected;
    }
    return "unparsable record";
  }

  // ---------------------------------------------------------------- JSON lines

  private Parsed readJson(List<String> files) {
    if (files.isEmpty()) {
      return finish(List.of(), Set.of());
    }
    Dataset<Row> lines =
        spark
            .read()
            .text(files.toArray(new String[0]))
            .withColumn(Columns.SOURCE_FILE, col("_metadata.file_path"));
    Column keys = json_object_keys(col("value"));
    Column unknown =
        array_except(
            keys,
            array(
                knownColumns.stream()
                    .map(this::landedOf)
                    .map(functions::lit)
                    .toArray(Column[]::new)));
    Set<String> added = new LinkedHashSet<>();
    DriftPolicy policy = dataset.source().schemaDrift();
    // quarantine judges each line on its own; evolve and fail need the batch's new keys (one pass)
    List<String> newKeys =
        policy == DriftPolicy.QUARANTINE
            ? List.of()
            : lines
                .select(explode(unknown).as("k"))
                .distinct()
                .limit(1000)
                // bounded: limit 1000 unknown field names
                .collectAsList()
                .stream()
                .map(r -> r.getString(0))
                .sorted()
                .toList();
    if (!newKeys.isEmpty() && policy == DriftPolicy.FAIL) {
      throw driftFailure("JSON records in " + files.size() + " file(s)", newKeys, List.of());
    }
    List<String> columns = new ArrayList<>(knownColumns);
    if (policy == DriftPolicy.EVOLVE) {
      added.addAll(newKeys);
      columns.addAll(newKeys);
    }
    StructType schema = new StructType();
    for (String c : columns) {
      schema = schema.add(landedOf(c), DataTypes.StringType);
    }
    schema = schema.add(Columns.CORRUPT, DataTypes.StringType);
    Dataset<Row> parsed =
        lines
            .withColumn(
                "_parsed",
                from_json(
                    col("value"),
                    schema,
                    Map.of("mode", "PERMISSIVE", "columnNameOfCorruptRecord", Columns.CORRUPT)))
            .withColumn("_keys", keys);
    List<Column> select = new ArrayList<>();
    for (String c : columns) {
      select.add(col("_parsed").getField(landedOf(c)).as(c));
    }
    select.add(col(Columns.SOURCE_FILE));
    select.add(col("value"));
    select.add(col("_keys"));
    select.add(col("_parsed." + Columns.CORRUPT).as(Columns.CORRUPT));
    Dataset<Row> flat = parsed.select(select.toArray(new Column[0]));

    Column blank = trim(col("value")).equalTo("");
    Column malformed = col(Columns.CORRUPT).isNotNull().or(col("_keys").isNull());
    Column unknownHere =
        array_except(
            col("_keys"),
            array(columns.stream().map(this::landedOf).map(functions::lit).toArray(Column[]::new)));
    Column driftReason =
        policy == DriftPolicy.QUARANTINE
            ? when(
                size(unknownHere).gt(0),
                concat(
                    lit("schema drift: unexpected field(s) ["),
                    array_join(unknownHere, ", "),
                    lit("]")))
            : lit(null).cast("string");
    Column typing = col(TYPING);
    Column kind =
        when(blank, lit(BLANK))
            .when(malformed, lit(MALFORMED))
            .when(col(DRIFT_REASON).isNotNull(), lit(DRIFT))
            .when(typing.notEqual(""), lit(UNPARSABLE))
            .otherwise(lit(OK));
    Column reason =
        when(blank, lit(null).cast("string"))
            .when(malformed, lit("malformed JSON record: not a valid JSON object"))
            .when(col(DRIFT_REASON).isNotNull(), col(DRIFT_REASON))
            .when(typing.notEqual(""), concat(lit("unparsable value: "), typing));
    Dataset<Row> out =
        Typing.withProblems(flat.withColumn(DRIFT_REASON, driftReason), dataset, columns, TYPING)
            .withColumn(KIND, kind)
            .withColumn(Quarantine.REASON, reason)
            .withColumn(Quarantine.RAW_RECORD, when(col(KIND).notEqual(lit(OK)), col("value")))
            .select(outputColumns(columns));
    return finish(List.of(out), added);
  }

  // ---------------------------------------------------------------- Parquet

  private Parsed readParquet(List<String> files) {
    Map<StructType, List<String>> bySchema = new LinkedHashMap<>();
    for (String f : files) {
      StructType s = spark.read().parquet(f).schema();
      bySchema.computeIfAbsent(s, k -> new ArrayList<>()).add(f);
    }
    List<Dataset<Row>> parts = new ArrayList<>();
    Set<String> added = new LinkedHashSet<>();
    for (Map.Entry<StructType, List<String>> group : bySchema.entrySet()) {
      StructType schema = group.getKey();
      List<String> header =
          java.util.Arrays.stream(schema.fieldNames()).map(this::columnOf).toList();
      checkHeader(group.getValue().get(0), header);
      String drift = drift(header, group.getValue(), added);
      List<Column> asText = new ArrayList<>();
      for (StructField f : schema.fields()) {
        boolean nested =
            f.dataType() instanceof StructType
                || f.dataType() instanceof MapType
                || f.dataType() instanceof org.apache.spark.sql.types.ArrayType;
        Column c = col("`" + f.name().replace("`", "``") + "`");
        asText.add((nested ? to_json(c) : c.cast("string")).as(columnOf(f.name())));
      }
      asText.add(col("_metadata.file_path").as(Columns.SOURCE_FILE));
      Dataset<Row> raw =
          spark
              .read()
              .schema(schema)
              .parquet(group.getValue().toArray(new String[0]))
              .select(asText.toArray(new Column[0]));
      // a value whose file type is already the declared type always parses: checking it costs a
      // cast per value and row and can never fail, so only the other columns are checked
      List<String> checked =
          java.util.Arrays.stream(schema.fields())
              .filter(f -> !alreadyTyped(f))
              .map(f -> columnOf(f.name()))
              .toList();
      parts.add(
          classify(
              raw,
              header,
              checked,
              lit(false),
              lit(null).cast("string"),
              drift,
              to_json(struct(cols(header)))));
    }
    return finish(parts, added);
  }

  // ---------------------------------------------------------------- shared

  /**
   * Applies the drift policy to one group of files sharing a header. Returns the quarantine reason
   * for all their rows, or null when they are accepted (possibly adding columns).
   */
  private String drift(List<String> header, List<String> files, Set<String> added) {
    List<String> extra = header.stream().filter(c -> !knownColumns.contains(c)).toList();
    List<String> missing = dataset.columnNames().stream().filter(c -> !header.contains(c)).toList();
    if (extra.isEmpty() && missing.isEmpty()) {
      return null;
    }
    switch (dataset.source().schemaDrift()) {
      case FAIL -> throw driftFailure("landing file(s) " + files, extra, missing);
      case QUARANTINE -> {
        return "schema drift: unexpected column(s) " + extra + ", missing column(s) " + missing;
      }
      default -> {
        added.addAll(extra);
        return null;
      }
    }
  }

  private JobFailure driftFailure(String where, List<String> extra, List<String> missing) {
    return new JobFailure(
        where
            + " differ from dataset.schema of '"
            + dataset.name()
            + "': unexpected "
            + extra
            + ", missing "
            + missing
            + ". The policy dataset.source.schema-drift is 'fail', so nothing of this batch was written."
            + " Declare the columns in the schema, fix the files, or set schema-drift to 'evolve' or 'quarantine'.");
  }

  /** Adds kind and reason to a CSV or Parquet group with columns {@code header} as text. */
  private Dataset<Row> classify(
      Dataset<Row> raw,
      List<String> header,
      List<String> typingChecked,
      Column malformed,
      Column malformedReason,
      String driftReason,
      Column rawRecord) {
    Column typing = col(TYPING);
    Column kind =
        when(malformed, lit(MALFORMED))
            .when(lit(driftReason != null), lit(DRIFT))
            .when(typing.notEqual(""), lit(UNPARSABLE))
            .otherwise(lit(OK));
    Column reason =
        when(malformed, malformedReason)
            .when(lit(driftReason != null), lit(driftReason))
            .when(typing.notEqual(""), concat(lit("unparsable value: "), typing));
    // the raw record only for rows going to quarantine: serialising every accepted row as JSON cost
    // 5 % of a 785-column ingest's CPU for a value nobody reads
    return Typing.withProblems(raw, dataset, typingChecked, TYPING)
        .withColumn(KIND, kind)
        .withColumn(Quarantine.REASON, reason)
        .withColumn(Quarantine.RAW_RECORD, when(col(KIND).notEqual(lit(OK)), rawRecord))
        .select(outputColumns(header));
  }

  /**
   * Whether a Parquet field's values are of the declared type already (int also for a declared
   * long).
   */
  private boolean alreadyTyped(StructField field) {
    return dataset
        .column(columnOf(field.name()))
        .map(
            c -> {
              DataType declared = c.type().sparkType();
              DataType actual = field.dataType();
              boolean integral =
                  actual.equals(DataTypes.IntegerType)
                      || actual.equals(DataTypes.ShortType)
                      || actual.equals(DataTypes.ByteType);
              return actual.equals(declared)
                  || integral && (c.type() == ColumnType.INT || c.type() == ColumnType.LONG);
            })
        .orElse(false);
  }

  private Column[] outputColumns(List<String> present) {
    List<Column> out = new ArrayList<>();
    for (String c : present) {
      out.add(col(c));
    }
    out.add(col(Columns.SOURCE_FILE));
    out.add(col(KIND));
    out.add(col(Quarantine.REASON));
    out.add(col(Quarantine.RAW_RECORD));
    return out.toArray(new Column[0]);
  }

  private Parsed finish(List<Dataset<Row>> parts, Set<String> added) {
    List<String> bronzeColumns = new ArrayList<>(knownColumns);
    bronzeColumns.addAll(added);
    Dataset<Row> all = null;
    for (Dataset<Row> p : parts) {
      all = all == null ? p : all.unionByName(p, true);
    }
    if (all == null) {
      StructType empty = new StructType();
      for (String c : bronzeColumns) {
        empty = empty.add(c, DataTypes.StringType);
      }
      empty =
          empty
              .add(Columns.SOURCE_FILE, DataTypes.StringType)
              .add(KIND, DataTypes.StringType)
              .add(Quarantine.REASON, DataTypes.StringType)
              .add(Quarantine.RAW_RECORD, DataTypes.StringType);
      all = spark.createDataFrame(List.of(), empty);
    }
    // every bronze column present (null when a file lacked it), in bronze order
    List<Column> select = new ArrayList<>();
    Set<String> have = Set.of(all.columns());
    for (String c : bronzeColumns) {
      select.add(have.contains(c) ? col(c) : lit(null).cast("string").as(c));
    }
    select.add(col(Columns.SOURCE_FILE));
    select.add(col(KIND));
    select.add(col(Quarantine.REASON));
    select.add(col(Quarantine.RAW_RECORD));
    return new Parsed(all.select(select.toArray(new Column[0])), bronzeColumns, List.copyOf(added));
  }

  private static Column[] cols(List<String> names) {
    return names.stream().map(functions::col).toArray(Column[]::new);
  }
}
