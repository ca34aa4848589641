package io.lakeml.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakeml.config.ConfigException;
import io.lakeml.config.ConfigLoader;
import io.lakeml.config.LakemlConfig;
import io.lakeml.testing.TestProject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The pipeline's own rules, without Spark: stages launched through a recording launcher. The same
 * rules through the real jobs and CLI are NightlyTest's and DeployTest's.
 */
class PipelineTest {
  private static final LocalDate DATE = LocalDate.parse("2026-11-20");

  /** A job that is never run here: the launcher stands in for it. */
  private static Pipeline.Stage stage(String name, boolean always) {
    Job job =
        new Job() {
          @Override
          public String name() {
            return name;
          }

          @Override
          public void validate(LakemlConfig config) {
            if (name.equals("picky") && config.dataset().isPresent()) {
              throw new ConfigException("picky refuses " + config.requireDataset().name());
            }
          }

          @Override
          public JobResult run(JobContext context) {
            throw new AssertionError("a launched stage does not run in this JVM");
          }
        };
    return new Pipeline.Stage(name, () -> job, List.of(name), always);
  }

  private static final Pipeline FOUR =
      new Pipeline(
          List.of(stage("a", false), stage("b", false), stage("c", false), stage("report", true)));

  /** Launches nothing: records the call and fails the stages named in {@code failing}. */
  private static final class Recorder implements Pipeline.Launcher {
    final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    final Set<String> failing;

    Recorder(Set<String> failing) {
      this.failing = failing;
    }

    @Override
    public Runner.Outcome launch(
        Pipeline.Stage stage, String dataset, LocalDate date, String prefix) {
      calls.add(dataset + ":" + stage.name() + ":" + date + ":" + prefix);
      boolean fails = failing.contains(dataset + ":" + stage.name());
      Summary s =
          new Summary(
              stage.name(),
              dataset,
              date.toString(),
              fails ? JobStatus.FAILED : JobStatus.SUCCEEDED,
              "run",
              null,
              5L,
              fails ? stage.name() + " broke" : null,
              Map.of(),
              Map.of(),
              Map.of(),
              null);
      return new Runner.Outcome(fails ? 1 : 0, s);
    }
  }

  private static Map<String, LakemlConfig> configs(String... datasets) {
    TestProject p = TestProject.create("pipeline");
    Map<String, LakemlConfig> configs = new LinkedHashMap<>();
    for (String ds : datasets) {
      p.dataset(ds, "dataset { schema = [ { name = id, type = int } ], key = [id] }");
      // no finished state: every stage is launched
      configs.put(
          ds, ConfigLoader.load(p.confDir(), "local", ds, List.of("lake.skip-unchanged=false")));
    }
    return configs;
  }

  private record Run(int exit, List<Map<String, Object>> summaries) {}

  private static Run run(
      Pipeline pipeline,
      Map<String, LakemlConfig> configs,
      int parallel,
      Pipeline.Launcher launcher) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      exit = pipeline.run(configs, DATE, parallel, launcher, o, e);
    }
    List<Map<String, Object>> lines =
        out.toString(StandardCharsets.UTF_8).lines().map(TestProject::parse).toList();
    return new Run(exit, lines);
  }

  @Test
  @SuppressWarnings("unchecked")
  void aFailureStopsTheChainButTheAlwaysStageRunsAndTheSummarySaysWhereToResume() {
    Recorder launcher = new Recorder(Set.of("alpha:b"));
    Run r = run(FOUR, configs("alpha"), 1, launcher);
    assertThat(r.exit()).isEqualTo(1);
    assertThat(launcher.calls)
        .containsExactly(
            "alpha:a:2026-11-20:null", "alpha:b:2026-11-20:null", "alpha:report:2026-11-20:null");
    Map<String, Object> s = r.summaries().get(r.summaries().size() - 1);
    assertThat(s)
        .containsEntry("job", "nightly")
        .containsEntry("dataset", "alpha")
        .containsEntry("runDate", "2026-11-20")
        .containsEntry("launch", "separate")
        .containsEntry("status", "FAILED")
        .containsEntry("exitCode", 1)
        .containsEntry("failedStage", "b")
        .containsEntry(
            "message",
            "b failed: b broke Rerun the same command to resume: finished stages are skipped.");
    assertThat((List<Map<String, Object>>) s.get("stages"))
        .extracting(m -> m.get("job") + " " + m.get("status"))
        .containsExactly("a SUCCEEDED", "b FAILED", "report SUCCEEDED");
  }

  @Test
  @SuppressWarnings("unchecked")
  void chainsRunSideBySideEachUnderItsPrefixAndOneHeldLockFailsOnlyItsDataset() {
    Map<String, LakemlConfig> configs = configs("alpha", "beta", "gamma");
    Recorder launcher = new Recorder(Set.of());
    Run r;
    try (RunLock held = RunLock.acquire(LakeCatalog.of(configs.get("gamma")), "gamma", "a test")) {
      r = run(FOUR.until("b"), configs, 2, launcher);
    }
    assertThat(r.exit()).isEqualTo(1);
    assertThat(launcher.calls)
        .containsExactlyInAnyOrder(
            "alpha:a:2026-11-20:[alpha] ",
            "alpha:b:2026-11-20:[alpha] ",
            "beta:a:2026-11-20:[beta] ",
            "beta:b:2026-11-20:[beta] ");
    Map<String, Object> all = r.summaries().get(r.summaries().size() - 1);
    assertThat(all)
        .containsEntry("job", "nightly")
        .containsEntry("parallel", 2)
        .containsEntry("failed", List.of("gamma"));
    assertThat((List<Map<String, Object>>) all.get("datasets"))
        .containsExactly(
            Map.of("dataset", "alpha", "status", "SUCCEEDED", "exitCode", 0),
            Map.of("dataset", "beta", "status", "SUCCEEDED", "exitCode", 0),
            Map.of("dataset", "gamma", "status", "FAILED", "exitCode", 1));
    Map<String, Object> gamma =
        r.summaries().stream()
            .filter(m -> "gamma".equals(m.get("dataset")))
            .findFirst()
            .orElseThrow();
    assertThat((String) gamma.get("message"))
        .contains("nightly is already running for dataset 'gamma'")
        .contains("a test");
    // every lock is released at the end: the next run takes them
    assertThat(run(FOUR.until("a"), configs, 1, new Recorder(Set.of())).exit()).isZero();
  }

  @Test
  void untilNamesAStageOrSaysWhichExistAndValidationAsksEveryStage() {
    assertThat(FOUR.until("b").names()).containsExactly("a", "b");
    assertThat(FOUR.until(null)).isSameAs(FOUR);
    assertThatThrownBy(() -> FOUR.until("z"))
        .isInstanceOf(ConfigException.class)
        .hasMessageEndingWith("--until z is not a nightly stage. Use one of [a, b, c, report].");
    Pipeline picky = new Pipeline(List.of(stage("a", false), stage("picky", false)));
    assertThatThrownBy(() -> picky.validate(configs("alpha").get("alpha")))
        .hasMessageEndingWith("picky refuses alpha");
    picky.until("a").validate(configs("alpha").get("alpha"));
    assertThatThrownBy(() -> new Pipeline(List.of(stage("a", false), stage("a", true))))
        .hasMessageContaining("stage a is listed twice");
  }
}
