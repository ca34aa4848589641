package io.lakeml.prepare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.lakeml.testing.TestProject;
import io.lakeml.testing.TestSpark;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** silver → gold: rules, split, no leakage, reuse of the fitted pipeline. */
class PrepareTest {
  private static final int ROWS = 3000;
  private static final String CONF =
      """
      dataset {
        schema = [ { name = id, type = int }, { name = x, type = double }, { name = colour, type = string },
                   { name = grp, type = string }, { name = y, type = string } ]
        key = [id]
        label { column = y, positive = "yes" }
        sensitive = [ { column = grp, privileged = ["a"] } ]
        features { numeric = [x], categorical = [colour] }
        %s
      }
      """;
  private static TestProject shared;

  /** The shared project's one prepare run (later runs of it are SKIPPED). */
  private static TestProject.Result sharedPrepare;

  /**
   * 3000 rows: x mostly in 0..100 with one outlier (1000) placed in the test split; ~30% positives.
   */
  private static String csv() {
    Random r = new Random(7);
    StringBuilder sb = new StringBuilder("id,x,colour,grp,y\n");
    String[] colours = {"red", "green", "blue"};
    for (int i = 0; i < ROWS; i++) {
      double x = Math.round(r.nextDouble() * 10000) / 100.0;
      String colour = i % 50 == 0 ? "NA" : colours[r.nextInt(3)];
      String y = r.nextDouble() < 0.3 ? "yes" : "no";
      sb.append(i)
          .append(',')
          .append(i % 97 == 0 ? "NA" : String.valueOf(x))
          .append(',')
          .append(colour)
          .append(',')
          .append(i % 3 == 0 ? "b" : "a")
          .append(',')
          .append(y)
          .append('\n');
    }
    return sb.toString();
  }

  /**
   * Asserts the 60/20/20 shares of a prepare run's splits, within {@code tolerance}; returns the
   * splits.
   */
  private static Map<String, Map<String, Number>> assertSplitShares(
      TestProject.Result prepare, double tolerance) {
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Number>> splits =
        (Map<String, Map<String, Number>>) prepare.metrics().get("splits");
    assertThat(splits.get("train").get("rows").doubleValue() / ROWS)
        .isCloseTo(0.6, within(tolerance));
    assertThat(splits.get("validation").get("rows").doubleValue() / ROWS)
        .isCloseTo(0.2, within(tolerance));
    assertThat(splits.get("test").get("rows").doubleValue() / ROWS)
        .isCloseTo(0.2, within(tolerance));
    return splits;
  }

  private static TestProject project(String name, String extra) {
    TestProject p = TestProject.create(name).dataset("synth", CONF.formatted(extra));
    p.land("synth", "data.csv", csv());
    p.run("ingest", "--dataset", "synth").expectExit(0);
    p.run("etl", "--dataset", "synth").expectExit(0);
    return p;
  }

  @BeforeAll
  static void prepareOnce() {
    shared = project("prepare", "");
    sharedPrepare = shared.run("prepare", "--dataset", "synth").expectExit(0);
  }

  @Test
  void theProfilesTextRangesAndTopValuesAreThoseOfTheRowsPerSplit() {
    String rows = "silver.synth s JOIN gold.synth g ON s.id = g.id";
    for (String c : List.of("colour", "grp")) {
      // colour is a categorical feature, grp a sensitive column: their min and max come from the
      // pass that counts their values by split
      for (Map<String, Object> expected :
          shared.sql(
              "SELECT coalesce(g.split, 'all') AS scope, min(s."
                  + c
                  + ") AS mn, max(s."
                  + c
                  + ") AS mx, count(DISTINCT s."
                  + c
                  + ") AS d FROM "
                  + rows
                  + " GROUP BY ROLLUP(g.split)")) {
        Map<String, Object> profiled =
            shared
                .sql(
                    "SELECT min, max, distinct_approx AS d FROM _system.profile WHERE `column` = '"
                        + c
                        + "' AND scope = '"
                        + expected.get("scope")
                        + "'")
                .get(0);
        assertThat(profiled.get("min")).as(c + " " + expected).isEqualTo(expected.get("mn"));
        assertThat(profiled.get("max")).as(c + " " + expected).isEqualTo(expected.get("mx"));
        // counted exactly from those groups
        assertThat(((Number) profiled.get("d")).longValue())
            .as(c + " " + expected)
            .isEqualTo(((Number) expected.get("d")).longValue());
      }
    }
    // the statistics pass (a number's count, nulls, range, mean and deviation) and the sketches
    // pass (the text label's range) per scope, against the same aggregates over the rows
    for (Map<String, Object> expected :
        shared.sql(
            "SELECT coalesce(g.split, 'all') AS scope, count(s.x) AS n, count(*) - count(s.x) AS nulls,"
                + " cast(min(s.x) AS string) AS mn, cast(max(s.x) AS string) AS mx, avg(s.x) AS mean,"
                + " stddev(s.x) AS sd, min(s.y) AS ymn, max(s.y) AS ymx FROM "
                + rows
                + " GROUP BY ROLLUP(g.split)")) {
      String scope = (String) expected.get("scope");
      Map<String, Object> x =
          shared
              .sql(
                  "SELECT count AS n, nulls, min AS mn, max AS mx, mean, stddev AS sd FROM _system.profile"
                      + " WHERE `column` = 'x' AND scope = '"
                      + scope
                      + "'")
              .get(0);
      assertThat(x)
          .as(scope)
          .containsEntry("n", expected.get("n"))
          .containsEntry("mn", expected.get("mn"));
      assertThat(x).as(scope).containsEntry("mx", expected.get("mx"));
      assertThat(((Number) x.get("nulls")).longValue())
          .as(scope)
          .isEqualTo(((Number) expected.get("nulls")).longValue())
          .isPositive();
      assertThat(((Number) x.get("mean")).doubleValue())
          .as(scope)
          .isCloseTo(((Number) expected.get("mean")).doubleValue(), within(1e-9));
      assertThat(((Number) x.get("sd")).doubleValue())
          .as(scope)
          .isCloseTo(((Number) expected.get("sd")).doubleValue(), within(1e-9));
      Map<String, Object> y =
          shared
              .sql(
                  "SELECT min AS mn, max AS mx FROM _system.profile WHERE `column` = 'y' AND scope = '"
                      + scope
                      + "'")
              .get(0);
      assertThat(y)
          .as(scope)
          .containsEntry("mn", expected.get("ymn"))
          .containsEntry("mx", expected.get("ymx"));
    }
    // the one-column key: its distinct count is its count, exactly (etl deduplicates by it), its
    // range and mean as for any number, and no quantiles (they would describe the numbering)
    for (Map<String, Object> expected :
        shared.sql(
            "SELECT coalesce(g.split, 'all') AS scope, count(*) AS n, cast(min(s.id) AS string) AS mn,"
                + " cast(max(s.id) AS string) AS mx FROM "
                + rows
                + " GROUP BY ROLLUP(g.split)")) {
      Map<String, Object> id =
          shared
              .sql(
                  "SELECT count AS n, distinct_approx AS d, min AS mn, max AS mx, quantiles AS q"
                      + " FROM _system.profile WHERE `column` = 'id' AND scope = '"
                      + expected.get("scope")
                      + "'")
              .get(0);
      long n = ((Number) expected.get("n")).longValue();
      assertThat(((Number) id.get("n")).longValue()).as("id %s", expected).isEqualTo(n);
      assertThat(((Number) id.get("d")).longValue()).as("id %s", expected).isEqualTo(n);
      assertThat(id)
          .as("id %s", expected)
          .containsEntry("mn", expected.get("mn"))
          .containsEntry("mx", expected.get("mx"))
          .doesNotContainKey("q"); // a null column is left out of the row's map
    }
    // a top value's label rate is the mean of the label over its rows, to the last digit
    Map<String, Object> red =
        shared
            .sql(
                "SELECT t.count AS n, t.label_rate AS rate FROM _system.profile LATERAL VIEW explode(top_values) AS t"
                    + " WHERE `column` = 'colour' AND scope = 'all' AND t.value = 'red'")
            .get(0);
    Map<String, Object> direct =
        shared
            .sql(
                "SELECT count(*) AS n, avg(g.label) AS rate FROM "
                    + rows
                    + " WHERE s.colour = 'red'")
            .get(0);
    assertThat(((Number) red.get("n")).longValue())
        .isEqualTo(((Number) direct.get("n")).longValue());
    assertThat(red.get("rate")).isEqualTo(direct.get("rate"));
  }

  @Test
  void splitIsSixtyTwentyTwentyStratifiedAndDeterministicAcrossPartitionings() {
    Map<String, Map<String, Number>> splits = assertSplitShares(sharedPrepare, 0.02);
    double trainRate = splits.get("train").get("labelRate").doubleValue();
    assertThat(splits.get("validation").get("labelRate").doubleValue())
        .isCloseTo(trainRate, within(0.02));
    assertThat(splits.get("test").get("labelRate").doubleValue())
        .isCloseTo(trainRate, within(0.02));

    // same data, other shuffle and input partitioning: the same membership (a rule every row passes
    // only changes the configuration gold depends on, so that prepare runs again instead of
    // skipping)
    assertThat(
            shared
                .run(
                    "prepare",
                    "--dataset",
                    "synth",
                    "--set",
                    "spark.conf.\"spark.sql.shuffle.partitions\"=7",
                    "--set",
                    "spark.conf.\"spark.sql.files.maxPartitionBytes\"=4096",
                    "--set",
                    "dataset.validation.rules=[ { id = any, check = row-count, min = 1, action = warn } ]")
                .expectExit(0)
                .status())
        .isEqualTo("SUCCEEDED");
    String gold = "delta.`" + shared.lake().resolve("gold/synth") + "`";
    List<Map<String, Object>> diff =
        shared.sql(
            "select count(*) as n from "
                + gold
                + " version as of 0 a join "
                + gold
                + " version as of 1 b on a.id = b.id where a.split <> b.split");
    assertThat(diff).containsExactly(Map.of("n", 0));
    assertThat(shared.sql("select count(*) as n from " + gold + " version as of 1").get(0))
        .containsEntry("n", ROWS);
    // 3000 rows: one file, as small data should be (SplitterTest spreads larger data over the
    // cores)
    assertThat(
            shared.sql(
                "select input_file_name() as f, count(*) as n from "
                    + gold
                    + " version as of 1 group by 1"))
        .hasSize(1);
    // and again with nothing gold depends on changed (the tune seed is not): skipped
    assertThat(
            shared
                .run(
                    "prepare",
                    "--dataset",
                    "synth",
                    "--set",
                    "dataset.validation.rules=[ { id = any, check = row-count, min = 1, action = warn } ]",
                    "--set",
                    "dataset.tune.seed=7")
                .expectExit(0)
                .status())
        .isEqualTo("SKIPPED");
  }

  @Test
  void aboveExactMaxRowsEachRowsOwnHashDecidesAndRowsKeepTheirSplitAsDataGrows() {
    TestProject p = project("hash-split", "prepare.split.exact-max-rows = 1000");
    // no longer exact: 3000 rows drawn independently (one standard deviation of the train share is
    // 0.009)
    assertSplitShares(p.run("prepare", "--dataset", "synth").expectExit(0), 0.03);
    String gold = "delta.`" + p.lake().resolve("gold/synth") + "`";
    // every row where its salted, seeded hash of the key puts it, as a uniform number in [0, 1)
    String expected =
        "case when u < 0.6 then 'train' when u < 0.8 then 'validation' else 'test' end";
    String uniform =
        "cast(pmod(xxhash64('lakeml-split', 42L, id), 9007199254740992L) as double) / cast(9007199254740992L as double)";
    assertThat(
            p.sql(
                "select count(*) as n from (select split, "
                    + uniform
                    + " as u from "
                    + gold
                    + ") where split <> "
                    + expected))
        .containsExactly(Map.of("n", 0));

    // 500 more rows land: every earlier row keeps its split (ranking would move some across the
    // cuts)
    StringBuilder more = new StringBuilder("id,x,colour,grp,y\n");
    for (int i = ROWS; i < ROWS + 500; i++) {
      more.append(i)
          .append(',')
          .append(i % 100)
          .append(",red,a,")
          .append(i % 3 == 0 ? "yes" : "no")
          .append('\n');
    }
    p.land("synth", "more.csv", more.toString());
    p.run("ingest", "--dataset", "synth").expectExit(0);
    p.run("etl", "--dataset", "synth").expectExit(0);
    p.run("prepare", "--dataset", "synth").expectExit(0);
    assertThat(p.sql("select count(*) as n from " + gold + " version as of 1").get(0))
        .containsEntry("n", ROWS + 500);
    assertThat(
            p.sql(
                "select count(*) as n from "
                    + gold
                    + " version as of 0 a join "
                    + gold
                    + " version as of 1 b on a.id = b.id where a.split <> b.split"))
        .containsExactly(Map.of("n", 0));
  }

  @Test
  void scalerIsFittedOnTrainOnlyAndThePipelineScoresUnseenCategories() {
    TestProject p = project("leak", "");
    // an outlier far above every other x, in a row that lands in the test split
    String gold = "delta.`" + p.lake().resolve("gold/synth") + "`";
    TestProject.Result r = p.run("prepare", "--dataset", "synth").expectExit(0);
    String testId =
        String.valueOf(
            p.sql("select id from " + gold + " where split = 'test' order by id limit 1")
                .get(0)
                .get("id"));
    p.land("synth", "outlier.csv", "id,x,colour,grp,y\n" + testId + ",1000.0,red,a,no\n");
    p.run("ingest", "--dataset", "synth").expectExit(0);
    p.run("etl", "--dataset", "synth").expectExit(0); // MERGE updates that row's x
    r = p.run("prepare", "--dataset", "synth").expectExit(0);
    assertThat(p.sql("select split from " + gold + " where id = " + testId).get(0))
        .containsEntry("split", "test");

    PipelineModel model = PipelineModel.load((String) r.metrics().get("featurePipeline"));
    StructType schema =
        new StructType()
            .add("id", DataTypes.IntegerType)
            .add("x", DataTypes.DoubleType)
            .add("colour", DataTypes.StringType)
            .add("grp", DataTypes.StringType)
            .add("y", DataTypes.StringType);
    List<Row> rows =
        List.of(
            RowFactory.create(1, 1000.0, "purple", "a", "no"),
            RowFactory.create(2, 50.0, null, "a", "no"),
            RowFactory.create(3, null, "red", "a", "no"));
    org.apache.spark.sql.Dataset<Row> transformed =
        model.transform(TestSpark.session().createDataFrame(rows, schema));
    // the helper columns (casts, imputed values, indexes, one-hot and numeric vectors) are gone:
    // XGBoost's transform would turn each of them into a Row and back for every row scored
    assertThat(transformed.columns()).containsExactly("id", "x", "colour", "grp", "y", "features");
    assertThat(
            org.apache.spark.ml.attribute.AttributeGroup.fromStructField(
                    transformed.schema().apply("features"))
                .size())
        .as("the assembler's slot names survive the last stage")
        .isEqualTo(((Vector) transformed.select("features").first().get(0)).size());
    List<Row> out = transformed.select("features").collectAsList();
    // min-max fitted on train (max ~100): the test outlier scales far above 1, not to 1
    assertThat(((Vector) out.get(0).get(0)).apply(0)).isGreaterThan(5.0);
    assertThat(((Vector) out.get(1).get(0)).apply(0)).isBetween(0.4, 0.6);
    // missing x is imputed with the training median, still inside 0..1
    assertThat(((Vector) out.get(2).get(0)).apply(0)).isBetween(0.3, 0.7);
    // the unseen colour "purple" does not crash and gets no known colour slot
    Vector purple = (Vector) out.get(0).get(0);
    Vector red = (Vector) out.get(2).get(0);
    assertThat(purple.size()).isEqualTo(red.size());
    assertThat(purple.numNonzeros()).isEqualTo(2);
  }

  @Test
  void rulesWarnDropAndFailWithExactCounts() {
    TestProject p =
        project(
            "rules",
            """
        validation.rules = [
          { id = x-complete, check = not-null, column = x, max-null-ratio = 0.05, action = warn }
          { id = x-range, check = range, column = x, min = 10, max = 90, action = drop }
          { id = colour-known, check = allowed, column = colour, values = [red, green], action = warn }
          { id = grp-format, check = regex, column = grp, pattern = "^[ab]$", action = fail }
          { id = grp-is-a, check = regex, column = grp, pattern = "^a$", action = warn }
          { id = id-unique, check = unique, column = id, action = fail }
          { id = colour-unique, check = unique, column = colour, action = warn }
          { id = custom, check = sql, expression = "x is null or x >= 5", action = drop }
          { id = enough, check = row-count, min = 100, action = fail }
        ]
        prepare.missing { x = drop, colour = "constant:grey" }
        """);
    TestProject.Result r =
        p.run("prepare", "--dataset", "synth", "--run-date", "2026-11-01").expectExit(0);
    Map<String, Map<String, Object>> q = new java.util.HashMap<>();
    for (Map<String, Object> row :
        p.sql("select * from _system.quality where run_date = '2026-11-01'")) {
      q.put((String) row.get("rule_id"), row);
    }
    assertThat(q).hasSize(9);
    long nullX =
        ((Number) p.sql("select count(*) as n from silver.synth where x is null").get(0).get("n"))
            .longValue();
    long outOfRange =
        ((Number)
                p.sql("select count(*) as n from silver.synth where x < 10 or x > 90")
                    .get(0)
                    .get("n"))
            .longValue();
    long below5 =
        ((Number) p.sql("select count(*) as n from silver.synth where x < 5").get(0).get("n"))
            .longValue();
    long blue =
        ((Number)
                p.sql("select count(*) as n from silver.synth where colour = 'blue'")
                    .get(0)
                    .get("n"))
            .longValue();
    assertThat(nullX).isEqualTo(31); // every 97th row
    assertThat(q.get("x-complete")).containsEntry("rows_failed", 31).containsEntry("passed", true);
    assertThat(q.get("x-range"))
        .containsEntry("rows_failed", (int) outOfRange)
        .containsEntry("passed", false);
    assertThat(q.get("colour-known")).containsEntry("rows_failed", (int) blue);
    assertThat(q.get("grp-format")).containsEntry("rows_failed", 0).containsEntry("passed", true);
    assertThat(q.get("grp-is-a"))
        .containsEntry("rows_failed", 1000)
        .containsEntry("passed", false); // every third row is b
    assertThat(q.get("id-unique")).containsEntry("rows_failed", 0);
    // 60 colours are missing (NA); the other 2940 rows hold 3 distinct values: 2937 repeats
    assertThat(q.get("colour-unique"))
        .containsEntry("rows_failed", 2937)
        .containsEntry("passed", false);
    assertThat(q.get("custom")).containsEntry("rows_failed", (int) below5);
    assertThat(q.get("enough"))
        .containsEntry("observed", (double) ROWS)
        .containsEntry("passed", true);
    // dropped rows (out of range, x < 5 is a subset) are quarantined with the rule ids, not in gold
    assertThat(r.metric("rowsQuarantined")).isEqualTo(outOfRange);
    // missing x: policy drop leaves the 31 rows out of gold (counted, still in silver)
    assertThat(r.metric("rowsUnusable")).isEqualTo(31);
    assertThat(r.metric("rowsGold")).isEqualTo(ROWS - outOfRange - 31);
    // missing colour: filled with the constant, which is then a category learnt from train
    PipelineModel model = PipelineModel.load((String) r.metrics().get("featurePipeline"));
    StructType schema =
        new StructType()
            .add("id", DataTypes.IntegerType)
            .add("x", DataTypes.DoubleType)
            .add("colour", DataTypes.StringType)
            .add("grp", DataTypes.StringType)
            .add("y", DataTypes.StringType);
    List<Row> vectors =
        model
            .transform(
                TestSpark.session()
                    .createDataFrame(
                        List.of(
                            RowFactory.create(1, 50.0, null, "a", "no"),
                            RowFactory.create(2, 50.0, "grey", "a", "no"),
                            RowFactory.create(3, 50.0, "red", "a", "no")),
                        schema))
            .select("features")
            .collectAsList();
    assertThat(vectors.get(0).get(0)).isEqualTo(vectors.get(1).get(0));
    assertThat(vectors.get(0).get(0)).isNotEqualTo(vectors.get(2).get(0));
    // colour-known, grp-is-a, colour-unique (warn), x-range and custom (drop) did not pass
    assertThat(r.metric("rulesViolated")).isEqualTo(5);
    assertThat(
            p.sql(
                "select reason, count(*) as n from _system.quarantine where stage = 'prepare' group by reason order by reason"))
        .containsExactly(
            Map.of("reason", "validation rule x-range", "n", (int) (outOfRange - below5)),
            Map.of("reason", "validation rule x-range; validation rule custom", "n", (int) below5));

    // failing 'fail' rules: exit 1, message names rules and counts, gold unchanged, results still
    // recorded
    String gold = "delta.`" + p.lake().resolve("gold/synth") + "`";
    int goldVersions = p.sql("describe history " + gold).size();
    TestProject.Result bad =
        p.run(
                "prepare",
                "--dataset",
                "synth",
                "--run-date",
                "2026-11-02",
                "--set",
                "dataset.validation.rules=[ { id = few, check = row-count, max = 100, action = fail },"
                    + " { id = x-present, check = not-null, column = x, action = fail } ]")
            .expectExit(1);
    assertThat((String) bad.summary().get("message"))
        .contains("validation failed, no gold version written")
        .contains("rule 'few' (row-count): 3000 rows, expected at most 100")
        .contains("rule 'x-present' (not-null on x): 31 of 3000 rows are null");
    assertThat(p.sql("describe history " + gold)).hasSize(goldVersions);
    assertThat(
            p.sql(
                "select rule_id, passed from _system.quality where run_date = '2026-11-02' order by rule_id"))
        .containsExactly(
            Map.of("rule_id", "few", "passed", false),
            Map.of("rule_id", "x-present", "passed", false));
  }

  @Test
  void aNumberWithThousandsOfValuesAsTheLabelIsNamedARegressionTarget() {
    TestProject p =
        TestProject.create("regression-label")
            .dataset(
                "houses",
                """
        dataset {
          schema = [ { name = id, type = int }, { name = price, type = double }, { name = colour, type = string } ]
          key = [id]
          label { column = price }
          features { categorical = [colour] }
        }
        """);
    StringBuilder csv = new StringBuilder("id,price,colour\n");
    for (int i = 0; i < 1200; i++) {
      csv.append(i)
          .append(',')
          .append(100_000 + 37 * i)
          .append(',')
          .append(i % 2 == 0 ? "red" : "blue")
          .append('\n');
    }
    p.land("houses", "houses.csv", csv.toString());
    p.run("ingest", "--dataset", "houses").expectExit(0);
    p.run("etl", "--dataset", "houses").expectExit(0);
    TestProject.Result regression = p.run("prepare", "--dataset", "houses").expectExit(1);
    assertThat((String) regression.summary().get("message"))
        .contains("label price has more than 1000 distinct values")
        .contains("regression target")
        .doesNotContain("dataset.label.positive");

    // rounded to 26 values, the same number trains as 26 classes: prepare says what that means
    p.dataset(
        "bands",
        """
        dataset {
          schema = [ { name = id, type = int }, { name = price, type = int }, { name = colour, type = string } ]
          key = [id]
          label { column = price }
          features { categorical = [colour] }
        }
        """);
    StringBuilder rounded = new StringBuilder("id,price,colour\n");
    for (int i = 0; i < 520; i++) {
      rounded
          .append(i)
          .append(',')
          .append(100_000 + 25_000 * (i % 26))
          .append(',')
          .append(i % 2 == 0 ? "red" : "blue")
          .append('\n');
    }
    p.land("bands", "bands.csv", rounded.toString());
    p.run("ingest", "--dataset", "bands").expectExit(0);
    p.run("etl", "--dataset", "bands").expectExit(0);
    TestProject.Result bands = p.run("prepare", "--dataset", "bands").expectExit(0);
    assertThat((String) bands.metrics().get("caution"))
        .startsWith("label price is a number with 26 values, trained as 26 unordered classes");
  }

  @Test
  void aBinaryLabelWithTooFewRowsOfAClassForEverySplitFailsBeforeGoldSayingHowMany() {
    // 3 positives in 60 rows: stratified 60/20/20, validation gets none of them (tune failed on it
    // with MLlib's "key not found: 1.0" before)
    TestProject p =
        TestProject.create("rare")
            .dataset(
                "rare",
                """
        dataset {
          schema = [ { name = id, type = int }, { name = x, type = double }, { name = flag, type = string } ]
          key = [id]
          label { column = flag, positive = "yes" }
          features { numeric = [x] }
        }
        """);
    StringBuilder csv = new StringBuilder("id,x,flag\n");
    for (int i = 0; i < 60; i++) {
      csv.append(i).append(',').append(i / 60.0).append(',').append(i % 20 == 0 ? "yes" : "no");
      csv.append('\n');
    }
    p.land("rare", "rare.csv", csv.toString());
    p.run("ingest", "--dataset", "rare").expectExit(0);
    p.run("etl", "--dataset", "rare").expectExit(0);
    TestProject.Result rare = p.run("prepare", "--dataset", "rare").expectExit(1);
    assertThat((String) rare.summary().get("message"))
        .contains(
            "split has no row of the class \"yes\" of flag: 3 of the 60 usable rows are \"yes\"")
        .contains("at least 5 of each class")
        .contains("No gold version written");
    assertThat(java.nio.file.Path.of(java.net.URI.create(p.catalog().gold("rare").path())))
        .doesNotExist();
    // no row at all of the positive class: its spelling, not the row count, is what to fix
    assertThat(
            (String)
                p.run("prepare", "--dataset", "rare", "--set", "dataset.label.positive=Y")
                    .expectExit(1)
                    .summary()
                    .get("message"))
        .contains(
            "none of the 60 usable rows has flag = \"Y\", the positive class of dataset.label.positive;"
                + " the data's values of flag are [no, yes]");

    // a numeric feature no row fills: nothing to impute it from (MLlib's Imputer failed with
    // "surrogate cannot be computed")
    p.dataset(
        "hollow",
        """
        dataset {
          schema = [ { name = id, type = int }, { name = x, type = double }, { name = gone, type = double }, { name = y, type = string } ]
          key = [id]
          label { column = y, positive = "yes" }
          features { numeric = [x, gone] }
        }
        """);
    StringBuilder hollow = new StringBuilder("id,x,gone,y\n");
    for (int i = 0; i < 60; i++) {
      hollow
          .append(i)
          .append(',')
          .append(i / 60.0)
          .append(",NA,")
          .append(i % 2 == 0 ? "yes" : "no");
      hollow.append('\n');
    }
    p.land("hollow", "hollow.csv", hollow.toString());
    p.run("ingest", "--dataset", "hollow").expectExit(0);
    p.run("etl", "--dataset", "hollow").expectExit(0);
    assertThat(
            (String) p.run("prepare", "--dataset", "hollow").expectExit(1).summary().get("message"))
        .startsWith("numeric feature(s) [gone] have no value in any of the 36 training rows")
        .contains("Remove them from dataset.features.numeric");
  }

  @Test
  void timeColumnSplitTrainsOnThePast() {
    TestProject p =
        TestProject.create("time-split")
            .dataset(
                "events",
                """
        dataset {
          schema = [ { name = id, type = int }, { name = day, type = date }, { name = v, type = double }, { name = y, type = string } ]
          key = [id]
          label { column = y, positive = "1" }
          features { numeric = [v] }
          prepare.split.time-column = day
          prepare.derived = [ { name = weekday, expression = "dayofweek(day)", kind = categorical }, { name = v2, expression = "v * v" } ]
        }
        """);
    StringBuilder csv = new StringBuilder("id,day,v,y\n");
    java.time.LocalDate start = java.time.LocalDate.parse("2026-01-01");
    for (int i = 0; i < 500; i++) {
      csv.append(i)
          .append(',')
          .append(start.plusDays(499 - i))
          .append(',')
          .append(i % 7)
          .append(',')
          .append(i % 2)
          .append('\n');
    }
    p.land("events", "events.csv", csv.toString());
    p.run("ingest", "--dataset", "events").expectExit(0);
    p.run("etl", "--dataset", "events").expectExit(0);
    TestProject.Result r = p.run("prepare", "--dataset", "events").expectExit(0);
    // v and the derived v2 scaled, plus 7 weekdays one-hot encoded with an unknown slot
    assertThat(r.metric("features")).isEqualTo(2 + 7 + 1);
    String gold = "delta.`" + p.lake().resolve("gold/events") + "`";
    List<Map<String, Object>> ranges =
        p.sql(
            "select g.split, count(*) as n, min(s.day) as first, max(s.day) as last from "
                + gold
                + " g join silver.events s on g.id = s.id group by g.split order by first");
    assertThat(ranges)
        .extracting(m -> m.get("split"), m -> m.get("n"), m -> m.get("first"), m -> m.get("last"))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("train", 300, "2026-01-01", "2026-10-27"),
            org.assertj.core.groups.Tuple.tuple("validation", 100, "2026-10-28", "2027-02-04"),
            org.assertj.core.groups.Tuple.tuple("test", 100, "2027-02-05", "2027-05-15"));
    // a time split is always ranked, however many rows: train must be the past
    p.run("prepare", "--dataset", "events", "--set", "dataset.prepare.split.exact-max-rows=10")
        .expectExit(0);
    assertThat(
            p.sql(
                "select g.split, count(*) as n, min(s.day) as first, max(s.day) as last from "
                    + gold
                    + " g join silver.events s on g.id = s.id group by g.split order by first"))
        .isEqualTo(ranges);
  }
}
