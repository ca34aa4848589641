package io.lakeml.core;

import io.lakeml.config.LakemlConfig;
import io.lakeml.config.Settings;
import java.util.Map;

/**
 * The session settings of a wide dataset ({@code spark.wide-input}) for the stages that handle
 * every column of every row: chosen from the number of columns the dataset declares, applied for
 * the stage and restored after it (with {@link SmallInput#apply} and {@link SmallInput#restore}).
 */
final class WideInput {
  private WideInput() {}

  /**
   * The settings for {@code stage}: empty unless the dataset declares enough columns and the stage
   * is listed.
   */
  static Map<String, String> settings(LakemlConfig config, String stage) {
    Settings.WideInput wide = config.spark().wideInput();
    if (wide.minColumns() <= 0 || !wide.stages().contains(stage) || config.dataset().isEmpty()) {
      return Map.of();
    }
    return config.requireDataset().columns().size() >= wide.minColumns() ? wide.conf() : Map.of();
  }
}
