package io.lakeml.model;

/** Conventions of the fairness rows in {@code _system.bias}, shared by the stage that writes them and the report. */
public final class Fairness {
  private Fairness() {}

  /**
   * The {@code group} of an attribute's pooled comparison (every unprivileged value together against
   * the privileged ones); per-group rows name their value instead.
   */
  public static final String POOLED_GROUP = "unprivileged vs privileged";
}
