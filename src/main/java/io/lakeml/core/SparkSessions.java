package io.lakeml.core;

import io.lakeml.config.LakemlConfig;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/** Builds the one SparkSession of a run, with Delta enabled and the configured settings. */
public final class SparkSessions {
  private static final java.util.concurrent.ConcurrentHashMap<java.nio.file.Path, java.util.concurrent.atomic.AtomicInteger> REQUESTS =
      new java.util.concurrent.ConcurrentHashMap<>();

  private SparkSessions() {}

  /**
   * How many times a session was requested in this JVM by commands of the project (configuration
   * folder's parent) {@code projectDir}: lets tests prove that a command decides before Spark, even
   * while other tests run commands of other projects at the same time.
   */
  public static int requests(java.nio.file.Path projectDir) {
    java.util.concurrent.atomic.AtomicInteger n = REQUESTS.get(projectDir.toAbsolutePath().normalize());
    return n == null ? 0 : n.get();
  }

  /**
   * Returns the active session if there is one (tests share one per JVM), otherwise builds one.
   * {@code spark.master} from configuration applies only when spark-submit did not set it.
   */
  public static SparkSession getOrCreate(LakemlConfig config, String appName) {
    REQUESTS.computeIfAbsent(config.projectDir().toAbsolutePath().normalize(), k -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet();
    SparkSession.Builder builder = SparkSession.builder().appName(appName);
    SparkConf launcherConf = new SparkConf(); // spark.* system properties set by spark-submit
    if (!launcherConf.contains("spark.master")) {
      builder.master(config.spark().master());
    }
    builder.config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .config("spark.sql.session.timeZone", "UTC");
    for (Map.Entry<String, String> e : config.spark().conf().entrySet()) {
      builder.config(e.getKey(), e.getValue());
    }
    return builder.getOrCreate();
  }
}
