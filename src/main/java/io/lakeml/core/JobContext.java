package io.lakeml.core;

import io.lakeml.config.DatasetConfig;
import io.lakeml.config.LakemlConfig;
import java.time.LocalDate;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What a job gets from the runner: session, configuration, catalog and run identity. */
public record JobContext(
    SparkSession spark, LakemlConfig config, LakeCatalog catalog, String jobName, String runId, LocalDate runDate, long startNanos) {
  private static final Logger LOG = LoggerFactory.getLogger("lakeml.progress");

  public DatasetConfig dataset() {
    return config.requireDataset();
  }

  /**
   * Labels the Spark work that follows (visible in the Spark UI and history server) and logs a
   * progress line to stderr.
   */
  public void step(String description) {
    String label = jobName + " " + config.dataset().map(DatasetConfig::name).orElse("-") + " [" + runDate + "]: " + description;
    spark.sparkContext().setJobGroup(runId, label, false);
    LOG.info("{} (elapsed {} ms)", label, (System.nanoTime() - startNanos) / 1_000_000);
  }
}
