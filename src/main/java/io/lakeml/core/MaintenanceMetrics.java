package io.lakeml.core;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * What the operator's jobs report in their summary's {@code metrics}, in the order the summary line
 * prints them: reproducing a model version, vacuuming the lake, a write through {@code sql}.
 */
public final class MaintenanceMetrics {
  private MaintenanceMetrics() {}

  /**
   * reproduce: the version refitted from its recorded inputs, whether every recorded metric came
   * back within the tolerance ({@code metrics}: per split and metric, recorded against reproduced),
   * and whether the model's configuration changed since.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Reproduce(
      int version,
      String algorithm,
      Map<String, String> params,
      long goldVersion,
      boolean match,
      Map<String, Object> metrics,
      boolean configChanged) {}

  /** vacuum: the retention, the files deleted, per table what it did, and what it could not. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Vacuum(
      int retainHours,
      long filesDeleted,
      List<Map<String, Object>> tables,
      @JsonInclude(JsonInclude.Include.NON_NULL) List<String> warnings) {}

  /**
   * A write through {@code sql}: its kind, the statement, Spark's output rows and the commit tag.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record SqlWrite(
      String statementKind,
      String statement,
      List<Map<String, Object>> output,
      String commitMetadata) {}
}
