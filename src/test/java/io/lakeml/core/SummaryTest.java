package io.lakeml.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The summary lines' JSON as the README documents it: field order, which fields are left out when
 * empty, and a stage's line read back from a child process. The jobs' own lines are checked end to
 * end by the QuickStart, Nightly and CLI tests; this pins the records' shape without Spark.
 */
class SummaryTest {
  private static final Summary SKIPPED =
      new Summary(
          "score",
          "titanic",
          "2026-12-05",
          JobStatus.SKIPPED,
          "r1",
          null,
          12L,
          "nothing to do",
          Map.of("decidedWithoutSpark", true),
          Map.of(),
          Map.of(),
          Summary.Timings.withoutSpark(800));

  @Test
  void aStageLineKeepsItsDocumentedOrderAndLeavesOutOnlyWhatIsEmpty() {
    assertThat(Summary.toJson(SKIPPED))
        .isEqualTo(
            "{\"job\":\"score\",\"dataset\":\"titanic\",\"runDate\":\"2026-12-05\",\"status\":\"SKIPPED\","
                + "\"runId\":\"r1\",\"applicationId\":null,\"durationMs\":12,\"message\":\"nothing to do\","
                + "\"metrics\":{\"decidedWithoutSpark\":true},\"tables\":{},\"inputs\":{},"
                + "\"timings\":{\"jvmUptimeMs\":800,\"sessionMs\":0,\"ledgerMs\":0}}");
    Summary ran =
        new Summary(
            "etl",
            null,
            "2026-12-05",
            JobStatus.SUCCEEDED,
            "r2",
            "local-1",
            5L,
            null,
            Map.of(),
            Map.of("silver.t", new Summary.TableVersion(3)),
            Map.of("bronze.t", new Summary.TableVersion(7)),
            new Summary.Timings(1, 2, 3, 4L, true, false));
    assertThat(Summary.toJson(ran))
        .isEqualTo(
            "{\"job\":\"etl\",\"dataset\":null,\"runDate\":\"2026-12-05\",\"status\":\"SUCCEEDED\","
                + "\"runId\":\"r2\",\"applicationId\":\"local-1\",\"durationMs\":5,\"metrics\":{},"
                + "\"tables\":{\"silver.t\":{\"version\":3}},\"inputs\":{\"bronze.t\":{\"version\":7}},"
                + "\"timings\":{\"jvmUptimeMs\":1,\"sessionMs\":2,\"ledgerMs\":3,\"sparkJobs\":4,"
                + "\"smallInput\":true,\"wideInput\":false}}");
  }

  @Test
  void aChildsLineReadsBackAsTheSameSummaryEvenWithFieldsItDoesNotKnow() throws Exception {
    String line = Summary.toJson(SKIPPED).replace("\"tables\"", "\"addedLater\":1,\"tables\"");
    assertThat(Summary.parse(line)).isEqualTo(SKIPPED);
  }

  @Test
  void chainLinesLeaveOutWhatTheirCommandDoesNotHave() {
    Summary failed = Summary.failed("tune", "out of memory");
    ChainSummary chain =
        new ChainSummary(
            "nightly",
            "titanic",
            "2026-12-05",
            "separate",
            JobStatus.FAILED,
            1,
            "tune",
            ChainSummary.failedMessage("tune", failed.message()),
            List.of(
                ChainSummary.StageLine.of("ingest", SKIPPED, 900L, true),
                ChainSummary.StageLine.of("tune", failed, 950L, true)));
    assertThat(Summary.toJson(chain))
        .isEqualTo(
            "{\"job\":\"nightly\",\"dataset\":\"titanic\",\"runDate\":\"2026-12-05\",\"launch\":\"separate\","
                + "\"status\":\"FAILED\",\"exitCode\":1,\"failedStage\":\"tune\",\"message\":\"tune failed: out of"
                + " memory Rerun the same command to resume: finished stages are skipped.\",\"stages\":["
                + "{\"job\":\"ingest\",\"status\":\"SKIPPED\",\"durationMs\":12,\"processMs\":900,"
                + "\"timings\":{\"jvmUptimeMs\":800,\"sessionMs\":0,\"ledgerMs\":0}},"
                + "{\"job\":\"tune\",\"status\":\"FAILED\",\"durationMs\":null,\"processMs\":950}]}");
    // a command of several jobs: no launch, no exit code, no timings per stage
    ChainSummary command =
        new ChainSummary(
            "bias",
            "titanic",
            "2026-12-05",
            null,
            JobStatus.SUCCEEDED,
            null,
            null,
            null,
            List.of(ChainSummary.StageLine.of("bias-pre", SKIPPED, null, false)));
    assertThat(Summary.toJson(command))
        .isEqualTo(
            "{\"job\":\"bias\",\"dataset\":\"titanic\",\"runDate\":\"2026-12-05\",\"status\":\"SUCCEEDED\","
                + "\"stages\":[{\"job\":\"bias-pre\",\"status\":\"SKIPPED\",\"durationMs\":12}]}");
    ChainSummary.Nightly all =
        new ChainSummary.Nightly(
            "nightly",
            "2026-12-05",
            JobStatus.SUCCEEDED,
            2,
            0,
            null,
            null,
            List.of(new ChainSummary.DatasetLine("titanic", JobStatus.SUCCEEDED, 0, null)));
    assertThat(Summary.toJson(all))
        .isEqualTo(
            "{\"job\":\"nightly\",\"runDate\":\"2026-12-05\",\"status\":\"SUCCEEDED\",\"parallel\":2,"
                + "\"exitCode\":0,\"datasets\":[{\"dataset\":\"titanic\",\"status\":\"SUCCEEDED\",\"exitCode\":0}]}");
  }
}
