package io.lakeml.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakeml.config.ConfigLoader;
import io.lakeml.testing.TestHooks;
import io.lakeml.testing.TestProject;
import io.lakeml.testing.TestSpark;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.spark.sql.RuntimeConfig;
import org.junit.jupiter.api.Test;

/**
 * {@code spark.small-input}: on by default for a dataset whose landing folder is under the bound,
 * off above it or with {@code max-mb = 0}, and always the stage's own settings only.
 */
class SmallInputTest {
  private static final String WHOLE_STAGE = "spark.sql.codegen.wholeStage";
  private static final String FACTORY = "spark.sql.codegen.factoryMode";

  private static final String CONF =
      """
      dataset {
        source { format = csv, mode = snapshot }
        schema = [ { name = id, type = int }, { name = note, type = string } ]
        key = [id]
      }
      """;

  /** {@code rows} rows whose text makes the file about {@code rows * 110} bytes. */
  private static String csv(int rows) {
    StringBuilder sb = new StringBuilder("id,note\n");
    String pad = "x".repeat(100);
    for (int i = 0; i < rows; i++) {
      sb.append(i).append(',').append(pad).append('\n');
    }
    return sb.toString();
  }

  private static Object smallInput(TestProject.Result r) {
    return ((Map<?, ?>) r.summary().get("timings")).get("smallInput");
  }

  @Test
  void appliedUnderTheBoundOnlyAndRestoredAfterTheStage() {
    TestProject p = TestProject.create("small-input").dataset("tiny", CONF).dataset("big", CONF);
    p.land("tiny", "rows.csv", csv(100));
    // 12,000 rows of ~110 bytes: 1.3 MB, over a 1 MB bound
    p.land("big", "rows.csv", csv(12_000));
    // the commands below continue this chain: they run in the session whose settings are set here
    TestSpark.inChainOfItsOwn(
        ConfigLoader.load(p.confDir(), "local", null, List.of()),
        "small-input",
        spark -> check(p, spark.conf()));
  }

  private static void check(TestProject p, RuntimeConfig conf) {
    String wholeStage = conf.get(WHOLE_STAGE);
    String factory = conf.get(FACTORY);
    try {
      // the session runs without generated code (the tests' and lakeml's local defaults); give it
      // the opposite to see what a stage changes and gives back
      conf.set(WHOLE_STAGE, "true");
      conf.set(FACTORY, "FALLBACK");

      // what the session holds while each stage runs
      List<String> during = new CopyOnWriteArrayList<>();
      Hooks record =
          (point, ctx, subject) -> {
            if (point == Hooks.Point.JOB_START) {
              RuntimeConfig c = ctx.spark().conf();
              during.add(ctx.jobName() + " " + c.get(WHOLE_STAGE) + " " + c.get(FACTORY));
            }
          };
      try (var tinyHooks = TestHooks.install(p, "tiny", record);
          var bigHooks = TestHooks.install(p, "big", record)) {
        TestProject.Result tiny =
            p.run("ingest", "--dataset", "tiny", "--run-date", "2026-11-20").expectExit(0);
        assertThat(smallInput(tiny)).as("the default bound takes 11 kB").isEqualTo(true);
        assertThat(tiny.metric("rowsBronze")).isEqualTo(100);
        assertThat(conf.get(WHOLE_STAGE)).isEqualTo("true");
        assertThat(conf.get(FACTORY)).isEqualTo("FALLBACK");

        TestProject.Result big =
            p.run(
                    "ingest",
                    "--dataset",
                    "big",
                    "--run-date",
                    "2026-11-20",
                    "--set",
                    "spark.small-input.max-mb=1")
                .expectExit(0);
        assertThat(smallInput(big)).as("1.3 MB is over a 1 MB bound").isEqualTo(false);
        assertThat(big.metric("rowsBronze")).isEqualTo(12_000);

        TestProject.Result off =
            p.run(
                    "etl",
                    "--dataset",
                    "tiny",
                    "--run-date",
                    "2026-11-20",
                    "--set",
                    "spark.small-input.max-mb=0")
                .expectExit(0);
        assertThat(smallInput(off)).as("max-mb = 0 turns them off").isEqualTo(false);
      }
      assertThat(during)
          .containsExactly("ingest false NO_CODEGEN", "ingest true FALLBACK", "etl true FALLBACK");
      assertThat(conf.get(WHOLE_STAGE)).isEqualTo("true");
      assertThat(conf.get(FACTORY)).isEqualTo("FALLBACK");
    } finally {
      conf.set(WHOLE_STAGE, wholeStage);
      conf.set(FACTORY, factory);
    }
  }
}
