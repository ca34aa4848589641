package io.lakeml.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakeml.testing.TestProject;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The launcher's JVM wrapper (jobs/lib/run-jvm.sh): Spark's exit 52 becomes exit 1 with a summary
 * that names memory.
 */
class LauncherTest {
  private record Run(int exit, String stdout, String stderr) {}

  private static Run runJvm(String fakeJvm) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
                "bash", "-c", ". jobs/lib/run-jvm.sh; run_jvm nightly bash -c '" + fakeJvm + "'")
            .directory(TestProject.projectDir().toFile());
    pb.environment().put("LAKEML_DRIVER_MEMORY", "3g");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Run(p.waitFor(), out, err);
  }

  @Test
  void aJvmStoppedBySparkExitsOneWithAMessageAboutMemoryAndOtherCodesPassThrough()
      throws Exception {
    Run oom =
        runJvm("echo \"{\\\"job\\\":\\\"ingest\\\",\\\"status\\\":\\\"SUCCEEDED\\\"}\"; exit 52");
    assertThat(oom.exit()).isEqualTo(1);
    String last = oom.stdout().lines().reduce((a, b) -> b).orElseThrow();
    Map<String, Object> summary = TestProject.parse(last);
    assertThat(summary)
        .containsEntry("job", "nightly")
        .containsEntry("status", "FAILED")
        .containsEntry("exitCode", 1);
    assertThat((String) summary.get("message"))
        .contains("OutOfMemoryError")
        .contains("driver heap is 3g")
        .contains("LAKEML_DRIVER_MEMORY");
    assertThat(oom.stderr()).contains("lakeml: the JVM was stopped by Spark (exit 52");
    assertThat(runJvm("exit 0").exit()).isZero();
    assertThat(runJvm("exit 2").exit()).isEqualTo(2);
    assertThat(runJvm("exit 1").stdout()).isEmpty();
  }
}
