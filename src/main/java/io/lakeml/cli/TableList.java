package io.lakeml.cli;

import io.delta.tables.DeltaTable;
import io.lakeml.core.DeltaTables;
import io.lakeml.core.LakeCatalog;
import io.lakeml.core.Summary;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code jobs/lakeml tables}: every table the catalog knows and whether it exists, with its current
 * Delta version, rows, files and size, and its last write. Read from Delta's metadata (DESCRIBE
 * DETAIL, DESCRIBE HISTORY limit 1); the row count is a {@code count()}, which Delta answers from
 * the file statistics in its log without reading data files.
 */
final class TableList {
  static final String NOT_CREATED = "not created yet";

  private TableList() {}

  /** Prints the tables and returns the summary's metrics. */
  static Map<String, Object> print(
      SparkSession spark,
      LakeCatalog cat,
      List<String> datasets,
      boolean includeSystem,
      boolean json,
      PrintStream out) {
    List<LakeCatalog.Table> tables = new ArrayList<>();
    for (String d : datasets) {
      tables.addAll(cat.datasetTables(d));
    }
    if (includeSystem) {
      tables.addAll(cat.systemTables());
    }
    TextTable text =
        new TextTable(
            "table", ">version", ">rows", ">files", ">size", "last write (UTC)", "operation");
    int existing = 0;
    long bytes = 0;
    for (LakeCatalog.Table t : tables) {
      Map<String, Object> info = describe(spark, t);
      if (Boolean.TRUE.equals(info.get("exists"))) {
        existing++;
        bytes += (Long) info.get("sizeBytes");
      }
      if (json) {
        out.println(Summary.toJson(info));
      } else if (Boolean.TRUE.equals(info.get("exists"))) {
        text.row(
            t.name(),
            info.get("version"),
            info.get("rows"),
            info.get("files"),
            size((Long) info.get("sizeBytes")),
            info.get("lastWrite"),
            info.get("operation"));
      } else {
        text.row(t.name(), "", "", "", "", NOT_CREATED, "");
      }
    }
    if (!json) {
      text.print(out);
    }
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("tables", tables.size());
    metrics.put("existing", existing);
    metrics.put("missing", tables.size() - existing);
    metrics.put("sizeBytes", bytes);
    return metrics;
  }

  /** One table's metadata; {@code exists = false} and a note when it was not written yet. */
  static Map<String, Object> describe(SparkSession spark, LakeCatalog.Table t) {
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("table", t.name());
    info.put("path", t.path());
    if (!DeltaTables.exists(spark, t.path())) {
      info.put("exists", false);
      info.put("note", NOT_CREATED);
      return info;
    }
    DeltaTable delta = DeltaTable.forPath(spark, t.path());
    Row detail = delta.detail().select("numFiles", "sizeInBytes").first();
    Row last = delta.history(1).select("version", "timestamp", "operation").first();
    info.put("exists", true);
    info.put("version", last.getLong(0));
    info.put("rows", spark.read().format("delta").load(t.path()).count());
    info.put("files", detail.getLong(0));
    info.put("sizeBytes", detail.getLong(1));
    info.put("lastWrite", RunList.utc(last.getTimestamp(1)));
    info.put("operation", last.getString(2));
    return info;
  }

  static String size(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = bytes;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }
}
