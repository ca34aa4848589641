package io.lakeml.cli;

import io.lakeml.config.ConfigException;
import io.lakeml.config.ConfigLoader;
import io.lakeml.config.DatasetConfig;
import io.lakeml.config.DatasetConfig.Format;
import io.lakeml.config.LakemlConfig;
import io.lakeml.core.Compressed;
import io.lakeml.core.LakeCatalog;
import io.lakeml.core.SparkSessions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.SparkSession;

/**
 * {@code jobs/lakeml new-dataset NAME --sample FILE}: writes {@code conf/datasets/NAME.conf} from a
 * sample ({@link DatasetTemplate}), proves it loads with {@link ConfigLoader}, and lands the sample
 * in the dataset's landing folder so that the first nightly has data.
 */
final class NewDataset {
  private NewDataset() {}

  /**
   * Everything checked before Spark starts or anything is written: name, sample, format, existing
   * files.
   */
  record Request(
      String name,
      Path sample,
      Format format,
      boolean force,
      Path confDir,
      String env,
      List<String> overrides) {
    Path confFile() {
      return confDir.resolve("datasets").resolve(name + ".conf");
    }

    /** The sample's name in landing: ingest only picks up files ending with the format's suffix. */
    String landedName() {
      // a compressed sample lands compressed: orders.tsv.gz as orders.csv.gz
      String name = sample.getFileName().toString();
      String compression = Compressed.suffixOf(name);
      String file = Compressed.withoutSuffix(name);
      String lower = file.toLowerCase(Locale.ROOT);
      if (lower.endsWith(format.suffix())) {
        return file + compression;
      }
      for (String other : List.of(".jsonl", ".ndjson", ".tsv", ".txt")) {
        if (lower.endsWith(other)) {
          return file.substring(0, file.length() - other.length()) + format.suffix() + compression;
        }
      }
      return file + format.suffix() + compression;
    }
  }

  static Request check(
      String name,
      Path sample,
      String format,
      boolean force,
      Path confDir,
      String env,
      List<String> overrides) {
    ConfigLoader.datasetNameProblem(name)
        .ifPresent(
            p -> {
              throw new ConfigException(p);
            });
    if (!Files.exists(sample)) {
      throw new ConfigException(
          "sample file "
              + sample.toAbsolutePath()
              + " does not exist. Pass --sample with the path of a CSV, JSON-lines or Parquet file of the new data.");
    }
    if (!Files.isRegularFile(sample) || !Files.isReadable(sample)) {
      throw new ConfigException(
          "sample "
              + sample.toAbsolutePath()
              + " is not a readable file. Pass --sample with one file (for a folder of Parquet parts, pick one part).");
    }
    Format f = format == null ? formatOf(sample) : parseFormat(format);
    Request r = new Request(name, sample, f, force, confDir, env, overrides);
    if (Files.exists(r.confFile()) && !force) {
      throw new ConfigException(
          "dataset '"
              + name
              + "' already has a configuration file "
              + r.confFile()
              + ". Nothing was changed. Pick another name, or pass --force to overwrite it.");
    }
    return r;
  }

  private static Format formatOf(Path sample) {
    String file =
        Compressed.withoutSuffix(sample.getFileName().toString()).toLowerCase(Locale.ROOT);
    if (file.endsWith(".csv") || file.endsWith(".tsv") || file.endsWith(".txt")) {
      return Format.CSV;
    }
    if (file.endsWith(".json") || file.endsWith(".jsonl") || file.endsWith(".ndjson")) {
      return Format.JSON;
    }
    if (file.endsWith(".parquet")) {
      return Format.PARQUET;
    }
    throw new ConfigException(
        "cannot tell the format of the sample "
            + sample.getFileName()
            + " from its name. Pass --format csv, json or parquet.");
  }

  private static Format parseFormat(String format) {
    return switch (format.toLowerCase(Locale.ROOT)) {
      case "csv" -> Format.CSV;
      case "json" -> Format.JSON;
      case "parquet" -> Format.PARQUET;
      default ->
          throw new ConfigException(
              "--format '" + format + "' is not a sample format. Use csv, json or parquet.");
    };
  }

  /**
   * Infers, writes and validates the configuration, lands the sample, prints what was guessed and
   * returns the summary's fields.
   */
  static Map<String, Object> run(Request r, PrintStream out) {
    LakemlConfig env = ConfigLoader.load(r.confDir(), r.env(), null, r.overrides());
    SparkSession spark = SparkSessions.getOrCreate(env, "lakeml new-dataset " + r.name());
    Map<String, String> options = r.format() == Format.CSV ? csvOptions(r.sample()) : Map.of();
    String sampleUri = r.sample().toAbsolutePath().toUri().toString();
    DatasetTemplate.Guess g =
        DatasetTemplate.infer(spark, r.name(), sampleUri, r.format(), options);
    String text = DatasetTemplate.render(g, r.sample().getFileName().toString());

    // landing files are ingested once by name: never replace one silently
    String landingFolder = LakeCatalog.of(env).layer(LakeCatalog.Layer.LANDING) + "/" + r.name();
    org.apache.hadoop.fs.Path planned =
        new org.apache.hadoop.fs.Path(landingFolder, r.landedName());
    try {
      if (!r.force()
          && planned.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(planned)) {
        throw new ConfigException(
            "landing file "
                + planned
                + " already exists. Nothing was changed. Landing files are ingested once by name:"
                + " rename the sample, remove that file, or pass --force to replace it.");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot check the landing folder " + landingFolder + ": " + e.getMessage(), e);
    }

    // write, then prove the loader accepts it; restore what was there if it does not
    String previous = read(r.confFile());
    write(r.confFile(), text);
    DatasetConfig ds;
    try {
      ds = ConfigLoader.load(r.confDir(), r.env(), r.name(), r.overrides()).requireDataset();
    } catch (ConfigException e) {
      if (previous == null) {
        delete(r.confFile());
      } else {
        write(r.confFile(), previous);
      }
      throw new IllegalStateException(
          "the generated configuration does not validate (please report this as a lakeml bug; nothing was kept): "
              + e.getMessage(),
          e);
    }
    String landing = LakeCatalog.of(env).landing(ds);
    org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(landing, r.landedName());
    try {
      FileSystem fs = target.getFileSystem(spark.sparkContext().hadoopConfiguration());
      fs.mkdirs(target.getParent());
      fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(sampleUri), target);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "could not copy the sample to " + target + ": " + e.getMessage(), e);
    }

    out.println(
        "new dataset '"
            + r.name()
            + "' from "
            + r.sample().getFileName()
            + " ("
            + r.format()
            + ", "
            + g.rows()
            + " rows, "
            + g.columns().size()
            + " columns)");
    out.println(
        "  configuration  " + r.confFile() + (previous == null ? "" : " (overwritten: --force)"));
    out.println("  landing        " + target);
    out.println("guessed:");
    out.println(
        "  label          "
            + (g.label() == null
                ? "-"
                : g.positive() == null
                    ? g.label() + " (multiclass)"
                    : g.label()
                        + " (positive = \""
                        + g.positive()
                        + "\""
                        + (g.favorable() == null ? "" : ", favorable = \"" + g.favorable() + "\"")
                        + ")"));
    if (g.threshold() != null) {
      out.println(
          "  threshold      " + g.threshold() + " (the positive class is rare in the sample)");
    }
    out.println("  key            " + (g.key() == null ? "-" : g.key()));
    out.println(
        "  numeric        " + (g.numeric().isEmpty() ? "-" : String.join(", ", g.numeric())));
    out.println(
        "  categorical    "
            + (g.categorical().isEmpty() ? "-" : String.join(", ", g.categorical())));
    out.println(
        "  not features   "
            + (g.leftOut().isEmpty() ? "-" : String.join(", ", g.leftOut().keySet())));
    out.println(
        "  sensitive      "
            + (g.sensitive().isEmpty()
                ? "-"
                : String.join(", ", g.sensitive()) + " (commented out)"));
    out.println("check before the first run:");
    for (String c : g.checks()) {
      out.println("  - " + c);
    }
    out.println("then: jobs/lakeml nightly --dataset " + r.name());

    Map<String, Object> guesses = new LinkedHashMap<>();
    guesses.put("label", g.label());
    guesses.put("positive", g.positive());
    guesses.put("favorable", g.favorable() == null ? g.positive() : g.favorable());
    guesses.put("key", g.key());
    guesses.put("numeric", g.numeric());
    guesses.put("categorical", g.categorical());
    guesses.put("sensitive", g.sensitive());
    guesses.put("notFeatures", g.leftOut());
    guesses.put("threshold", g.threshold());
    Map<String, Object> types = new LinkedHashMap<>();
    for (DatasetConfig.Column c : ds.columns()) {
      types.put(c.name(), c.type().toString());
    }
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("conf", r.confFile().toString());
    s.put("landing", target.toString());
    s.put("format", r.format().toString());
    s.put("rows", g.rows());
    s.put("schema", types);
    s.put("guesses", guesses);
    s.put("checks", g.checks());
    return s;
  }

  /**
   * Whether a CSV's first line is a record rather than a header: no field has a letter in it
   * ({@code 63.0,1.0,1.0,145.0,?}). Column names have letters; numbers and missing-value marks do
   * not.
   */
  static boolean isData(String[] fields) {
    if (fields == null || fields.length < 2) {
      return false;
    }
    for (String f : fields) {
      if (f != null && f.chars().anyMatch(Character::isLetter)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether the lines are values between single spaces: no other delimiter, at least 3 fields, the
   * same number on the first line and on each of at least one more.
   */
  static boolean spaceSeparated(String first, List<String> next) {
    if (next.isEmpty()) {
      return false;
    }
    int n = first.strip().split(" ", -1).length;
    return n >= 3 && next.stream().allMatch(l -> l.strip().split(" ", -1).length == n);
  }

  /**
   * Whether a first line that has letters is still a record: one of its fields with letters is a
   * value of its own column in the lines after it (german.data's {@code A11}, a coded category,
   * opens its first line and many others); a header's names are not values of their columns.
   */
  static boolean valuesOfItsColumns(String[] first, List<String> next, char delimiter) {
    if (first == null || first.length < 2) {
      return false;
    }
    for (String line : next) {
      String[] values = headerFields(line, delimiter);
      if (values == null
          || values.length != first.length
          || java.util.Arrays.equals(values, first)) {
        continue; // files concatenated with their headers repeat the header line
      }
      for (int i = 0; i < first.length; i++) {
        String f = first[i] == null ? "" : first[i].strip();
        if (f.chars().anyMatch(Character::isLetter)
            && values[i] != null
            && f.equals(values[i].strip())) {
          return true;
        }
      }
    }
    return false;
  }

  /** The fields of a CSV header line, kept as written (spaces included; empty ones ""). */
  static String[] headerFields(String header, char delimiter) {
    com.univocity.parsers.csv.CsvParserSettings settings =
        new com.univocity.parsers.csv.CsvParserSettings();
    settings.setMaxColumns(100_000);
    settings.getFormat().setDelimiter(delimiter);
    settings.setNullValue("");
    // kept as written, so the message can say that two names differ only in spaces
    settings.setIgnoreLeadingWhitespaces(false);
    settings.setIgnoreTrailingWhitespaces(false);
    return new com.univocity.parsers.csv.CsvParser(settings)
        .parseLine(header.startsWith("\uFEFF") ? header.substring(1) : header);
  }

  /**
   * Refuses a header that ingest would refuse (its names trimmed, each non-empty and used once):
   * Spark's reader numbers a repeated name ("score3", "score5") and the template would look fine
   * until the first ingest failed on the file.
   */
  static void headerProblems(Path sample, String[] cols) {
    if (cols == null) {
      return;
    }
    Map<String, Integer> first = new java.util.LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < cols.length; i++) {
      String name = cols[i] == null ? "" : cols[i].trim();
      if (name.isEmpty() && i == cols.length - 1 && i > 0) {
        // the header ends with a delimiter: ingest leaves that column out (the template checks
        // that the sample has nothing under it)
        continue;
      }
      if (name.isEmpty()) {
        problems.add("column " + (i + 1) + " has no name");
        continue;
      }
      Integer before = first.putIfAbsent(name, i + 1);
      if (before != null) {
        problems.add(
            "column "
                + (i + 1)
                + " is named '"
                + name
                + "' like column "
                + before
                + (cols[i].equals(cols[before - 1]) ? "" : " (surrounding spaces are ignored)"));
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(
          "the header of the sample "
              + sample
              + " cannot be ingested: "
              + String.join("; ", problems)
              + ". Give every column its own name in the sample and in the files that will land "
              + "(ingest refuses a file whose header repeats a name or leaves one empty, but for the"
              + " last one of a header that ends with a delimiter).");
    }
  }

  /**
   * CSV reader options: the delimiter when the header line uses another one than ',', the header
   * option when the first line is a record, and the encoding when the sample is not UTF-8 (a
   * spreadsheet's export is often Windows-1252).
   */
  static Map<String, String> csvOptions(Path sample) {
    java.nio.charset.Charset charset = isUtf8(sample) ? StandardCharsets.UTF_8 : LATIN_1;
    String header;
    List<String> next = new ArrayList<>(); // the lines after the first, up to 20
    try (BufferedReader in =
        new BufferedReader(new java.io.InputStreamReader(Compressed.open(sample), charset))) {
      header = in.readLine();
      for (String line = in.readLine(); line != null && next.size() < 20; line = in.readLine()) {
        if (!line.isBlank()) {
          next.add(line);
        }
      }
    } catch (IOException e) {
      throw new ConfigException("cannot read the sample " + sample + ": " + e.getMessage());
    }
    if (header == null || header.isBlank()) {
      throw new ConfigException(
          "the sample "
              + sample
              + " is empty or starts with an empty line: a CSV sample needs a header line with the column names.");
    }
    char best = ',';
    long bestCount = header.chars().filter(c -> c == ',').count();
    for (char d : new char[] {';', '\t', '|'}) {
      long n = header.chars().filter(c -> c == d).count();
      if (n > bestCount) {
        best = d;
        bestCount = n;
      }
    }
    if (bestCount == 0 && spaceSeparated(header, next)) {
      // UCI's german.data: values between single spaces, the same number on every line
      best = ' ';
    }
    Map<String, String> options = new java.util.LinkedHashMap<>();
    String[] fields = headerFields(header, best);
    if (isData(fields) || valuesOfItsColumns(fields, next, best)) {
      // no header line (UCI's adult.data, processed.cleveland.data): the template names the
      // columns by position and ingest reads them in the declared order
      options.put("header", "false");
    } else {
      headerProblems(sample, fields);
    }
    if (best != ',') {
      options.put("delimiter", String.valueOf(best));
    }
    if (charset != StandardCharsets.UTF_8) {
      options.put("encoding", charset.name());
    }
    return options;
  }

  /**
   * What a sample that is not UTF-8 is read as: Latin-1 decodes every byte, and it is one of the
   * encodings Spark 4's CSV reader accepts (windows-1252 is not: its € and „ read as control
   * characters here, its letters as they are).
   */
  static final java.nio.charset.Charset LATIN_1 = StandardCharsets.ISO_8859_1;

  /**
   * Whether the sample's first 4 MB decode as UTF-8 (a sequence cut at that end does not count).
   */
  static boolean isUtf8(Path sample) {
    byte[] head;
    try (var in = Compressed.open(sample)) {
      head = in.readNBytes(4 << 20);
    } catch (IOException e) {
      throw new ConfigException("cannot read the sample " + sample + ": " + e.getMessage());
    }
    var decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
            .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
    java.nio.ByteBuffer bytes = java.nio.ByteBuffer.wrap(head);
    java.nio.CharBuffer chars = java.nio.CharBuffer.allocate(head.length);
    java.nio.charset.CoderResult r = decoder.decode(bytes, chars, false);
    // underflow: all decoded, or only an incomplete sequence left at the cut
    return r.isUnderflow();
  }

  private static String read(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void write(Path p, String text) {
    try {
      Files.createDirectories(p.getParent());
      Files.writeString(p, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void delete(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
