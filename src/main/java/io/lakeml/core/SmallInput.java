package io.lakeml.core;

import io.lakeml.config.DatasetConfig;
import io.lakeml.config.LakemlConfig;
import io.lakeml.config.Settings;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.RuntimeConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;

/**
 * The session settings of a small dataset ({@code spark.small-input}), chosen from the size of its
 * input before the stage starts and restored after it: a stage's fixed costs (generating and
 * compiling code for each query) outweigh its work on a few thousand rows.
 */
final class SmallInput {
  private static final Logger LOG = LoggerFactory.getLogger(SmallInput.class);

  private SmallInput() {}

  /**
   * Bytes of the dataset's input: its landing folder, or for a JDBC source its bronze table (all
   * its files, an upper bound of one version); -1 when there is none yet.
   */
  static long inputBytes(LakemlConfig config, Configuration hadoop) throws IOException {
    DatasetConfig ds = config.requireDataset();
    LakeCatalog catalog = LakeCatalog.of(config);
    Path input =
        new Path(
            ds.source().format() == DatasetConfig.Format.JDBC
                ? catalog.bronze(ds.name()).path()
                : catalog.landing(ds));
    FileSystem fs = input.getFileSystem(hadoop);
    return fs.exists(input) ? fs.getContentSummary(input).getLength() : -1;
  }

  /**
   * The settings to apply for this run: empty when the dataset is not small, or its size cannot be
   * read.
   */
  static Map<String, String> settings(LakemlConfig config) {
    Settings.SmallInput small = config.spark().smallInput();
    if (small.maxMb() <= 0 || small.conf().isEmpty() || config.dataset().isEmpty()) {
      return Map.of();
    }
    try {
      long bytes = inputBytes(config, LakeState.hadoop(config));
      return bytes >= 0 && bytes <= small.maxMb() * 1024L * 1024L ? small.conf() : Map.of();
    } catch (IOException | RuntimeException e) {
      LOG.warn(
          "could not measure the input of {} ({}); running without the small-input settings",
          config.requireDataset().name(),
          e.toString());
      return Map.of();
    }
  }

  /**
   * Sets {@code settings} on the session and returns what they replaced (null: was unset), for
   * {@link #restore}.
   */
  static Map<String, String> apply(RuntimeConfig conf, Map<String, String> settings) {
    Map<String, String> before = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : settings.entrySet()) {
      Option<String> old = conf.getOption(e.getKey());
      before.put(e.getKey(), old.isDefined() ? old.get() : null);
      conf.set(e.getKey(), e.getValue());
    }
    return before;
  }

  static void restore(RuntimeConfig conf, Map<String, String> before) {
    before.forEach(
        (k, v) -> {
          if (v == null) {
            conf.unset(k);
          } else {
            conf.set(k, v);
          }
        });
  }
}
