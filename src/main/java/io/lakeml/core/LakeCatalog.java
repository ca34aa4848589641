package io.lakeml.core;

import io.lakeml.config.DatasetConfig;
import io.lakeml.config.LakemlConfig;
import io.lakeml.tables.BiasTable;
import io.lakeml.tables.ChampionsTable;
import io.lakeml.tables.ModelsTable;
import io.lakeml.tables.MonitorTable;
import io.lakeml.tables.ProfileTable;
import io.lakeml.tables.QualityTable;
import io.lakeml.tables.QuarantineTable;
import io.lakeml.tables.RunsTable;
import io.lakeml.tables.TrialsTable;
import java.net.URI;
import java.nio.file.Path;

/**
 * The one place that names every table and path of the lake. Layers under {@code lake.root}: {@code
 * landing/ bronze/ silver/ gold/ models/ reports/ _system/}. No other class builds a path.
 */
public final class LakeCatalog {
  /** Lake layers, in pipeline order. */
  public enum Layer {
    LANDING("landing"),
    BRONZE("bronze"),
    SILVER("silver"),
    GOLD("gold"),
    MODELS("models"),
    REPORTS("reports"),
    SYSTEM("_system");

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
    return system(QuarantineTable.TABLE);
  }

  /** Validation rule results per dataset and run date. */
  public Table quality() {
    return system(QualityTable.TABLE);
  }

  /** Column profiles per dataset, run date and split. */
  public Table profile() {
    return system(ProfileTable.TABLE);
  }

  /**
   * Folder of the fitted feature pipeline (a Spark ml PipelineModel) written by one prepare run.
   */
  public String featurePipeline(String dataset, String runId) {
    return layer(Layer.MODELS) + "/" + dataset + "/feature-pipelines/" + runId;
  }

  /** The model registry: one row per model version of every dataset. */
  public Table models() {
    return system(ModelsTable.TABLE);
  }

  /** Fairness metrics of data (pre-training) and model versions (post-training). */
  public Table bias() {
    return system(BiasTable.TABLE);
  }

  /** Champion history: every promotion and rollback, automatic or by a person. */
  public Table champions() {
    return system(ChampionsTable.TABLE);
  }

  /** Drift and performance monitoring per dataset and run date, with the retraining signal. */
  public Table monitor() {
    return system(MonitorTable.TABLE);
  }

  /** Batch predictions of a dataset's champion model, per run date. */
  public Table predictions(String dataset) {
    return new Table("predictions." + dataset, root + "/predictions/" + dataset);
  }

  /** Every hyperparameter trial of every tune run. */
  public Table trials() {
    return system(TrialsTable.TABLE);
  }

  /** Folder of a registered model version (a complete Spark ml PipelineModel: features + model). */
  public String modelVersion(String dataset, int version) {
    return layer(Layer.MODELS) + "/" + dataset + "/v" + version;
  }

  /**
   * The training distributions monitor compares scored rows with (deciles and shares of every
   * feature) for one gold version ({@link TrainingReference}): a JSON file beside the versions.
   */
  public String trainingReference(String dataset, long goldVersion) {
    return layer(Layer.MODELS)
        + "/"
        + dataset
        + "/training-reference/gold-v"
        + goldVersion
        + ".json";
  }

  /** Where a tune run writes its model before it is renamed into place as a version. */
  public String modelStaging(String dataset, String runId) {
    return layer(Layer.MODELS) + "/" + dataset + "/_staging/" + runId;
  }

  /** The HTML report of a dataset's run date: {@code reports/<dataset>/<run date>/index.html}. */
  public String report(String dataset, java.time.LocalDate runDate) {
    return layer(Layer.REPORTS) + "/" + dataset + "/" + runDate + "/index.html";
  }

  /** One row per job run: the run ledger. */
  public Table runs() {
    return system(RunsTable.TABLE);
  }

  /** Lock files of running nightlies ({@link RunLock}). */
  public String locks() {
    return layer(Layer.SYSTEM) + "/locks";
  }

  /**
   * Markers of job runs that started and did not finish well ({@link RunMarkers}), one folder per
   * dataset.
   */
  public String running() {
    return layer(Layer.SYSTEM) + "/running";
  }

  /** Records of lake states a finished nightly left ({@link LakeState}), one folder per dataset. */
  public String finishedStates() {
    return layer(Layer.SYSTEM) + "/finished";
  }

  /** The finished-state record of one dataset and run date. */
  public String finishedState(String dataset, java.time.LocalDate runDate) {
    return finishedStates() + "/" + dataset + "/" + runDate + ".json";
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
   * The table with a SQL name such as {@code silver.titanic} or {@code _system.runs}, if the name
   * is one the catalog defines (the table may not exist yet).
   */
  public java.util.Optional<Table> byName(String name) {
    int dot = name.indexOf('.');
    if (dot <= 0) {
      return java.util.Optional.empty();
    }
    String layer = name.substring(0, dot);
    String rest = name.substring(dot + 1);
    if (layer.equals(Layer.SYSTEM.folder())) {
      return systemTables().stream().filter(t -> t.name().equals(name)).findFirst();
    }
    if (layer.equals("predictions")) {
      return java.util.Optional.of(predictions(rest));
    }
    for (Layer l : new Layer[] {Layer.BRONZE, Layer.SILVER, Layer.GOLD}) {
      if (l.folder().equals(layer)) {
        return java.util.Optional.of(table(l, rest));
      }
    }
    return java.util.Optional.empty();
  }

  /** Every shared {@code _system} table, in the order an operator reads them. */
  public java.util.List<Table> systemTables() {
    return java.util.List.of(
        runs(),
        quarantine(),
        quality(),
        profile(),
        models(),
        trials(),
        bias(),
        champions(),
        monitor());
  }

  /** The tables of one dataset, in pipeline order: bronze, silver, gold, predictions. */
  public java.util.List<Table> datasetTables(String dataset) {
    return java.util.List.of(bronze(dataset), silver(dataset), gold(dataset), predictions(dataset));
  }

  private Table system(String name) {
    return new Table("_system." + name, layer(Layer.SYSTEM) + "/" + name);
  }
}
