package io.lakeml.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakeml.testing.TestProject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A lake whose new tables get Delta's deletion vectors (a setting users bring from Databricks),
 * with a dataset column named {@code path}, as {@code _system.models} has one: the registry's
 * updates and etl's MERGE still work, because lakeml's defaults have UPDATE, DELETE and MERGE
 * rewrite files instead of writing deletion vectors.
 */
class DeletionVectorsTest {
  private static final String CONF =
      """
      dataset {
        source { format = csv, mode = incremental }
        schema = [ { name = id, type = int }, { name = path, type = string }, { name = x, type = double }, { name = y, type = string } ]
        key = [id]
        label { column = y, positive = "yes" }
        features { numeric = [x], categorical = [path] }
        tune { folds = 2, algorithms = [ { type = logistic-regression, grid { regParam = [0.0], maxIter = [20] } } ] }
      }
      """;

  private static final String[] PATHS = {"/home", "/cart", "/pay"};

  private static String rows(int from, int to, long seed) {
    Random r = new Random(seed);
    StringBuilder sb = new StringBuilder("id,path,x,y\n");
    for (int i = from; i < to; i++) {
      double x = Math.round(r.nextDouble() * 1000) / 1000.0;
      sb.append(i)
          .append(',')
          .append(PATHS[i % PATHS.length])
          .append(',')
          .append(x)
          .append(',')
          .append(r.nextDouble() < (x > 0.5 ? 0.8 : 0.2) ? "yes" : "no")
          .append('\n');
    }
    return sb.toString();
  }

  @Test
  void withDeletionVectorsOnForNewTablesTheRegistryUpdatesAndEtlMergesStillWork()
      throws IOException {
    TestProject p = TestProject.create("dv").dataset("visits", CONF);
    // as a user would: in the environment's configuration, for every table the lake creates
    Files.writeString(
        p.confDir().resolve("local.conf"),
        "\nspark.conf.\"spark.databricks.delta.properties.defaults.enableDeletionVectors\" = \"true\"\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.APPEND);
    p.land("visits", "a.csv", rows(0, 300, 1));
    TestProject.Result night =
        p.run(
                "nightly",
                "--in-process",
                "--dataset",
                "visits",
                "--run-date",
                "2026-11-20",
                "--until",
                "promote")
            .expectExit(0);
    Map<String, Object> promote = night.summaryOf("promote");
    assertThat(promote).containsEntry("status", "SUCCEEDED");
    assertThat(((Map<?, ?>) promote.get("metrics")).get("promoted")).isEqualTo(true);
    for (String table : new String[] {"_system.models", "silver.visits"}) {
      assertThat(
              p.sql("SHOW TBLPROPERTIES " + table + " ('delta.enableDeletionVectors')")
                  .get(0)
                  .get("value"))
          .as("deletion vectors of %s", table)
          .isEqualTo("true");
    }
    assertThat(
            p.sql("SELECT status FROM _system.models WHERE dataset = 'visits' AND version = 1")
                .get(0))
        .containsEntry("status", "champion");

    // new values for 50 known keys: etl's MERGE updates them in silver, whose column `path`
    // Delta's deletion vectors would have clashed with
    p.land("visits", "b.csv", rows(0, 50, 2));
    p.run("ingest", "--dataset", "visits", "--run-date", "2026-11-21").expectExit(0);
    TestProject.Result etl =
        p.run("etl", "--dataset", "visits", "--run-date", "2026-11-21").expectExit(0);
    assertThat(etl.status()).isEqualTo("SUCCEEDED");
    String day2 = rows(0, 50, 2).lines().skip(1).findFirst().orElseThrow();
    assertThat(
            p.sql("SELECT count(*) AS n, max(CASE WHEN id = 0 THEN x END) AS x FROM silver.visits")
                .get(0))
        .containsEntry("n", 300)
        .containsEntry("x", Double.parseDouble(day2.split(",")[2]));

    // Delta's own behaviour, which the defaults avoid: with deletion vectors written, an UPDATE of
    // the registry by a data column (not by the partition column alone, which replaces whole files)
    // fails. If this starts to pass, a Delta upgrade fixed it and the three
    // *.deletionVectors.persistent defaults in lakeml-defaults.conf can go.
    TestProject.Result withVectors =
        p.run(
            "sql",
            "UPDATE _system.models SET status_reason = 'checked' WHERE version = 1",
            "--allow-write",
            "--set",
            "spark.conf.\"spark.databricks.delta.update.deletionVectors.persistent\"=true");
    assertThat(withVectors.exitCode()).as(withVectors.stdout()).isEqualTo(1);
    assertThat(withVectors.stdout()).contains("AMBIGUOUS_REFERENCE");
  }
}
