package io.lakeml.cli;

import static org.apache.spark.sql.functions.col;

import io.lakeml.core.LakeCatalog;
import io.lakeml.core.ModelRegistry;
import io.lakeml.core.Summary;
import io.lakeml.tables.ModelsTable;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** {@code jobs/lakeml models}: the registry's versions of one dataset, newest first. */
final class ModelList {
  private ModelList() {}

  static void print(SparkSession spark, LakeCatalog cat, String dataset, boolean json, PrintStream out) {
    // bounded: one row per model version (metadata, not data)
    List<Row> rows = ModelRegistry.versions(spark, cat, dataset).orderBy(col("version").desc()).collectAsList();
    if (rows.isEmpty() && !json) {
      out.println("No model versions of " + dataset + " yet. Run 'jobs/lakeml tune --dataset " + dataset + "' after prepare.");
      return;
    }
    String format = "%-8s %-10s %-24s %-14s %10s %10s %10s  %-6s %-12s %s%n";
    if (!json) {
      out.printf(format, "version", "status", "algorithm", "metric", "cv", "validation", "test", "gold", "run date", "created");
    }
    for (Row r : rows) {
      String metric = r.getAs(ModelsTable.SELECTION_METRIC);
      Map<String, Object> v = new LinkedHashMap<>();
      v.put("version", r.getAs("version"));
      v.put("status", r.getAs("status"));
      v.put("algorithm", r.getAs("algorithm"));
      v.put("params", r.getAs("params"));
      v.put("metric", metric);
      v.put("cv", r.getAs(ModelsTable.CV_METRIC));
      v.put("validation", metric(r, ModelsTable.VALIDATION_METRICS, metric));
      v.put("test", metric(r, ModelsTable.TEST_METRICS, metric));
      v.put("goldVersion", r.getAs(ModelsTable.GOLD_VERSION));
      v.put("runDate", String.valueOf((Object) r.getAs(ModelsTable.RUN_DATE)));
      v.put("created", String.valueOf((Object) r.getAs(ModelsTable.CREATED_AT)));
      v.put("path", r.getAs("path"));
      if (json) {
        out.println(Summary.toJson(v));
      } else {
        out.printf(format, "v" + v.get("version"), v.get("status"), v.get("algorithm"), metric, fmt(v.get("cv")),
            fmt(v.get("validation")), fmt(v.get("test")), v.get("goldVersion"), v.get("runDate"), v.get("created"));
      }
    }
  }

  private static Double metric(Row r, String column, String metric) {
    scala.collection.Map<String, Double> m = r.getAs(column);
    return m.get(metric).isDefined() ? m.get(metric).get() : null;
  }

  private static String fmt(Object v) {
    return v == null ? "-" : String.format(java.util.Locale.ROOT, "%.4f", (Double) v);
  }
}
