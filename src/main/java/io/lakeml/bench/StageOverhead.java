package io.lakeml.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What it costs that every nightly stage is its own Spark application, on a small dataset where the
 * data work is negligible: the same nightly run once with a JVM per stage and once in one warm JVM,
 * per stage split into JVM start, session, first-use warm-up and ledger, medians over repeats. Pure
 * arithmetic over the two nightly summaries, so it is tested without Spark.
 */
public final class StageOverhead {
  private StageOverhead() {}

  /** One repeat: the two nightly summaries and each nightly's wall time. */
  public record Pair(
      Map<String, Object> separate,
      double separateSeconds,
      Map<String, Object> inProcess,
      double inProcessSeconds) {}

  /** Per stage medians; fails when a nightly did not succeed (its numbers would mean nothing). */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> analyse(List<Pair> runs) {
    if (runs.isEmpty()) {
      throw new IllegalArgumentException("no runs to analyse");
    }
    Map<String, List<Map<String, Double>>> perStage = new LinkedHashMap<>();
    List<Double> sepTotal = new ArrayList<>();
    List<Double> inTotal = new ArrayList<>();
    for (Pair p : runs) {
      for (Map<String, Object> s : List.of(p.separate(), p.inProcess())) {
        if (!"SUCCEEDED".equals(s.get("status"))) {
          throw new IllegalStateException(
              "a nightly of the overhead bench did not succeed: " + s.get("message"));
        }
      }
      sepTotal.add(p.separateSeconds());
      inTotal.add(p.inProcessSeconds());
      Map<String, Map<String, Object>> warm = new LinkedHashMap<>();
      for (Map<String, Object> st : (List<Map<String, Object>>) p.inProcess().get("stages")) {
        warm.put((String) st.get("job"), st);
      }
      for (Map<String, Object> st : (List<Map<String, Object>>) p.separate().get("stages")) {
        String job = (String) st.get("job");
        Map<String, Object> w = warm.get(job);
        Map<String, Object> t = (Map<String, Object>) st.get("timings");
        if (w == null || t == null || st.get("processMs") == null) {
          throw new IllegalStateException(
              "stage " + job + " lacks its timings in one of the nightly summaries");
        }
        Map<String, Double> m = new LinkedHashMap<>();
        double process = num(st.get("processMs"));
        double own = num(st.get("durationMs"));
        double session = num(t.get("sessionMs"));
        double ledger = num(t.get("ledgerMs"));
        double warmDuration = num(w.get("durationMs"));
        m.put("processSeconds", process / 1000);
        // JVM start and exit, launcher, class loading and configuration: all the process did
        // outside the stage
        m.put("launchSeconds", (process - own - ledger) / 1000);
        m.put("jvmUptimeAtStartSeconds", num(t.get("jvmUptimeMs")) / 1000);
        m.put("sessionSeconds", session / 1000);
        // the same work takes longer in a fresh JVM: first use of Spark SQL, Delta and code
        // generation
        m.put("warmUpSeconds", (own - session - warmDuration) / 1000);
        m.put("ledgerSeconds", ledger / 1000);
        m.put("stageSeconds", own / 1000);
        m.put("warmStageSeconds", warmDuration / 1000);
        m.put("overheadSeconds", (process - warmDuration) / 1000);
        perStage.computeIfAbsent(job, k -> new ArrayList<>()).add(m);
      }
    }
    Map<String, Object> median = new LinkedHashMap<>();
    double overhead = 0;
    for (Map.Entry<String, List<Map<String, Double>>> e : perStage.entrySet()) {
      Map<String, Double> m = new LinkedHashMap<>();
      for (String k : e.getValue().get(0).keySet()) {
        m.put(k, round(median(e.getValue().stream().map(x -> x.get(k)).toList())));
      }
      overhead += m.get("overheadSeconds");
      median.put(e.getKey(), m);
    }
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("repeat", runs.size());
    r.put("stages", median);
    r.put("separateNightlySeconds", round(median(sepTotal)));
    r.put("inProcessNightlySeconds", round(median(inTotal)));
    r.put("overheadSeconds", round(overhead));
    return r;
  }

  /** The analysis as a markdown table. */
  @SuppressWarnings("unchecked")
  public static String markdown(Map<String, Object> a) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "Whole nightly: %.1f s with a JVM per stage, %.1f s in one JVM (`nightly --in-process`); medians of %s run(s).%n%n",
            num(a.get("separateNightlySeconds")),
            num(a.get("inProcessNightlySeconds")),
            a.get("repeat")));
    b.append(
        "| stage | own JVM: process s | launch s | session s | warm-up s | stage s | ledger s | same stage in a warm JVM s | overhead s |\n");
    b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Map.Entry<String, Object> e : ((Map<String, Object>) a.get("stages")).entrySet()) {
      Map<String, Object> m = (Map<String, Object>) e.getValue();
      b.append(
          String.format(
              Locale.ROOT,
              "| %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f |%n",
              e.getKey(),
              num(m.get("processSeconds")),
              num(m.get("launchSeconds")),
              num(m.get("sessionSeconds")),
              num(m.get("warmUpSeconds")),
              num(m.get("stageSeconds")),
              num(m.get("ledgerSeconds")),
              num(m.get("warmStageSeconds")),
              num(m.get("overheadSeconds"))));
    }
    b.append(
        String.format(
            Locale.ROOT,
            "%nOverhead of separate applications, all stages: %.1f s. ",
            num(a.get("overheadSeconds"))));
    b.append(
            "launch = process − stage − ledger (JVM start and exit, launcher, configuration); session = getting the Spark session; ")
        .append(
            "warm-up = stage − session − the same stage in a warm JVM (first use of Spark SQL, Delta and code generation); ")
        .append(
            "overhead = process − the same stage in a warm JVM. The in-process nightly's first stage pays the session and warm-up too.\n");
    return b.toString();
  }

  private static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    s.sort(Double::compare);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  private static double round(double x) {
    return Math.round(x * 1000) / 1000.0;
  }

  private static double num(Object o) {
    return o == null ? Double.NaN : ((Number) o).doubleValue();
  }
}
