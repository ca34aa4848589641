package io.lakeml.core;

import io.lakeml.config.Json;
import io.lakeml.model.Drift;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * What monitor compares scored rows with: the training rows of one gold version (its training
 * split, by key, in the silver version gold was prepared from) as the numeric features' decile
 * edges and every feature's shares per bin or category. The same numbers for every model trained on
 * that gold version, so they are stored once per gold version ({@link
 * LakeCatalog#trainingReference}): by prepare, which has the rows at hand when it writes gold, or
 * by monitor on the first night that finds none. A cache: a missing or unreadable file is computed
 * again. Doubles written by Jackson read back exactly, so a PSI from the file equals one
 * recomputed.
 */
public record TrainingReference(
    long silverVersion,
    long goldVersion,
    List<String> key,
    Map<String, Boolean> features,
    Map<String, double[]> edges,
    Map<String, Map<String, Double>> expected) {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(TrainingReference.class);

  /** A reference of these inputs holding {@code computed}. */
  public static TrainingReference of(
      long silverVersion,
      long goldVersion,
      List<String> key,
      Map<String, Boolean> features,
      Drift.Expected computed) {
    return new TrainingReference(
        silverVersion, goldVersion, key, features, computed.edges(), computed.shares());
  }

  /** True when it was computed from these silver and gold versions, key and features. */
  public boolean matches(long silver, long gold, List<String> keys, Map<String, Boolean> wanted) {
    return silverVersion == silver
        && goldVersion == gold
        && key.equals(keys)
        && features.equals(wanted);
  }

  /** The stored reference, if there is one and it reads; a cache, so never a failure. */
  public static Optional<TrainingReference> read(SparkSession spark, String path) {
    Path p = new Path(path);
    try {
      FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(p)) {
        return Optional.empty();
      }
      try (InputStream in = fs.open(p)) {
        return Optional.of(Json.MAPPER.readValue(in, TrainingReference.class));
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("recomputing the training distributions: cannot read {}: {}", path, e);
      return Optional.empty();
    }
  }

  /** Stores it for the next readers; a failure only costs them the computation. */
  public void write(SparkSession spark, String path) {
    Path p = new Path(path);
    try {
      WholeFiles.write(
          p.getFileSystem(spark.sparkContext().hadoopConfiguration()),
          p,
          Json.MAPPER.writeValueAsBytes(this));
    } catch (IOException | RuntimeException e) {
      LOG.warn("could not store the training distributions at {}: {}", path, e);
    }
  }
}
