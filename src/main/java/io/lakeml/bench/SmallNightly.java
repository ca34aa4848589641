package io.lakeml.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.lakeml.config.Json;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a small dataset's nightly costs, the numbers of {@code jobs/lakeml bench-small}: per repeat
 * the whole commands (launcher to exit) of a nightly from an empty lake, a same-date rerun and a
 * promote with nothing to promote, each beside the same command without one cut, so each cut's
 * share is measured in the same run. This class holds the medians and the markdown; the command
 * runs them.
 */
public final class SmallNightly {
  /**
   * The measured commands, in the report's order: key, what it is, and the key it is compared with.
   */
  public record Step(String key, String label, String without) {}

  public static final List<Step> STEPS =
      List.of(
          new Step("nightly", "nightly from an empty lake (local default: one application)", null),
          new Step(
              "nightlyGeneratedCode",
              "the same without the small-input settings (spark.small-input.max-mb=0: generated code)",
              null),
          new Step(
              "nightlyWithoutCds",
              "the same without class-data sharing (LAKEML_CDS=off: no class archive mapped)",
              null),
          new Step(
              "nightlyDefaultJit",
              "the same with the JVM's default JIT thresholds (LAKEML_JIT=default: C2 compiles code"
                  + " ten times sooner)",
              null),
          new Step("nightlySeparate", "the same with a JVM per stage (--separate)", null),
          new Step("rerun", "same-date rerun, every stage SKIPPED (decided without Spark)", null),
          new Step(
              "rerunWithSpark",
              "the same rerun deciding with Spark (lake.skip-unchanged=false)",
              null),
          new Step("rerunWithoutCds", "the same rerun without class-data sharing", null),
          new Step("promote", "promote with nothing to promote, own process", null),
          new Step(
              "promoteWithSpark",
              "the same deciding with Spark (lake.skip-unchanged=false)",
              null));

  private SmallNightly() {}

  /** The median of each step's seconds over the repeats (steps not measured are left out). */
  public static Map<String, Double> medians(List<Map<String, Double>> repeats) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (Step s : STEPS) {
      List<Double> values = new ArrayList<>();
      repeats.forEach(
          r -> {
            if (r.containsKey(s.key())) {
              values.add(r.get(s.key()));
            }
          });
      if (!values.isEmpty()) {
        values.sort(null);
        int n = values.size();
        m.put(
            s.key(),
            Meter.round(
                n % 2 == 1 ? values.get(n / 2) : (values.get(n / 2 - 1) + values.get(n / 2)) / 2,
                2));
      }
    }
    return m;
  }

  /**
   * The report: the medians, each cut's share, and per stage its seconds and Spark jobs in the
   * first nightly.
   */
  public static String markdown(
      Map<String, Double> medians,
      List<Map<String, Double>> repeats,
      List<Map<String, Object>> stages,
      boolean sameMetrics,
      long deltaCommits) {
    StringBuilder sb = new StringBuilder();
    sb.append("| command (whole process, launcher to exit) | median s | runs |\n|---|---:|---|\n");
    for (Step s : STEPS) {
      if (medians.containsKey(s.key())) {
        List<String> runs =
            repeats.stream()
                .filter(r -> r.containsKey(s.key()))
                .map(r -> fmt(r.get(s.key())))
                .toList();
        sb.append("| ")
            .append(s.label())
            .append(" | ")
            .append(fmt(medians.get(s.key())))
            .append(" | ")
            .append(String.join(", ", runs))
            .append(" |\n");
      }
    }
    sb.append("\nEach cut's share (medians):\n\n");
    share(sb, medians, "nightlySeparate", "nightly", "one application instead of a JVM per stage");
    share(
        sb,
        medians,
        "nightlyGeneratedCode",
        "nightly",
        "small-input settings (no generated code for a small dataset)");
    share(
        sb,
        medians,
        "nightlyWithoutCds",
        "nightly",
        "class-data sharing (the launcher's archive of the classes a run loads)");
    share(
        sb,
        medians,
        "nightlyDefaultJit",
        "nightly",
        "the launcher's JIT thresholds (C2 only for code ten times hotter than the default)");
    share(sb, medians, "rerunWithSpark", "rerun", "rerun decided without Spark");
    share(sb, medians, "rerunWithoutCds", "rerun", "class-data sharing, for the rerun");
    share(sb, medians, "promoteWithSpark", "promote", "promote decided without Spark");
    sb.append(
            "\nRegistry rows (`_system.models`) and predictions of the nightly with and without the small-input settings equal (numbers to 1e-9): **")
        .append(sameMetrics ? "yes" : "NO")
        .append("**. Delta commits in the first nightly's lake: ")
        .append(deltaCommits)
        .append(".\n");
    sb.append(
        "\nStages of the first nightly (one application):\n\n| stage | status | s | Spark jobs |\n|---|---|---:|---:|\n");
    for (Map<String, Object> st : stages) {
      Object timings = st.get("timings");
      Object jobs = timings instanceof Map<?, ?> t ? t.get("sparkJobs") : null;
      sb.append("| ")
          .append(st.get("job"))
          .append(" | ")
          .append(st.get("status"))
          .append(" | ")
          .append(fmt(((Number) st.get("durationMs")).doubleValue() / 1000))
          .append(" | ")
          .append(jobs == null ? "" : jobs)
          .append(" |\n");
    }
    return sb.toString();
  }

  /**
   * Whether two outputs of {@code lakeml sql} (JSON lines) hold the same rows, numbers equal to
   * 1e-9 relative: generated and interpreted code sum a column's values in another order, which
   * moves the 16th digit of a metric.
   */
  public static boolean sameRows(String a, String b) {
    try {
      ArrayNode left = rows(a);
      return !left.isEmpty() && left.equals(SAME_TO_1E9, rows(b));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return false;
    }
  }

  /** Jackson's recursive comparison of two trees calls this for each pair of leaves. */
  private static final Comparator<JsonNode> SAME_TO_1E9 =
      (x, y) -> {
        if (x.isNumber() && y.isNumber()) {
          double u = x.doubleValue();
          double v = y.doubleValue();
          return u == v || Math.abs(u - v) <= 1e-9 * Math.max(Math.abs(u), Math.abs(v)) ? 0 : 1;
        }
        return x.equals(y) ? 0 : 1;
      };

  private static ArrayNode rows(String jsonLines)
      throws com.fasterxml.jackson.core.JsonProcessingException {
    ArrayNode rows = Json.MAPPER.createArrayNode();
    for (String line : jsonLines.split("\n")) {
      if (!line.isBlank()) {
        rows.add(Json.MAPPER.readTree(line));
      }
    }
    return rows;
  }

  private static void share(
      StringBuilder sb, Map<String, Double> m, String before, String after, String what) {
    if (m.containsKey(before) && m.containsKey(after)) {
      double b = m.get(before);
      double a = m.get(after);
      sb.append("- ")
          .append(what)
          .append(": ")
          .append(fmt(b))
          .append(" s → ")
          .append(fmt(a))
          .append(" s (")
          .append(String.format(Locale.ROOT, "%.1f×", b / a))
          .append(" faster)\n");
    }
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }
}
