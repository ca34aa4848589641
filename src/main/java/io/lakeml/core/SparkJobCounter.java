package io.lakeml.core;

import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;

/**
 * Counts the Spark jobs each run starts (by job group), so each stage's summary can say how many it
 * ran (a small dataset's time goes mostly to jobs' fixed costs, not to its rows). One listener per
 * context.
 */
public final class SparkJobCounter extends SparkListener {
  private static SparkJobCounter current;
  private static SparkContext counted;

  /** Per job group (a run's id): chains running side by side in one application count apart. */
  private final java.util.concurrent.ConcurrentHashMap<String, AtomicLong> byGroup =
      new java.util.concurrent.ConcurrentHashMap<>();

  private SparkJobCounter() {}

  /** The counter of this context, registered on first use. */
  public static synchronized SparkJobCounter of(SparkContext sc) {
    if (counted != sc) {
      current = new SparkJobCounter();
      sc.addSparkListener(current);
      counted = sc;
    }
    return current;
  }

  /**
   * Jobs started so far under the job group {@code group} (a run's id, see {@link Runner}); the
   * listener bus is asynchronous, so a job started a moment ago may not be counted yet.
   */
  public long jobs(String group) {
    AtomicLong n = byGroup.get(group);
    return n == null ? 0 : n.get();
  }

  /** Forgets a finished group's count. */
  public void forget(String group) {
    byGroup.remove(group);
  }

  @Override
  public void onJobStart(SparkListenerJobStart e) {
    String group =
        e.properties() == null
            ? null
            : e.properties()
                .getProperty(
                    "spark.jobGroup.id"); // SparkContext.SPARK_JOB_GROUP_ID, not visible from Java
    if (group != null) {
      byGroup.computeIfAbsent(group, g -> new AtomicLong()).incrementAndGet();
    }
  }
}
