package io.lakeml.core;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * What promote reports in its summary's {@code metrics} when it decided on a candidate: promoted
 * (with the action and the champion it replaced) or refused (with why and the champion that stays).
 * The two lines print their keys in different orders, as they always have.
 */
public final class PromoteMetrics {
  private PromoteMetrics() {}

  /** The candidate became the champion ({@code promoted} is always true). */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Promoted(
      int version, boolean promoted, String action, Integer previousChampion, String reason) {
    public Promoted(int version, String action, Integer previousChampion, String reason) {
      this(version, true, action, previousChampion, reason);
    }
  }

  /** The candidate was not promoted ({@code promoted} is always false). */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Refused(int version, boolean promoted, String reason, Integer champion) {
    public Refused(int version, String reason, Integer champion) {
      this(version, false, reason, champion);
    }
  }
}
