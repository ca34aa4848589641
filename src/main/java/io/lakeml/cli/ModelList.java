package io.lakeml.cli;

import io.lakeml.core.LakeCatalog;
import io.lakeml.core.ModelRegistry;
import io.lakeml.core.Summary;
import io.lakeml.tables.ModelsTable.ModelVersion;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/** {@code jobs/lakeml models}: the registry's versions of one dataset, newest first. */
final class ModelList {
  private ModelList() {}

  static void print(
      SparkSession spark, LakeCatalog cat, String dataset, boolean json, PrintStream out) {
    List<ModelVersion> rows = ModelRegistry.list(spark, cat, dataset);
    if (rows.isEmpty() && !json) {
      out.println(
          "No model versions of "
              + dataset
              + " yet. Run 'jobs/lakeml tune --dataset "
              + dataset
              + "' after prepare.");
      return;
    }
    String format = "%-8s %-10s %-24s %-14s %10s %10s %10s  %-6s %-12s %s%n";
    if (!json) {
      out.printf(
          format,
          "version",
          "status",
          "algorithm",
          "metric",
          "cv",
          "validation",
          "test",
          "gold",
          "run date",
          "created");
    }
    for (ModelVersion r : rows) {
      String metric = r.selectionMetric();
      Map<String, Object> v = new LinkedHashMap<>();
      v.put("version", r.version());
      v.put("status", r.status());
      v.put("algorithm", r.algorithm());
      v.put("params", r.paramsJson());
      v.put("metric", metric);
      v.put("cv", r.cvMetric());
      v.put("validation", r.validationMetrics().get(metric));
      v.put("test", r.testMetrics().get(metric));
      v.put("goldVersion", r.goldVersion());
      v.put("runDate", String.valueOf(r.runDate()));
      v.put("created", String.valueOf(r.createdAt()));
      v.put("path", r.path());
      if (json) {
        out.println(Summary.toJson(v));
      } else {
        out.printf(
            format,
            "v" + v.get("version"),
            v.get("status"),
            v.get("algorithm"),
            metric,
            fmt(v.get("cv")),
            fmt(v.get("validation")),
            fmt(v.get("test")),
            v.get("goldVersion"),
            v.get("runDate"),
            v.get("created"));
      }
    }
  }

  private static String fmt(Object v) {
    return v == null ? "-" : String.format(java.util.Locale.ROOT, "%.4f", (Double) v);
  }
}
