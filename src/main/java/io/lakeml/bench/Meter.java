package io.lakeml.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Measures one step in this JVM: wall time, process CPU time (all threads: Spark's local executor
 * runs inside the driver), CPU utilization = CPU / (wall × cores), and the peak driver heap in use,
 * sampled every 50 ms by a daemon thread (a sample, so a shorter spike can be missed).
 */
final class Meter {
  /** One measured step. */
  record Measurement(
      double wallSeconds,
      double cpuSeconds,
      double cpuUtilization,
      long peakHeapMb,
      long sparkJobs,
      long sparkTasks,
      double taskSeconds) {
    Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("wallSeconds", round(wallSeconds, 3));
      m.put("cpuSeconds", round(cpuSeconds, 3));
      m.put("cpuUtilization", round(cpuUtilization, 3));
      m.put("peakHeapMb", peakHeapMb);
      m.put("sparkJobs", sparkJobs);
      m.put("sparkTasks", sparkTasks);
      // time tasks ran (summed over tasks): wall × cores minus this is time the cores spent outside
      // tasks
      m.put("taskSeconds", round(taskSeconds, 3));
      return m;
    }
  }

  /**
   * Counts Spark jobs, tasks and task run time in this application (registered once per session).
   */
  static final class SparkCounter extends org.apache.spark.scheduler.SparkListener {
    final java.util.concurrent.atomic.AtomicLong jobs =
        new java.util.concurrent.atomic.AtomicLong();
    final java.util.concurrent.atomic.AtomicLong tasks =
        new java.util.concurrent.atomic.AtomicLong();
    final java.util.concurrent.atomic.AtomicLong taskMs =
        new java.util.concurrent.atomic.AtomicLong();

    @Override
    public void onJobStart(org.apache.spark.scheduler.SparkListenerJobStart e) {
      jobs.incrementAndGet();
    }

    @Override
    public void onTaskEnd(org.apache.spark.scheduler.SparkListenerTaskEnd e) {
      tasks.incrementAndGet();
      if (e.taskMetrics() != null) {
        taskMs.addAndGet(e.taskMetrics().executorRunTime());
      }
    }
  }

  private static SparkCounter counter;
  private static org.apache.spark.SparkContext counted;

  private static synchronized SparkCounter counter() {
    org.apache.spark.SparkContext sc = org.apache.spark.sql.SparkSession.active().sparkContext();
    if (counted != sc) {
      counter = new SparkCounter();
      sc.addSparkListener(counter);
      counted = sc;
    }
    return counter;
  }

  /** A measured step's value and its measurement. */
  record Measured<T>(T value, Measurement measurement) {}

  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

  private Meter() {}

  static int cores() {
    return Runtime.getRuntime().availableProcessors();
  }

  static <T> Measured<T> measure(Callable<T> step) throws Exception {
    long[] peak = {MEMORY.getHeapMemoryUsage().getUsed()};
    java.util.concurrent.atomic.AtomicBoolean running =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    Thread sampler =
        new Thread(
            () -> {
              while (running.get()) {
                peak[0] = Math.max(peak[0], MEMORY.getHeapMemoryUsage().getUsed());
                try {
                  Thread.sleep(50);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "lakeml-bench-heap-sampler");
    sampler.setDaemon(true);
    SparkCounter c = counter();
    // the listener bus is asynchronous: let events of earlier work arrive before the first snapshot
    waitForListeners();
    long jobs0 = c.jobs.get();
    long tasks0 = c.tasks.get();
    long taskMs0 = c.taskMs.get();
    long cpu0 = OS.getProcessCpuTime();
    long t0 = System.nanoTime();
    sampler.start();
    T value;
    try {
      value = step.call();
    } finally {
      running.set(false);
    }
    long wallNs = System.nanoTime() - t0;
    long cpuNs = OS.getProcessCpuTime() - cpu0;
    sampler.join(1000);
    waitForListeners();
    peak[0] = Math.max(peak[0], MEMORY.getHeapMemoryUsage().getUsed());
    double wall = wallNs / 1e9;
    double cpu = cpuNs / 1e9;
    return new Measured<>(
        value,
        new Measurement(
            wall,
            cpu,
            wall > 0 ? cpu / (wall * cores()) : 0,
            peak[0] / (1024 * 1024),
            c.jobs.get() - jobs0,
            c.tasks.get() - tasks0,
            (c.taskMs.get() - taskMs0) / 1000.0));
  }

  private static void waitForListeners() {
    // Spark-internal (private[spark], public in bytecode): a few ms when the bus is idle; bench
    // only
    try {
      org.apache.spark.sql.SparkSession.active()
          .sparkContext()
          .listenerBus()
          .waitUntilEmpty(10_000);
    } catch (java.util.concurrent.TimeoutException e) {
      // counts may then include a few late events of the previous step
    }
  }

  static double round(double v, int digits) {
    double f = Math.pow(10, digits);
    return Math.round(v * f) / f;
  }
}
