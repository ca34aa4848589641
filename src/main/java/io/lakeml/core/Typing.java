package io.lakeml.core;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import io.lakeml.config.ColumnType;
import io.lakeml.config.DatasetConfig;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.spark.sql.Column;

/**
 * Turns raw text values into typed values, the same way in ingest (to reject unparsable values early)
 * and etl (to type silver): trim, configured missing-value tokens become null, then a
 * {@code try_cast} that never coerces silently: a value that does not parse is reported, not nulled.
 */
public final class Typing {
  private Typing() {}

  /** Trimmed text, or null for a missing-value token. */
  public static Column cleaned(String column, DatasetConfig dataset) {
    Column trimmed = trim(col(column).cast("string"));
    List<String> missing = dataset.source().missingValues();
    return missing.isEmpty() ? trimmed : when(trimmed.isin(missing.toArray()), lit(null).cast("string")).otherwise(trimmed);
  }

  /** The typed value (null when missing or unparsable). */
  public static Column typed(String column, ColumnType type, DatasetConfig dataset) {
    Column cleaned = cleaned(column, dataset);
    return type == ColumnType.STRING ? cleaned : cleaned.try_cast(type.sparkType());
  }

  /**
   * A text naming every value of the row that does not parse as its declared type, or an empty
   * string when all parse. Only columns in {@code present} are checked.
   */
  public static Column problems(DatasetConfig dataset, Collection<String> present) {
    List<Column> parts = new ArrayList<>();
    for (DatasetConfig.Column c : dataset.columns()) {
      if (c.type() == ColumnType.STRING || !present.contains(c.name())) {
        continue;
      }
      Column cleaned = cleaned(c.name(), dataset);
      Column bad = cleaned.isNotNull().and(typed(c.name(), c.type(), dataset).isNull());
      parts.add(when(bad, concat(lit(c.name() + "='"), cleaned, lit("' is not a valid " + c.type()))));
    }
    return parts.isEmpty() ? lit("") : concat_ws("; ", parts.toArray(new Column[0]));
  }
}
