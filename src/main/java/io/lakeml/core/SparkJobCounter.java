package io.lakeml.core;

import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;

/**
 * Counts the Spark jobs an application starts, so each stage's summary can say how many it ran (a
 * small dataset's time goes mostly to jobs' fixed costs, not to its rows). One listener per context.
 */
public final class SparkJobCounter extends SparkListener {
  private static SparkJobCounter current;
  private static SparkContext counted;

  private final AtomicLong jobs = new AtomicLong();

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

  /** Jobs started so far (the listener bus is asynchronous: a job started a moment ago may not be counted yet). */
  public long jobs() {
    return jobs.get();
  }

  @Override
  public void onJobStart(SparkListenerJobStart e) {
    jobs.incrementAndGet();
  }
}
