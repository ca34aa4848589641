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
   * with the configured SQL settings, and every later one returns it. Chains running side by side
   * in one application then share the SparkContext (executors, cached blocks, Delta's log cache)
   * but not SQL settings, such as the commit metadata a stage sets or the small-input settings, nor
   * temporary views. Called again on a thread that already runs a chain, it continues that chain.
   */
  public static <T> T isolated(java.util.function.Supplier<T> body) {
    if (CHAIN.get() != null) {
      return body.get();
    }
    scala.Option<SparkSession> before = SparkSession.getActiveSession();
    CHAIN.set(new SparkSession[1]);
    try {
      return body.get();
    } finally {
      CHAIN.remove();
      if (before.isDefined()) {
        SparkSession.setActiveSession(before.get());
      } else {
        SparkSession.clearActiveSession();
      }
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
    SparkSession[] chain = CHAIN.get();
    if (chain != null && chain[0] != null) {
      return chain[0];
    }
    if (chain != null) {
      scala.Option<SparkSession> running = SparkSession.getActiveSession();
      if (running.isEmpty()) {
        running = SparkSession.getDefaultSession();
      }
      if (running.isDefined()) {
        // a chain beside others in a running application: its settings go to its own session only,
        // never to the session the others were made from
        chain[0] = running.get().newSession();
        org.apache.spark.sql.RuntimeConfig conf = chain[0].conf();
        for (Map.Entry<String, String> e : config.spark().conf().entrySet()) {
          if (org.apache.spark.sql.internal.SQLConf.isStaticConfigKey(e.getKey())) {
            continue; // fixed when the application started, as getOrCreate's builder skips it
          }
          try {
            conf.set(e.getKey(), e.getValue());
          } catch (Exception refused) { // Scala's AnalysisException is checked to javac
            if (!(refused instanceof org.apache.spark.sql.AnalysisException)) {
              throw refused;
            }
            // a Spark core setting (spark.executor.*): the application's, set when it started
          }
        }
        // Delta and MLlib look the session up as the thread's active one (inherited by their
        // threads)
        SparkSession.setActiveSession(chain[0]);
        return chain[0];
      }
    }
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
    if (chain == null) {
      return session;
    }
    chain[0] = session.newSession();
    SparkSession.setActiveSession(chain[0]);
    return chain[0];
  }
}
