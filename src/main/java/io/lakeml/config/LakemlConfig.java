package io.lakeml.config;

import java.util.Optional;

/**
 * The fully merged, validated configuration of one run. Built only by {@link ConfigLoader}, before
 * any Spark session exists.
 *
 * @param env environment name ({@code local}, {@code cluster}, …)
 * @param projectDir folder relative lake paths are resolved against
 * @param hash SHA-256 of the merged configuration, recorded with every run
 * @param datasetHash SHA-256 of the dataset section alone
 * @param goldHash SHA-256 of what gold depends on: the dataset section without {@code tune} and
 *     {@code deploy} (a new grid or drift bound must not rewrite gold and retrain from it)
 * @param modelHash SHA-256 of what a model version depends on besides gold: the dataset section
 *     without {@code deploy}
 */
public record LakemlConfig(
    String env,
    java.nio.file.Path projectDir,
    Settings.Lake lake,
    Settings.Spark spark,
    Optional<DatasetConfig> dataset,
    String hash,
    String datasetHash,
    String goldHash,
    String modelHash) {

  /** The dataset of this run; a usage error when the command was given none. */
  public DatasetConfig requireDataset() {
    return dataset.orElseThrow(
        () ->
            new ConfigException(
                "this command needs a dataset. Pass --dataset NAME (one of the files in conf/datasets/)."));
  }
}
