package io.lakeml.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The bench report as markdown: the machine, then per size a table of medians and the ratios. */
final class BenchMarkdown {
  private BenchMarkdown() {}

  @SuppressWarnings("unchecked")
  static String render(Map<String, Object> report) {
    StringBuilder b = new StringBuilder();
    Map<String, Object> machine = (Map<String, Object>) report.get("machine");
    b.append("# lakeml bench: ").append(report.get("dataset")).append("\n\n");
    b.append("Started ")
        .append(report.get("startedAt"))
        .append(", finished ")
        .append(report.get("finishedAt"))
        .append(". ");
    b.append("Medians of ").append(report.get("repeat")).append(" run(s) per size.\n\n");
    b.append("Machine: ")
        .append(machine.get("cores"))
        .append(" cores, ")
        .append(machine.get("memoryGiB"))
        .append(" GiB, ")
        .append(machine.get("jvm"))
        .append(", Spark ")
        .append(machine.get("spark"))
        .append(", driver heap max ")
        .append(machine.get("driverMaxHeapMb"))
        .append(" MB, load average at start ")
        .append(machine.get("loadAverageAtStart"))
        .append(".\n\nPeer: ")
        .append(report.get("peer"))
        .append("\n");
    for (Map<String, Object> size : (List<Map<String, Object>>) report.get("sizes")) {
      long rows = ((Number) size.get("rows")).longValue();
      Map<String, Map<String, Object>> med = (Map<String, Map<String, Object>>) size.get("median");
      b.append(String.format(Locale.ROOT, "%n## %,d rows%n%n", rows));
      Map<String, Object> gen = (Map<String, Object>) size.get("generate");
      b.append(
          String.format(
              Locale.ROOT,
              "Generated in %.1f s (label rate %s).%n%n",
              num(gen.get("wallSeconds")),
              gen.get("labelRate")));
      b.append(
          "| step | wall s | rows/s | CPU util | peak heap MB | Spark jobs | task s | fits | s/fit |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
      for (Map.Entry<String, Map<String, Object>> e : med.entrySet()) {
        Map<String, Object> m = e.getValue();
        if (e.getKey().equals("peer")) {
          b.append(
              String.format(
                  Locale.ROOT,
                  "| scikit-learn GridSearchCV (%s rows, n_jobs=%s) | %.2f | | | | | | %s | %s |%n",
                  fmt(m.get("rows")),
                  fmt(m.get("nJobs")),
                  num(m.get("seconds")),
                  fmt(m.get("fits")),
                  m.get("fits") == null
                      ? ""
                      : String.format(
                          Locale.ROOT, "%.3f", num(m.get("seconds")) / num(m.get("fits")))));
          continue;
        }
        if (e.getKey().equals("treePeer.script")) {
          b.append(
              String.format(
                  Locale.ROOT,
                  "| scikit-learn tree peer, whole script as a process (%s rows; reading %.2f s) | %.2f | | | | | | | |%n",
                  fmt(m.get("rows")),
                  num(m.get("loadSeconds")),
                  num(m.get("processSeconds"))));
          continue;
        }
        if (e.getKey().startsWith("treePeer.")) {
          b.append(
              String.format(
                  Locale.ROOT,
                  "| scikit-learn %s GridSearchCV, refit included (best CV AUC %s) | %.2f | | | | | | %s | %s |%n",
                  e.getKey().substring("treePeer.".length()),
                  fmt(m.get("bestAuc")),
                  num(m.get("seconds")),
                  fmt(m.get("fits")),
                  m.get("fits") == null
                      ? ""
                      : String.format(
                          Locale.ROOT, "%.3f", num(m.get("seconds")) / num(m.get("fits")))));
          continue;
        }
        b.append(
            String.format(
                Locale.ROOT,
                "| %s | %.2f | %s | %.2f | %s | %s | %s | %s | %s |%n",
                e.getKey(),
                num(m.get("wallSeconds")),
                fmt(m.get("rowsPerSecond")),
                num(m.get("cpuUtilization")),
                fmt(m.get("peakHeapMb")),
                fmt(m.get("sparkJobs")),
                fmt(m.get("taskSeconds")),
                fmt(m.get("fits")),
                fmt(m.get("secondsPerFit"))));
      }
      b.append("\n");
      ratios(med).forEach((k, v) -> b.append("- ").append(k).append(": ").append(v).append("\n"));
    }
    return b.toString();
  }

  /** The ratios the targets are stated in. */
  static Map<String, String> ratios(Map<String, Map<String, Object>> med) {
    Map<String, String> r = new java.util.LinkedHashMap<>();
    Double ingest = wall(med, "ingest");
    Double etl = wall(med, "etl");
    Double base = wall(med, "baseline.ingest");
    if (ingest != null && etl != null && base != null) {
      r.put(
          "ingest + etl rows/s ÷ bare-Spark landing→Delta rows/s (target ≥ 0.8)",
          String.format(Locale.ROOT, "%.2f", base / (ingest + etl)));
    }
    Double p1 = search(med, "lrSearchParallelism1");
    Double p2 = search(med, "lrSearchParallelism2");
    if (p1 != null && p2 != null) {
      Object cached = med.get("lrSearchParallelism1").get("trainCachedMb");
      r.put(
          "logistic-regression search, speedup of parallelism 2 over 1",
          String.format(
              Locale.ROOT,
              "%.2f× (%.1f s vs %.1f s)%s",
              p1 / p2,
              p1,
              p2,
              cached instanceof Number mb
                  ? String.format(Locale.ROOT, "; cached training split %.1f MB", mb.doubleValue())
                  : ""));
    }
    Double cv = wall(med, "baseline.crossValidation");
    if (p2 != null && cv != null) {
      r.put(
          "lakeml search ÷ bare-Spark CrossValidator (same grid)",
          String.format(Locale.ROOT, "%.2f", p2 / cv));
    }
    Map<String, Object> peer = med.get("peer");
    if (peer != null && p2 != null) {
      double sk = num(peer.get("seconds"));
      r.put(
          "lakeml search, CrossValidator at parallelism 2, ÷ scikit-learn GridSearchCV",
          String.format(
              Locale.ROOT,
              "%.2f (%.1f s vs %.1f s; best CV AUC %s vs %s)",
              p2 / sk,
              p2,
              sk,
              fmt(med.get("lrSearchParallelism2").get("cvMetric")),
              fmt(peer.get("bestAuc"))));
    }
    Double shared = search(med, "lrSearchSharedPass");
    if (shared != null && p2 != null) {
      r.put(
          "lakeml search in shared passes ÷ CrossValidator at parallelism 2",
          String.format(
              Locale.ROOT,
              "%.2f (%.1f s vs %.1f s; best CV AUC %s vs %s)",
              shared / p2,
              shared,
              p2,
              fmt(med.get("lrSearchSharedPass").get("cvMetric")),
              fmt(med.get("lrSearchParallelism2").get("cvMetric"))));
    }
    if (shared != null && peer != null) {
      double sk = num(peer.get("seconds"));
      Map<String, Object> sp = med.get("lrSearchSharedPass");
      r.put(
          "lakeml search in shared passes (the default) ÷ scikit-learn GridSearchCV (target ≤ 1.5 at 1M rows, ≤ 1 at 10M)",
          String.format(
              Locale.ROOT,
              "%.2f (%.1f s vs %.1f s; best CV AUC %s vs %s; iterations per fit %.1f vs %.1f)",
              shared / sk,
              shared,
              sk,
              fmt(sp.get("cvMetric")),
              fmt(peer.get("bestAuc")),
              num(sp.get("iterationsPerFit")),
              num(peer.get("iterationsPerFit"))));
    }
    trees(med, r);
    List<String> cpu = new java.util.ArrayList<>();
    for (String step :
        List.of("lrSearchParallelism1", "lrSearchParallelism2", "lrSearchSharedPass")) {
      Map<String, Object> m = med.get(step);
      if (m != null && m.get("searchCpuUtilization") != null) {
        cpu.add(String.format(Locale.ROOT, "%s %.2f", step, num(m.get("searchCpuUtilization"))));
      }
    }
    if (!cpu.isEmpty()) {
      r.put(
          "CPU utilization during the search alone, process CPU ÷ (search wall × cores) (target ≥ 0.9)",
          String.join(", ", cpu));
    }
    Map<String, Object> lr = med.get("lrSearchParallelism1");
    if (peer != null
        && lr != null
        && lr.get("iterationsPerFit") != null
        && peer.get("iterationsPerFit") != null) {
      // fits run one after another at parallelism 1; the quotient includes the passes every fit
      // makes besides its iterations
      double lrIt = num(lr.get("iterations"));
      double skIt = num(peer.get("iterations"));
      r.put(
          "optimizer iterations per fit, lakeml (parallelism 1) vs scikit-learn; search seconds ÷ iterations, per-fit passes included",
          String.format(
              Locale.ROOT,
              "%.1f vs %.1f; %.4f s vs %.4f s (scikit-learn's at n_jobs=%s)",
              num(lr.get("iterationsPerFit")),
              num(peer.get("iterationsPerFit")),
              p1 / lrIt,
              num(peer.get("seconds")) / skIt,
              fmt(peer.get("nJobs"))));
    }
    double total = 0;
    boolean any = false;
    for (Map.Entry<String, Map<String, Object>> e : med.entrySet()) {
      if (!e.getKey().contains(".")
          && !e.getKey().startsWith("lrSearch")
          && !e.getKey().equals("peer")) {
        total += num(e.getValue().get("wallSeconds"));
        any = true;
      }
    }
    if (any) {
      r.put(
          "stages above together (the whole nightly when run to monitor), one JVM",
          String.format(Locale.ROOT, "%.1f s", total));
    }
    return r;
  }

  /**
   * Tree searches against scikit-learn: each side's search time includes its refit of the winner.
   */
  private static void trees(Map<String, Map<String, Object>> med, Map<String, String> r) {
    Double rf = search(med, "treeSearch.random-forest");
    Double xgb = search(med, "treeSearch.xgboost");
    Double gbt = search(med, "treeSearch.gradient-boosted-trees");
    Map<String, Object> rfPeer = med.get("treePeer.random-forest");
    Map<String, Object> hgbPeer = med.get("treePeer.hist-gradient-boosting");
    Map<String, Object> script = med.get("treePeer.script");
    if (xgb != null && hgbPeer != null) {
      r.put(
          "gradient boosting alone: XGBoost search ÷ scikit-learn HistGradientBoosting, same grid, refits included (target ≤ 1.5 at 1M rows, ≤ 1 at 10M)",
          vsPeer(med, "treeSearch.xgboost", hgbPeer));
    }
    if (gbt != null && hgbPeer != null) {
      r.put(
          "gradient boosting alone: MLlib GBT search ÷ scikit-learn HistGradientBoosting, same grid, refits included",
          vsPeer(med, "treeSearch.gradient-boosted-trees", hgbPeer));
    }
    if (xgb != null && gbt != null) {
      // the validation split decides between algorithms in tune, so it is what a configuration
      // choice rests on
      r.put(
          "MLlib GBT search ÷ XGBoost search (each its configured grid)",
          ratio(
                  gbt,
                  xgb,
                  med.get("treeSearch.gradient-boosted-trees").get("cvMetric"),
                  med.get("treeSearch.xgboost").get("cvMetric"))
              + String.format(
                  Locale.ROOT,
                  "; validation AUC %s vs %s",
                  fmt(med.get("treeSearch.gradient-boosted-trees").get("validationMetric")),
                  fmt(med.get("treeSearch.xgboost").get("validationMetric"))));
    }
    if (rf != null && rfPeer != null) {
      r.put(
          "random forest: MLlib search ÷ scikit-learn RandomForest, same grid, refits included",
          vsPeer(med, "treeSearch.random-forest", rfPeer));
    }
    Double forest = search(med, "treeSearch.xgboost-random-forest");
    if (forest != null && rfPeer != null) {
      // scikit-learn's forest gets the XGBoost forest's grid when MLlib's forest is not configured,
      // and MLlib's otherwise: the bench configures both with the same trees and depth
      r.put(
          "random forest through XGBoost ÷ scikit-learn RandomForest, refits included",
          vsPeer(med, "treeSearch.xgboost-random-forest", rfPeer));
      if (xgb != null && hgbPeer != null) {
        double peer = num(rfPeer.get("seconds")) + num(hgbPeer.get("seconds"));
        r.put(
            "tree search through XGBoost (xgboost-random-forest + xgboost) ÷ scikit-learn (RandomForest + HistGradientBoosting), refits included (target ≤ 1.0 at 1M rows)",
            String.format(
                Locale.ROOT, "%.2f (%.1f s vs %.1f s)", (forest + xgb) / peer, forest + xgb, peer));
        Double together = search(med, Bench.TREES_TOGETHER);
        if (together != null) {
          r.put(
              "the same two XGBoost searches in one tune, as the nightly runs them (one task, one matrix) ÷ scikit-learn (RandomForest + HistGradientBoosting), refits included",
              String.format(
                  Locale.ROOT, "%.2f (%.1f s vs %.1f s)", together / peer, together, peer));
        }
      }
    }
    String gb = xgb != null ? "treeSearch.xgboost" : "treeSearch.gradient-boosted-trees";
    Double boost = xgb != null ? xgb : gbt;
    if (rf != null && boost != null && rfPeer != null && hgbPeer != null) {
      double peer = num(rfPeer.get("seconds")) + num(hgbPeer.get("seconds"));
      r.put(
          "tree search (random forest + "
              + gb.substring("treeSearch.".length())
              + ") ÷ scikit-learn (RandomForest + HistGradientBoosting), refits included (target ≤ 1.0 at 1M rows)",
          String.format(
              Locale.ROOT, "%.2f (%.1f s vs %.1f s)", (rf + boost) / peer, rf + boost, peer));
    }
    if (script != null && rf != null && boost != null) {
      double jobs =
          num(med.get("treeSearch.random-forest").get("wallSeconds"))
              + num(med.get(gb).get("wallSeconds"));
      r.put(
          "whole tune commands (random forest and "
              + gb.substring("treeSearch.".length())
              + ", a job each, reading gold) ÷ the peer's whole script "
              + "(a process: imports, reading the CSV, both searches)",
          String.format(
              Locale.ROOT,
              "%.2f (%.1f s vs %.1f s)",
              jobs / num(script.get("processSeconds")),
              jobs,
              num(script.get("processSeconds"))));
    }
  }

  private static String ratio(double a, double b, Object aucA, Object aucB) {
    return String.format(
        Locale.ROOT,
        "%.2f (%.1f s vs %.1f s; best CV AUC %s vs %s)",
        a / b,
        a,
        b,
        fmt(aucA),
        fmt(aucB));
  }

  private static Double wall(Map<String, Map<String, Object>> med, String step) {
    Map<String, Object> m = med.get(step);
    return m == null || m.get("wallSeconds") == null ? null : num(m.get("wallSeconds"));
  }

  /** A tree search's time (refit included) and CV AUC against its scikit-learn peer's. */
  private static String vsPeer(
      Map<String, Map<String, Object>> med, String step, Map<String, Object> peer) {
    return ratio(
        search(med, step),
        num(peer.get("seconds")),
        med.get(step).get("cvMetric"),
        peer.get("bestAuc"));
  }

  private static Double search(Map<String, Map<String, Object>> med, String step) {
    Map<String, Object> m = med.get(step);
    return m == null || m.get("searchSeconds") == null ? null : num(m.get("searchSeconds"));
  }

  private static double num(Object o) {
    return o instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  private static String fmt(Object o) {
    if (o == null) {
      return "";
    }
    // whole numbers, and large ones such as the median of two rows/s figures (x.5), as grouped
    // integers
    if (o instanceof Number n
        && (n.doubleValue() == Math.rint(n.doubleValue()) || Math.abs(n.doubleValue()) >= 100)
        && Math.abs(n.doubleValue()) < 1e15) {
      return String.format(Locale.ROOT, "%,d", Math.round(n.doubleValue()));
    }
    return o instanceof Number n
        ? String.format(Locale.ROOT, "%.3f", n.doubleValue())
        : o.toString();
  }
}
