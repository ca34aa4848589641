package io.lakeml.config;

import java.util.List;

/**
 * A configuration or usage error: the job cannot start. Carries one or more problems, each of which
 * names the key, where it came from and how to fix it. The runner maps it to exit code 2.
 */
public final class ConfigException extends RuntimeException {
  private final List<String> problems;

  public ConfigException(List<String> problems) {
    super(format(problems));
    this.problems = List.copyOf(problems);
  }

  public ConfigException(String problem) {
    this(List.of(problem));
  }

  public List<String> problems() {
    return problems;
  }

  private static String format(List<String> problems) {
    if (problems.size() == 1) {
      return "Configuration error: " + problems.get(0);
    }
    StringBuilder sb = new StringBuilder("Configuration has " + problems.size() + " errors:");
    for (String p : problems) {
      sb.append("\n  - ").append(p);
    }
    return sb.toString();
  }
}
