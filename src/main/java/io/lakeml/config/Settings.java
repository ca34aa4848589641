package io.lakeml.config;

import java.util.Map;

/** Small typed settings records shared by every job. */
public final class Settings {
  private Settings() {}

  /** Where the lake lives: a local path (resolved against the project) or any Hadoop URI. */
  public record Lake(String root) {}

  /**
   * Spark settings. {@code master} is used only when the launcher (spark-submit) did not set one;
   * {@code conf} entries are applied to the session builder.
   */
  public record Spark(String master, Map<String, String> conf) {
    public Spark {
      conf = Map.copyOf(conf);
    }
  }
}
