package io.lakeml.core;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.SparkSession;

/**
 * Fitted pipelines loaded once per application. Loading a saved {@link PipelineModel} reads each
 * stage's metadata and data through Spark (about twenty small Spark jobs for lakeml's pipelines),
 * and a nightly in one application used to load the same model in tune, bias-post and score. A
 * model directory is recognised by the text of its metadata (stage uids and the save's timestamp),
 * so a directory saved again under the same path is loaded again. Callers get a copy: parameters
 * they set do not leak to others.
 */
public final class SavedModels {
  private static final int MAX_ENTRIES = 8;

  private record Entry(String fingerprint, PipelineModel model) {}

  private static final Map<String, Entry> CACHE =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
          return size() > MAX_ENTRIES;
        }
      };

  private SavedModels() {}

  /**
   * The pipeline saved at {@code path}, from memory when this application already loaded or saved
   * it.
   */
  public static PipelineModel load(SparkSession spark, String path) {
    String fingerprint = fingerprint(spark, path);
    if (fingerprint != null) {
      synchronized (CACHE) {
        Entry e = CACHE.get(path);
        if (e != null && e.fingerprint().equals(fingerprint)) {
          return e.model().copy(ParamMap.empty());
        }
      }
    }
    PipelineModel model = PipelineModel.load(path);
    if (fingerprint != null) {
      synchronized (CACHE) {
        CACHE.put(path, new Entry(fingerprint, model.copy(ParamMap.empty())));
      }
    }
    return model;
  }

  /**
   * Records a pipeline this application has just saved at {@code path}, so a later {@link #load}
   * needs no Spark.
   */
  public static void saved(SparkSession spark, String path, PipelineModel model) {
    String fingerprint = fingerprint(spark, path);
    if (fingerprint != null) {
      synchronized (CACHE) {
        CACHE.put(path, new Entry(fingerprint, model.copy(ParamMap.empty())));
      }
    }
  }

  /**
   * The text of the pipeline's metadata files, or null when there is none (load then reports the
   * problem).
   */
  static String fingerprint(SparkSession spark, String path) {
    return metadata(spark.sparkContext().hadoopConfiguration(), path);
  }

  /**
   * The text of a saved stage's {@code metadata/part-*} files (Spark's layout: one JSON line), or
   * null when there are none or they cannot be read.
   */
  public static String metadata(Configuration conf, String path) {
    try {
      Path metadata = new Path(path, "metadata");
      FileSystem fs = metadata.getFileSystem(conf);
      if (!fs.exists(metadata)) {
        return null;
      }
      FileStatus[] parts = fs.listStatus(metadata, p -> p.getName().startsWith("part-"));
      if (parts.length == 0) {
        return null;
      }
      Arrays.sort(parts);
      StringBuilder sb = new StringBuilder();
      for (FileStatus part : parts) {
        try (InputStream in = fs.open(part.getPath())) {
          sb.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
      }
      return sb.toString();
    } catch (IOException e) {
      return null;
    }
  }
}
