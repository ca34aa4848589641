package io.lakeml.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The stage-overhead arithmetic on nightly summaries of known numbers (no Spark). */
class StageOverheadTest {
  private static Map<String, Object> separateStage(
      String job, long process, long duration, long jvm, long session, long ledger) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("job", job);
    s.put("status", "SUCCEEDED");
    s.put("durationMs", duration);
    s.put("processMs", process);
    s.put("timings", Map.of("jvmUptimeMs", jvm, "sessionMs", session, "ledgerMs", ledger));
    return s;
  }

  private static Map<String, Object> warmStage(String job, long duration) {
    return Map.of(
        "job",
        job,
        "status",
        "SUCCEEDED",
        "durationMs",
        duration,
        "timings",
        Map.of("jvmUptimeMs", 1L, "sessionMs", 0L, "ledgerMs", 500L));
  }

  private static Map<String, Object> nightly(String status, List<Map<String, Object>> stages) {
    return Map.of("job", "nightly", "status", status, "stages", stages);
  }

  @Test
  @SuppressWarnings("unchecked")
  void splitsEachStagesCostAndTakesMediansOverRepeats() {
    // run 1: etl's process 30 s = launch 4 + stage 24 (session 5, warm-up 9, work 10) + ledger 2
    StageOverhead.Pair one =
        new StageOverhead.Pair(
            nightly(
                "SUCCEEDED",
                List.of(
                    separateStage("ingest", 20_000, 15_000, 3_000, 5_000, 1_000),
                    separateStage("etl", 30_000, 24_000, 3_500, 5_000, 2_000))),
            51.0,
            nightly("SUCCEEDED", List.of(warmStage("ingest", 14_000), warmStage("etl", 10_000))),
            26.0);
    StageOverhead.Pair two =
        new StageOverhead.Pair(
            nightly(
                "SUCCEEDED",
                List.of(
                    separateStage("ingest", 22_000, 16_000, 3_000, 6_000, 1_000),
                    separateStage("etl", 40_000, 30_000, 4_000, 6_000, 2_000))),
            63.0,
            nightly("SUCCEEDED", List.of(warmStage("ingest", 16_000), warmStage("etl", 12_000))),
            30.0);
    StageOverhead.Pair three =
        new StageOverhead.Pair(
            nightly(
                "SUCCEEDED",
                List.of(
                    separateStage("ingest", 21_000, 15_500, 3_000, 5_500, 1_000),
                    separateStage("etl", 32_000, 26_000, 3_600, 5_500, 2_000))),
            54.0,
            nightly("SUCCEEDED", List.of(warmStage("ingest", 15_000), warmStage("etl", 11_000))),
            28.0);

    Map<String, Object> a = StageOverhead.analyse(List.of(one, two, three));
    Map<String, Map<String, Double>> stages = (Map<String, Map<String, Double>>) a.get("stages");
    assertThat(stages).containsOnlyKeys("ingest", "etl");
    Map<String, Double> etl = stages.get("etl");
    // medians per number: process 30/40/32 → 32; launch 4/8/4 → 4; warm-up 9/12/9.5 → 9.5
    assertThat(etl)
        .containsEntry("processSeconds", 32.0)
        .containsEntry("launchSeconds", 4.0)
        .containsEntry("sessionSeconds", 5.5)
        .containsEntry("warmUpSeconds", 9.5)
        .containsEntry("ledgerSeconds", 2.0)
        .containsEntry("stageSeconds", 26.0)
        .containsEntry("warmStageSeconds", 11.0)
        .containsEntry("overheadSeconds", 21.0)
        .containsEntry("jvmUptimeAtStartSeconds", 3.6);
    assertThat(stages.get("ingest")).containsEntry("overheadSeconds", 6.0);
    assertThat(a)
        .containsEntry("repeat", 3)
        .containsEntry("separateNightlySeconds", 54.0)
        .containsEntry("inProcessNightlySeconds", 28.0)
        .containsEntry("overheadSeconds", 27.0);

    String md = StageOverhead.markdown(a);
    assertThat(md)
        .contains("54.0 s with a JVM per stage, 28.0 s in one JVM")
        .contains("| etl | 32.0 | 4.0 | 5.5 | 9.5 | 26.0 | 2.0 | 11.0 | 21.0 |")
        .contains("all stages: 27.0 s");
  }

  @Test
  void refusesFailedNightliesAndSummariesWithoutTimings() {
    Map<String, Object> ok =
        nightly("SUCCEEDED", List.of(separateStage("etl", 30_000, 24_000, 3_500, 5_000, 2_000)));
    Map<String, Object> warm = nightly("SUCCEEDED", List.of(warmStage("etl", 10_000)));
    assertThatThrownBy(
            () ->
                StageOverhead.analyse(
                    List.of(new StageOverhead.Pair(ok, 1, nightly("FAILED", List.of()), 1))))
        .hasMessageContaining("did not succeed");
    Map<String, Object> noTimings =
        nightly(
            "SUCCEEDED",
            List.of(Map.of("job", "etl", "status", "SUCCEEDED", "durationMs", 24_000L)));
    assertThatThrownBy(
            () -> StageOverhead.analyse(List.of(new StageOverhead.Pair(noTimings, 1, warm, 1))))
        .hasMessageContaining("stage etl lacks its timings");
    assertThatThrownBy(() -> StageOverhead.analyse(List.of())).hasMessageContaining("no runs");
  }
}
