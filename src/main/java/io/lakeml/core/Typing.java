package io.lakeml.core;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_join;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.transform;
import static org.apache.spark.sql.functions.translate;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import io.lakeml.config.ColumnType;
import io.lakeml.config.DatasetConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Turns raw text values into typed values, the same way in ingest (to reject unparsable values
 * early) and etl (to type silver): trim, configured missing-value tokens become null, then a {@code
 * try_cast} that never coerces silently: a value that does not parse is reported, not nulled.
 */
public final class Typing {
  private static final String CLEAN_PREFIX = "__clean_";

  /**
   * Checked columns above which the check is one lambda over an array of the row's values instead
   * of expressions per column. Per column, a 785-column file generated thousands of small methods
   * that the JIT compiled while the rows waited (the check was 28 % of its ingest's executor time,
   * with 25 s of compilation); below this, per-column code is compiled once and faster per value.
   */
  static final int WIDE = 100;

  private Typing() {}

  /**
   * What the typing check depends on (declared names and types, missing-value tokens) as a short
   * hash. Ingest stores it with every bronze row it accepted; a row checked under the signature etl
   * has now cannot fail etl's check, which is the same check.
   */
  public static String signature(DatasetConfig dataset) {
    // the prefix names the check's own rules: change it whenever cleaning or casting changes, so
    // bronze rows checked by an older lakeml are checked again
    StringBuilder sb = new StringBuilder("typing-v1");
    for (DatasetConfig.Column c : dataset.columns()) {
      sb.append('\n').append(c.name()).append(':').append(c.type());
    }
    for (String m : dataset.source().missingValues()) {
      sb.append("\nmissing:").append(m);
    }
    if (dataset.source().decimalComma()) {
      sb.append(
          "\ndecimal:,"); // absent for '.', so signatures written before the option stay valid
    }
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256")
              .digest(sb.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** Trimmed text, or null for a missing-value token. */
  public static Column cleaned(String column, DatasetConfig dataset) {
    return cleanedText(col(column).cast("string"), dataset);
  }

  /** {@link #cleaned} of a text expression (a lambda's element). */
  private static Column cleanedText(Column text, DatasetConfig dataset) {
    Column trimmed = trim(text);
    List<String> missing = dataset.source().missingValues();
    return missing.isEmpty()
        ? trimmed
        : when(trimmed.isin(missing.toArray()), lit(null).cast("string")).otherwise(trimmed);
  }

  /** The typed value of an already cleaned text column (null when missing or unparsable). */
  public static Column typedFromCleaned(Column cleaned, ColumnType type, DatasetConfig dataset) {
    return type == ColumnType.STRING
        ? cleaned
        : numberText(cleaned, type, dataset).try_cast(type.sparkType());
  }

  /**
   * Number text as Spark's cast reads it: with a decimal comma ({@code source.decimal-separator =
   * ","}) the comma becomes the point and a '.' (thousands) is dropped, one character mapping
   * ("1.234,5" → "1234.5"). Anything else stays as it was and fails the cast as before.
   */
  static Column numberText(Column text, ColumnType type, DatasetConfig dataset) {
    return type.isNumeric() && dataset.source().decimalComma() ? fromDecimalComma(text) : text;
  }

  /** Decimal-comma number text as a point-decimal one: "1.234,5" → "1234.5". */
  public static Column fromDecimalComma(Column text) {
    return translate(text, ",.", ".");
  }

  /**
   * The typed value of a raw text column: {@code typedFromCleaned(cleaned(column))}, computed with
   * one cast where that gives the same value. Spark's casts to numbers ignore surrounding white
   * space themselves and give null for text that is no number, so trimming and the missing-value
   * tokens change nothing for a number column as long as no token reads as a number (e.g. "-1" or
   * "NaN"). On a 785-column table, reading, trimming and comparing every value twice was most of
   * etl's write.
   */
  public static Column typed(String column, ColumnType type, DatasetConfig dataset) {
    return castAlone(type, dataset)
        ? numberText(col(column), type, dataset).try_cast(type.sparkType())
        : typedFromCleaned(cleaned(column, dataset), type, dataset);
  }

  /** Whether {@link #typed} may cast a raw value of this type without cleaning it first. */
  static boolean castAlone(ColumnType type, DatasetConfig dataset) {
    if (!type.isNumeric()) {
      return false;
    }
    for (String token : dataset.source().missingValues()) {
      String t = token.strip().toLowerCase(java.util.Locale.ROOT).replaceFirst("^[+-]", "");
      if (t.chars().anyMatch(Character::isDigit) || t.equals("nan") || t.startsWith("inf")) {
        return false;
      }
    }
    return true;
  }

  /**
   * Adds a column {@code out} naming every value of the row that does not parse as its declared
   * type, or an empty string when all parse. Only declared columns in {@code present} are checked;
   * they are cleaned once in a projection of their own so the check stays a small expression.
   */
  public static Dataset<Row> withProblems(
      Dataset<Row> df, DatasetConfig dataset, Collection<String> present, String out) {
    return withProblems(df, dataset, present, out, false);
  }

  /**
   * {@link #withProblems} for a frame whose declared columns went through {@link #cleaned} already
   * (etl): cleaning them a second time would trim and compare every value again.
   */
  public static Dataset<Row> withProblemsOfCleaned(
      Dataset<Row> df, DatasetConfig dataset, Collection<String> present, String out) {
    return withProblems(df, dataset, present, out, true);
  }

  /**
   * The same messages as the per-column check, in the same order, from one expression: the values
   * as an array, a lambda that cleans (unless done), casts by the column's declared type and names
   * the failures, and {@code array_join}, which skips the nulls as {@code concat_ws} does.
   */
  private static Column wideProblems(
      List<DatasetConfig.Column> checked, DatasetConfig dataset, boolean alreadyCleaned) {
    Column values =
        array(checked.stream().map(c -> col(c.name()).cast("string")).toArray(Column[]::new));
    Column names = array(checked.stream().map(c -> lit(c.name())).toArray(Column[]::new));
    Column types =
        array(checked.stream().map(c -> lit(c.type().toString())).toArray(Column[]::new));
    Set<ColumnType> kinds = new LinkedHashSet<>();
    checked.forEach(c -> kinds.add(c.type()));
    if (kinds.stream().allMatch(k -> castAlone(k, dataset))) {
      return array_join(
          transform(
              values,
              (raw, i) -> numbersFirst(raw, i, names, types, kinds, alreadyCleaned, dataset)),
          "; ");
    }
    return array_join(
        transform(
            values,
            (raw, i) -> {
              Column clean = alreadyCleaned ? raw : cleanedText(raw, dataset);
              Column type = element_at(types, i.plus(1));
              Column unparsable = null;
              for (ColumnType k : kinds) {
                Column fails =
                    type.equalTo(lit(k.toString()))
                        .and(typedFromCleaned(clean, k, dataset).isNull());
                unparsable = unparsable == null ? fails : unparsable.or(fails);
              }
              return when(clean.isNotNull().and(unparsable), problem(names, i, clean, type));
            }),
        "; ");
  }

  /**
   * The check of one value when every checked type is a number that {@link #typed} may cast raw:
   * the raw text is cast first, and only a value that does not cast is cleaned, looked up by name
   * and described. Nearly every value of a wide table casts, and cleaning each one first (trim,
   * compare with the missing-value tokens) cost more than the cast.
   */
  private static Column numbersFirst(
      Column raw,
      Column i,
      Column names,
      Column types,
      Set<ColumnType> kinds,
      boolean alreadyCleaned,
      DatasetConfig dataset) {
    Column type = element_at(types, i.plus(1));
    Column castFails = null;
    for (ColumnType k : kinds) {
      Column fails = numberText(raw, k, dataset).try_cast(k.sparkType()).isNull();
      if (kinds.size() > 1) {
        fails = type.equalTo(lit(k.toString())).and(fails);
      }
      castFails = castFails == null ? fails : castFails.or(fails);
    }
    Column clean = alreadyCleaned ? raw : cleanedText(raw, dataset);
    // And evaluates its left side first and stops there when it is false
    return when(castFails.and(clean.isNotNull()), problem(names, i, clean, type));
  }

  /** "name='value' is not a valid type" for element {@code i} of a wide check. */
  private static Column problem(Column names, Column i, Column clean, Column type) {
    return concat(element_at(names, i.plus(1)), lit("='"), clean, lit("' is not a valid "), type);
  }

  private static Dataset<Row> withProblems(
      Dataset<Row> df,
      DatasetConfig dataset,
      Collection<String> present,
      String out,
      boolean alreadyCleaned) {
    return withProblems(df, dataset, present, out, alreadyCleaned, WIDE);
  }

  /**
   * The check with the per-column form up to {@code wideAbove} checked columns (tests compare the
   * two forms).
   */
  static Dataset<Row> withProblems(
      Dataset<Row> df,
      DatasetConfig dataset,
      Collection<String> present,
      String out,
      boolean alreadyCleaned,
      int wideAbove) {
    List<DatasetConfig.Column> checked = new ArrayList<>();
    for (DatasetConfig.Column c : dataset.columns()) {
      if (c.type() != ColumnType.STRING && present.contains(c.name())) {
        checked.add(c);
      }
    }
    if (checked.isEmpty()) {
      return df.withColumn(out, lit(""));
    }
    if (checked.size() > wideAbove) {
      return df.withColumn(out, wideProblems(checked, dataset, alreadyCleaned));
    }
    Dataset<Row> staged = df;
    if (!alreadyCleaned) {
      // one projection for every column: a withColumn per column nests one plan node per column,
      // and
      // a thousand-column file overflowed the analyzer's stack
      Map<String, Column> cleanedColumns = new LinkedHashMap<>();
      for (DatasetConfig.Column c : checked) {
        cleanedColumns.put(CLEAN_PREFIX + c.name(), cleaned(c.name(), dataset));
      }
      staged = df.withColumns(cleanedColumns);
    }
    List<Column> parts = new ArrayList<>();
    List<String> hidden = new ArrayList<>();
    for (DatasetConfig.Column c : checked) {
      Column clean = col(alreadyCleaned ? c.name() : CLEAN_PREFIX + c.name());
      Column bad = clean.isNotNull().and(typedFromCleaned(clean, c.type(), dataset).isNull());
      parts.add(
          when(bad, concat(lit(c.name() + "='"), clean, lit("' is not a valid " + c.type()))));
      if (!alreadyCleaned) {
        hidden.add(CLEAN_PREFIX + c.name());
      }
    }
    return staged
        .withColumn(out, concat_ws("; ", parts.toArray(new Column[0])))
        .drop(hidden.toArray(new String[0]));
  }
}
