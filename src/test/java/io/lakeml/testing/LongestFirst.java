package io.lakeml.testing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.ClassDescriptor;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.ClassOrdererContext;

/**
 * Orders test classes so that the two classes running at a time (junit-platform.properties) start
 * with the long ones and end with short ones: otherwise the suite's last minute or two can be one
 * long class alone on one core. JUnit's fork-join executor hands the list to its two threads from
 * both ends (one takes from the front, the other from the back), so the longest classes go to both
 * ends, alternately, and the short ones meet in the middle.
 *
 * <p>The weights are the seconds each class took in a whole suite (2 cores, two at a time,
 * 2026-12-07). They only order; a class not listed counts as short, and a wrong weight costs time,
 * never a result.
 */
public final class LongestFirst implements ClassOrderer {
  private static final Map<String, Integer> SECONDS =
      Map.ofEntries(
          Map.entry("DeployTest", 128),
          Map.entry("BenchTest", 105),
          Map.entry("PrepareTest", 96),
          Map.entry("QuickStartTest", 83),
          Map.entry("NightlyTest", 79),
          Map.entry("TuneTest", 71),
          Map.entry("BiasTest", 52),
          Map.entry("MonitorTest", 48),
          Map.entry("ExportQuirksTest", 48),
          Map.entry("DeletionVectorsTest", 46),
          Map.entry("XgboostTest", 34),
          Map.entry("KillAndRerunTest", 30),
          Map.entry("ThresholdTest", 28),
          Map.entry("HdfsLakeTest", 28),
          Map.entry("FatalErrorTest", 28),
          Map.entry("ModelMetricsTest", 25),
          Map.entry("OperatorCommandsTest", 18),
          Map.entry("DeltaTablesTest", 16),
          Map.entry("EtlTest", 13),
          Map.entry("IncrementalAndSnapshotTest", 12));

  static int seconds(ClassDescriptor c) {
    return SECONDS.getOrDefault(c.getTestClass().getSimpleName(), 0);
  }

  @Override
  public void orderClasses(ClassOrdererContext context) {
    List<ClassDescriptor> byWeight = new ArrayList<>(context.getClassDescriptors());
    // stable: equal weights keep JUnit's own order
    byWeight.sort(Comparator.comparingInt(LongestFirst::seconds).reversed());
    List<ClassDescriptor> front = new ArrayList<>();
    List<ClassDescriptor> back = new ArrayList<>();
    for (int i = 0; i < byWeight.size(); i++) {
      (i % 2 == 0 ? front : back).add(byWeight.get(i));
    }
    List<ClassDescriptor> ordered = new ArrayList<>(front);
    for (int i = back.size() - 1; i >= 0; i--) {
      ordered.add(back.get(i));
    }
    @SuppressWarnings("unchecked")
    List<ClassDescriptor> target = (List<ClassDescriptor>) context.getClassDescriptors();
    target.clear();
    target.addAll(ordered);
  }
}
