package io.lakeml.core;

import io.lakeml.config.LakemlConfig;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/** Builds the one SparkSession of a run, with Delta enabled and the configured settings. */
public final class SparkSessions {
  private static final java.util.concurrent.ConcurrentHashMap<
          java.nio.file.Path, java.util.concurrent.atomic.AtomicInteger>
      REQUESTS = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * The session of the chain running on this thread, when it runs {@link #isolated}; null
   * otherwise.
   */
  private static final ThreadLocal<SparkSession[]> CHAIN = new ThreadLocal<>();

  private SparkSessions() {}

  /**
   * Runs {@code body} (one dataset's chain of stages) with a session of its own: the first request
   * on this thread makes a {@link SparkSession#newSession() new session} of the shared application,
   * and every later one returns it. Chains running side by side in one application then share the
   * SparkContext (executors, cached blocks, Delta's log cache) but not SQL settings, such as the
   * commit metadata a stage sets or the small-input settings, nor temporary views.
   */
  public static <T> T isolated(java.util.function.Supplier<T> body) {
    CHAIN.set(new SparkSession[1]);
    try {
      return body.get();
    } finally {
      CHAIN.remove();
      SparkSession.clearActiveSession();
    }
  }

  /**
   * How many times a session was requested in this JVM by commands of the project (configuration
   * folder's parent) {@code projectDir}: lets tests prove that a command decides before Spark, even
   * while other tests run commands of other projects at the same time.
   */
  public static int requests(java.nio.file.Path projectDir) {
    java.util.concurrent.atomic.AtomicInteger n =
        REQUESTS.get(projectDir.toAbsolutePath().normalize());
    return n == null ? 0 : n.get();
  }

  /**
   * Returns the active session if there is one (tests share one per JVM), otherwise builds one.
   * {@code spark.master} from configuration applies only when spark-submit did not set it.
   */
  public static SparkSession getOrCreate(LakemlConfig config, String appName) {
    REQUESTS
        .computeIfAbsent(
            config.projectDir().toAbsolutePath().normalize(),
            k -> new java.util.concurrent.atomic.AtomicInteger())
        .incrementAndGet();
    LocalFiles.install();
    SparkSession.Builder builder = SparkSession.builder().appName(appName);
    SparkConf launcherConf = new SparkConf(); // spark.* system properties set by spark-submit
    if (!launcherConf.contains("spark.master")) {
      builder.master(config.spark().master());
    }
    builder
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config(
            "spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .config("spark.sql.session.timeZone", "UTC");
    for (Map.Entry<String, String> e : config.spark().conf().entrySet()) {
      builder.config(e.getKey(), e.getValue());
    }
    SparkSession session = builder.getOrCreate();
    SparkSession[] chain = CHAIN.get();
    if (chain == null) {
      return session;
    }
    if (chain[0] == null) {
      chain[0] = session.newSession();
      // Delta and MLlib look the session up as the thread's active one (inherited by their threads)
      SparkSession.setActiveSession(chain[0]);
    }
    return chain[0];
  }
}
