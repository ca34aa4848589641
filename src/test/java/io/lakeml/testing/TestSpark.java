package io.lakeml.testing;

import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/**
 * The one local SparkSession of the test JVM (Surefire runs all classes in one fork), so only the
 * first class pays the start-up. Jobs under test get it back from {@code
 * SparkSessions.getOrCreate}.
 */
public final class TestSpark {
  private static SparkSession spark;

  private TestSpark() {}

  public static synchronized SparkSession session() {
    if (spark == null) {
      Path local = TestProject.projectDir().resolve("target/tmp/spark-local");
      spark =
          SparkSession.builder()
              .master("local[2]")
              .appName("lakeml-tests")
              .config("spark.ui.enabled", "false")
              .config("spark.ui.showConsoleProgress", "false")
              .config("spark.sql.shuffle.partitions", "2")
              .config("spark.sql.ui.explainMode", "simple")
              .config("spark.default.parallelism", "2")
              .config("spark.driver.host", "127.0.0.1")
              .config("spark.driver.bindAddress", "127.0.0.1")
              .config("spark.local.dir", local.toString())
              .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
              .config(
                  "spark.sql.catalog.spark_catalog",
                  "org.apache.spark.sql.delta.catalog.DeltaCatalog")
              .config("spark.sql.session.timeZone", "UTC")
              // Delta reconstructs table state with 50 partitions by default: far too many for
              // test-sized tables (one, as conf/local.conf)
              .config("spark.databricks.delta.snapshotPartitions", "1")
              // test data is tiny: compiling generated code for every query costs more than it
              // saves
              .config("spark.sql.codegen.wholeStage", "false")
              .config("spark.sql.codegen.factoryMode", "NO_CODEGEN")
              // the suite runs the same jobs over and over: keep their generated classes instead of
              // recompiling them with Janino once the default 100-entry cache is full
              .config("spark.sql.codegen.cache.maxEntries", "5000")
              .getOrCreate();
    }
    return spark;
  }

  /** What {@link #inChainOfItsOwn} runs. */
  public interface Body {
    void run(SparkSession spark) throws Exception;
  }

  /**
   * Runs {@code body} with a session of its own, as a test command runs ({@code
   * SparkSessions.isolated}), with {@code config}'s settings: what it changes in that session is no
   * other class's, and the commands it runs continue the same chain.
   */
  public static void inChainOfItsOwn(
      io.lakeml.config.LakemlConfig config, String appName, Body body) {
    session();
    io.lakeml.core.SparkSessions.isolated(
        () -> {
          try {
            body.run(io.lakeml.core.SparkSessions.getOrCreate(config, appName));
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
          return null;
        });
  }
}
