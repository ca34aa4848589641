package io.lakeml.model;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import io.lakeml.config.DatasetConfig;
import java.util.List;
import org.apache.spark.sql.Column;

/**
 * Conventions of the fairness rows in {@code _system.bias}, shared by the stage that writes them
 * and the report.
 */
public final class Fairness {
  private Fairness() {}

  /**
   * The {@code group} of an attribute's pooled comparison (every unprivileged value together
   * against the privileged ones); per-group rows name their value instead.
   */
  public static final String POOLED_GROUP = "unprivileged vs privileged";

  /** The group of rows without a value for the attribute. */
  public static final String NULL_GROUP = "(null)";

  /**
   * A row's group for a sensitive attribute: its value as text, or for a banded numeric attribute
   * the label of the band it falls in ({@link DatasetConfig.Sensitive#bandLabels}); null when
   * missing.
   */
  public static Column group(DatasetConfig.Sensitive s) {
    if (s.bands().isEmpty()) {
      return col(s.column()).cast("string");
    }
    List<String> labels = s.bandLabels();
    Column v = col(s.column()).cast("double");
    Column out = when(v.isNull(), lit(null).cast("string"));
    for (int i = 0; i < s.bands().size(); i++) {
      out = out.when(v.lt(s.bands().get(i)), lit(labels.get(i)));
    }
    return out.otherwise(lit(labels.get(labels.size() - 1)));
  }

  /** {@link #group}, with rows without a value in {@link #NULL_GROUP}. */
  public static Column groupOrNullGroup(DatasetConfig.Sensitive s) {
    return coalesce(group(s), lit(NULL_GROUP));
  }

  /**
   * The joint group of several sensitive attributes, e.g. {@code "female × 1st"} (reweighing's g,
   * intersections).
   */
  public static Column jointGroup(List<DatasetConfig.Sensitive> attributes) {
    return concat_ws(
        " × ", attributes.stream().map(Fairness::groupOrNullGroup).toArray(Column[]::new));
  }
}
