package io.lakeml.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLWriter;
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
   * {@code model}, which was loaded from {@code dir}, as a stage whose saving copies {@code dir}
   * file by file instead of writing every stage again through Spark. A model version holds the
   * feature pipeline prepare saved: writing it again was 13 small Spark jobs (a text or Parquet
   * write with its commit each) out of the version's 18, for the same bytes but a timestamp.
   */
  public static PipelineModel savedAt(PipelineModel model, String dir) {
    return new Copied(model, dir);
  }

  /** A pipeline that is saved by copying the directory it was loaded from. */
  private static final class Copied extends PipelineModel {
    private static final long serialVersionUID = 1L;
    private final String dir;

    Copied(PipelineModel model, String dir) {
      super(model.uid(), model.stages());
      this.dir = dir;
    }

    @Override
    public MLWriter write() {
      return new MLWriter() {
        @Override
        public void saveImpl(String path) {
          Configuration conf = sparkSession().sparkContext().hadoopConfiguration();
          try {
            Path from = new Path(dir);
            Path to = new Path(path);
            if (!FileUtil.copy(
                from.getFileSystem(conf), from, to.getFileSystem(conf), to, false, conf)) {
              throw new IOException("the copy returned false");
            }
          } catch (IOException e) {
            throw new UncheckedIOException(
                "could not copy the saved pipeline " + dir + " to " + path, e);
          }
        }
      };
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
