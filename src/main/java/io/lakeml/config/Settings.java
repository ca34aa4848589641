package io.lakeml.config;

import java.util.List;
import java.util.Map;

/** Small typed settings records shared by every job. */
public final class Settings {
  private Settings() {}

  /** Where the lake lives: a local path (resolved against the project) or any Hadoop URI. */
  /**
   * The lake. {@code skipUnchanged}: a stage may be SKIPPED without starting Spark when the lake is
   * as a finished nightly of the same run date left it (see {@code io.lakeml.core.LakeState}).
   */
  public record Lake(String root, boolean skipUnchanged) {}

  /**
   * Spark settings. {@code master} is used only when the launcher (spark-submit) did not set one;
   * {@code conf} entries are applied to the session builder.
   */
  public record Spark(
      String master, Map<String, String> conf, SmallInput smallInput, WideInput wideInput) {
    public Spark {
      conf = Map.copyOf(conf);
    }
  }

  /**
   * Session settings for a stage whose dataset is small: its landing folder (or, for a JDBC source,
   * its bronze table) holds at most {@code maxMb} MB. Applied for the stage, then restored.
   */
  public record SmallInput(int maxMb, Map<String, String> conf) {
    public SmallInput {
      conf = Map.copyOf(conf);
    }
  }

  /**
   * Session settings for the stages in {@code stages} when the dataset declares at least {@code
   * minColumns} columns. Applied for the stage, then restored.
   */
  public record WideInput(int minColumns, List<String> stages, Map<String, String> conf) {
    /** The stages these settings may name: the nightly's, in order. */
    public static final List<String> STAGES =
        List.of(
            "ingest",
            "etl",
            "prepare",
            "bias-pre",
            "tune",
            "bias-post",
            "promote",
            "score",
            "monitor",
            "report");

    public WideInput {
      stages = List.copyOf(stages);
      conf = Map.copyOf(conf);
    }
  }
}
