package io.lakeml.core;

import io.lakeml.config.DatasetConfig;
import io.lakeml.config.LakemlConfig;
import java.net.URI;
import java.nio.file.Path;

/**
 * The one place that names every table and path of the lake. Layers under {@code lake.root}:
 * {@code landing/ bronze/ silver/ gold/ models/ reports/ _system/}. No other class builds a path.
 */
public final class LakeCatalog {
  /** Lake layers, in pipeline order. */
  public enum Layer {
    LANDING("landing"), BRONZE("bronze"), SILVER("silver"), GOLD("gold"), MODELS("models"), REPORTS("reports"), SYSTEM("_system");

    private final String folder;

    Layer(String folder) {
      this.folder = folder;
    }

    public String folder() {
      return folder;
    }
  }

  /** A Delta table: its SQL name (e.g. {@code silver.titanic}) and its location. */
  public record Table(String name, String path) {}

  private final String root;

  public LakeCatalog(String root) {
    this.root = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
  }

  /**
   * Resolves {@code lake.root}: a URI with a scheme is used as is, an absolute path is left to the
   * default file system (HDFS on a cluster), a relative path is a local folder under the project.
   */
  public static LakeCatalog of(LakemlConfig config) {
    String raw = config.lake().root();
    URI uri = URI.create(raw.replace(" ", "%20"));
    if (uri.getScheme() != null || raw.startsWith("/")) {
      return new LakeCatalog(raw);
    }
    Path local = config.projectDir().resolve(raw).normalize();
    return new LakeCatalog(local.toUri().toString());
  }

  public String root() {
    return root;
  }

  public String layer(Layer layer) {
    return root + "/" + layer.folder();
  }

  /** Folder where the dataset's raw files land. */
  public String landing(DatasetConfig dataset) {
    return layer(Layer.LANDING) + "/" + dataset.source().path();
  }

  public Table bronze(String dataset) {
    return table(Layer.BRONZE, dataset);
  }

  public Table silver(String dataset) {
    return table(Layer.SILVER, dataset);
  }

  public Table gold(String dataset) {
    return table(Layer.GOLD, dataset);
  }

  /** Rejected records of every dataset and stage, with raw content and reason. */
  public Table quarantine() {
    return system("quarantine");
  }

  /** One row per job run: the run ledger. */
  public Table runs() {
    return system("runs");
  }

  /** Streaming checkpoint of a job for a dataset (the record of which files were processed). */
  public String checkpoint(String dataset, String job) {
    return layer(Layer.SYSTEM) + "/checkpoints/" + dataset + "/" + job;
  }

  /** Tables addressable by layer and dataset in {@code jobs/lakeml sql}. */
  public Table table(Layer layer, String dataset) {
    return new Table(layer.folder() + "." + dataset, layer(layer) + "/" + dataset);
  }

  /**
   * The Delta tables that exist now: every dataset folder under bronze/, silver/ and gold/, and the
   * system tables.
   */
  public java.util.List<Table> existingTables(org.apache.spark.sql.SparkSession spark) throws java.io.IOException {
    java.util.List<Table> tables = new java.util.ArrayList<>();
    org.apache.hadoop.conf.Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    for (Layer layer : new Layer[] {Layer.BRONZE, Layer.SILVER, Layer.GOLD}) {
      org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(layer(layer));
      org.apache.hadoop.fs.FileSystem fs = dir.getFileSystem(hadoop);
      if (!fs.exists(dir)) {
        continue;
      }
      for (org.apache.hadoop.fs.FileStatus s : fs.listStatus(dir)) {
        if (s.isDirectory() && DeltaTables.exists(spark, s.getPath().toString())) {
          tables.add(table(layer, s.getPath().getName()));
        }
      }
    }
    for (Table t : new Table[] {runs(), quarantine()}) {
      if (DeltaTables.exists(spark, t.path())) {
        tables.add(t);
      }
    }
    return tables;
  }

  private Table system(String name) {
    return new Table("_system." + name, layer(Layer.SYSTEM) + "/" + name);
  }
}
