package io.lakeml.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakeml.config.DatasetConfig.Check;
import io.lakeml.config.DatasetConfig.DriftPolicy;
import io.lakeml.config.DatasetConfig.Format;
import io.lakeml.config.DatasetConfig.Mode;
import io.lakeml.testing.TestProject;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Loading, precedence and validation of configuration; no Spark involved. */
class ConfigLoaderTest {
  private static final String MINIMAL =
      """
      dataset {
        schema = [ { name = id, type = string }, { name = x, type = double }, { name = y, type = string } ]
        key = [id]
        label { column = y, positive = "1" }
        features { numeric = [x] }
        validation.rules = [ { id = x-range, check = range, column = x, min = 0, action = drop } ]
      }
      """;

  private static LakemlConfig load(TestProject p, String dataset, String... sets) {
    return ConfigLoader.load(p.confDir(), "local", dataset, List.of(sets));
  }

  private static ConfigException fails(TestProject p, String dataset, String... sets) {
    try {
      load(p, dataset, sets);
    } catch (ConfigException e) {
      return e;
    }
    throw new AssertionError("configuration was accepted");
  }

  @Test
  void rangesAndGlobsNameManyColumnsInTheSchemaAndTheFeatures() {
    TestProject p =
        TestProject.create("cfg-wide")
            .dataset(
                "wide",
                """
        dataset {
          schema = [ { name = id, type = int }, { name = "pixel{1..784}", type = double }, { name = "f{08..11}", type = int },
                     { name = kind, type = string }, { name = label, type = string } ]
          key = [id]
          label { column = label }
          features { numeric = ["pixel*", "f{09..10}"], categorical = ["k?nd"] }
        }
        """);
    DatasetConfig ds = load(p, "wide").requireDataset();
    assertThat(ds.columnNames())
        .hasSize(1 + 784 + 4 + 2)
        .contains("pixel1", "pixel784", "f08", "f11")
        .doesNotContain("pixel0", "pixel785");
    assertThat(ds.column("f09").orElseThrow().type()).isEqualTo(ColumnType.INT);
    assertThat(ds.features().numeric())
        .hasSize(786)
        .startsWith("pixel1", "pixel2")
        .endsWith("pixel784", "f09", "f10");
    assertThat(ds.features().categorical()).containsExactly("kind");
    // a glob never makes the label or the key a feature; a pattern that names nothing is an error
    p.dataset(
        "star",
        """
        dataset {
          schema = [ { name = id, type = int }, { name = "x{1..3}", type = double }, { name = y, type = string } ]
          key = [id]
          label { column = y, positive = "1" }
          features { numeric = ["*"] }
        }
        """);
    assertThat(load(p, "star").requireDataset().features().numeric())
        .containsExactly("x1", "x2", "x3");
    assertThat(fails(p, "star", "dataset.features.categorical=[\"z*\"]").getMessage())
        .contains("'z*' matches no column");
    assertThat(fails(p, "star", "dataset.features.numeric=[\"x{3..1}\"]").getMessage())
        .contains("runs backwards");
  }

  @Test
  void aNewConfigurationFolderWithoutAnEnvironmentSaysWhatToCopy() throws Exception {
    java.nio.file.Path dir =
        java.nio.file.Files.createDirectories(
                TestProject.create("cfg-empty").dir().resolve("other-conf/datasets"))
            .getParent();
    assertThatThrownBy(() -> ConfigLoader.load(dir, "local", null, List.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(
            dir + " holds no environment file yet: copy the project's conf/local.conf there");
    java.nio.file.Files.writeString(dir.resolve("cluster.conf"), "");
    assertThatThrownBy(() -> ConfigLoader.load(dir, "local", null, List.of()))
        .hasMessageContaining("Use one of [cluster] or create " + dir.resolve("local.conf"));
  }

  @Test
  void shippedTitanicBindsToTypedValues() {
    DatasetConfig ds = load(TestProject.create("cfg"), "titanic").requireDataset();
    assertThat(ds.name()).isEqualTo("titanic");
    assertThat(ds.source().format()).isEqualTo(Format.CSV);
    assertThat(ds.source().mode()).isEqualTo(Mode.INCREMENTAL);
    assertThat(ds.source().missingValues()).containsExactly("NA", "");
    assertThat(ds.columnNames())
        .containsExactly("name", "survived", "sex", "age", "passengerClass");
    assertThat(ds.column("age").orElseThrow().type()).isEqualTo(ColumnType.DOUBLE);
    assertThat(ds.key()).containsExactly("name");
    assertThat(ds.label().orElseThrow().positive()).contains("yes");
    assertThat(ds.sensitive().get(0).privileged()).containsExactly("female");
    assertThat(ds.bias().intersections()).containsExactly(List.of("sex", "passengerClass"));
    assertThat(ds.rules())
        .extracting(DatasetConfig.Rule::check)
        .containsExactly(Check.NOT_NULL, Check.ALLOWED, Check.RANGE, Check.UNIQUE, Check.ROW_COUNT);
    assertThat(ds.tune().algorithms())
        .extracting(DatasetConfig.Algorithm::type)
        .containsExactly("logistic-regression", "random-forest", "xgboost");
    assertThat(ds.tune().algorithms().get(0).grid().get("regParam")).containsExactly("0.01", "0.1");
  }

  @Test
  void everyShippedDatasetLoads() {
    TestProject p = TestProject.create("cfg");
    for (String name : List.of("titanic", "credit_data", "telco_churn", "contract_churn")) {
      assertThat(load(p, name).requireDataset().columns()).isNotEmpty();
    }
    DatasetConfig credit = load(p, "credit_data").requireDataset();
    assertThat(credit.source().mode()).isEqualTo(Mode.SNAPSHOT);
    assertThat(credit.label().orElseThrow().favorable()).contains("good");
    assertThat(credit.label().orElseThrow().positive()).contains("bad");
    // the imbalanced samples choose their decision threshold on validation
    assertThat(credit.tune().threshold().rule()).isEqualTo(DatasetConfig.ThresholdRule.F1);
    assertThat(load(p, "contract_churn").requireDataset().tune().threshold().rule())
        .isEqualTo(DatasetConfig.ThresholdRule.BASE_RATE);
  }

  @Test
  void precedenceIsSetThenEnvThenDatasetThenDefaults() {
    TestProject p =
        TestProject.create("cfg")
            .dataset(
                "prec",
                MINIMAL
                    + """
        dataset.tune.folds = 4
        dataset.tune.parallelism = 3
        dataset.source.schema-drift = evolve
        spark.master = "local[1]"
        """);
    LakemlConfig c = load(p, "prec");
    // defaults only
    assertThat(c.requireDataset().tune().seed()).isEqualTo(42);
    assertThat(c.requireDataset().source().maxFilesPerBatch()).isEqualTo(1000);
    // dataset file over defaults
    assertThat(c.requireDataset().tune().folds()).isEqualTo(4);
    assertThat(c.requireDataset().source().schemaDrift()).isEqualTo(DriftPolicy.EVOLVE);
    // environment file (local.conf sets local[2]) over dataset file
    assertThat(c.spark().master()).isEqualTo("local[2]");
    // --set over everything
    LakemlConfig s =
        load(p, "prec", "dataset.tune.folds=5", "spark.master=local[3]", "lake.root=/tmp/x y");
    assertThat(s.requireDataset().tune().folds()).isEqualTo(5);
    assertThat(s.requireDataset().tune().parallelism()).isEqualTo(3);
    assertThat(s.spark().master()).isEqualTo("local[3]");
    assertThat(s.lake().root()).isEqualTo("/tmp/x y");
    assertThat(s.hash()).isNotEqualTo(c.hash());
    // of two --set of one key the later wins (the bench narrows a dataset's algorithms this way)
    LakemlConfig twice = load(p, "prec", "dataset.tune.folds=5", "dataset.tune.folds=2");
    assertThat(twice.requireDataset().tune().folds()).isEqualTo(2);
    assertThat(twice.datasetHash()).isNotEqualTo(s.datasetHash());
    // the search changes a model version, not gold; deployment changes neither
    assertThat(twice.modelHash()).isNotEqualTo(s.modelHash());
    assertThat(twice.goldHash()).isEqualTo(s.goldHash());
    LakemlConfig deployed = load(p, "prec", "dataset.tune.folds=2", "dataset.deploy.margin=0.01");
    assertThat(deployed.datasetHash()).isNotEqualTo(twice.datasetHash());
    assertThat(deployed.modelHash()).isEqualTo(twice.modelHash());
    assertThat(deployed.goldHash()).isEqualTo(twice.goldHash());
    LakemlConfig split = load(p, "prec", "dataset.prepare.split.seed=7");
    assertThat(split.goldHash()).isNotEqualTo(c.goldHash());
  }

  @Test
  void sparkSettingsReachSparkUnderTheirOwnNames() {
    // HOCON needs quotes around a dotted key; Spark must get the key without them (and nested keys
    // joined)
    LakemlConfig c =
        load(
            TestProject.create("cfg")
                .dataset("conf", MINIMAL + "spark.conf { spark.sql.ansi.enabled = true }\n"),
            "conf",
            "spark.conf.\"spark.sql.adaptive.enabled\"=false");
    assertThat(c.spark().conf())
        .containsEntry("spark.sql.shuffle.partitions", "4") // local.conf writes it quoted
        .containsEntry("spark.databricks.delta.snapshotPartitions", "1")
        .containsEntry("spark.ui.enabled", "false")
        .containsEntry("spark.sql.ansi.enabled", "true")
        .containsEntry("spark.sql.adaptive.enabled", "false");
    assertThat(c.spark().conf().keySet()).noneMatch(k -> k.contains("\""));
  }

  @Test
  void wideInputSettingsNameStagesOfTheNightly() {
    TestProject p = TestProject.create("cfg").dataset("conf", MINIMAL);
    Settings.WideInput wide = load(p, "conf").spark().wideInput();
    assertThat(wide.minColumns()).isEqualTo(200);
    assertThat(wide.stages()).containsExactly("ingest", "etl");
    assertThat(wide.conf()).containsEntry("spark.sql.codegen.factoryMode", "NO_CODEGEN");
    ConfigException e = fails(p, "conf", "spark.wide-input.stages=[ingest, etll]");
    assertThat(e.getMessage())
        .contains("spark.wide-input.stages")
        .contains("'etll'")
        .contains("etl");
  }

  @Test
  void misspelledKeyNamesKeyFileLineAndSuggestion() {
    TestProject p =
        TestProject.create("cfg")
            .dataset("typo", MINIMAL + "dataset.lable { column = y, positive = \"1\" }\n");
    ConfigException e = fails(p, "typo");
    assertThat(e.problems()).hasSize(2); // .column and .positive
    assertThat(e.getMessage())
        .contains("unknown key 'dataset.lable.column'")
        .contains("typo.conf: 8")
        .contains("did you mean 'dataset.label.column'?");
  }

  @Test
  void theLabelOrTheKeyAsAFeatureIsRejectedWithFileAndLine() {
    TestProject p =
        TestProject.create("cfg")
            .dataset(
                "leak",
                MINIMAL.replace(
                    "features { numeric = [x] }",
                    "features {\n    numeric = [x, id]\n    categorical = [y]\n  }"));
    ConfigException e = fails(p, "leak");
    assertThat(e.problems()).hasSize(2);
    assertThat(e.getMessage())
        .contains("'dataset.features.categorical'")
        .contains("the label column 'y' is listed as a feature")
        .contains("Remove 'y' from dataset.features.categorical")
        .contains("'dataset.features.numeric'")
        .contains("the key column 'id' is listed as a feature")
        .contains("leak.conf: ");
    // through the CLI: exit 2 before any Spark session
    int sessions = io.lakeml.core.SparkSessions.requests(p.dir());
    TestProject.Result r = p.run("prepare", "--dataset", "leak").expectExit(2);
    assertThat(r.stderr() + r.stdout()).contains("the label column 'y' is listed as a feature");
    assertThat(io.lakeml.core.SparkSessions.requests(p.dir())).isEqualTo(sessions);
  }

  @Test
  void aColumnNamedLikeOneLakemlAddsIsRejectedWithTheLandedAsThatRenamesIt() {
    // gold adds weight (1.0 for every row): a feature of that name was replaced silently, and the
    // model learnt nothing from it (AUC 0.53 instead of 0.90 on data where it decides the label)
    TestProject p =
        TestProject.create("cfg")
            .dataset(
                "clash",
                """
        dataset {
          schema = [ { name = id, type = string }, { name = Weight, type = double }, { name = split, type = string },
                     { name = run_date, type = string }, { name = label, type = string }, { name = y, type = string } ]
          key = [id]
          label { column = y, positive = "1" }
          features { numeric = [Weight], categorical = [split, run_date, label] }
        }
        """);
    ConfigException e = fails(p, "clash");
    // run_date is not a key column, so the predictions table does not carry it beside its own
    assertThat(e.problems()).hasSize(3);
    assertThat(e.getMessage())
        .contains(
            "column 'Weight' has the name of a column lakeml adds beside the dataset's own (gold's training weight)")
        .contains("{ name = Weight_value, type = double, landed-as = \"Weight\" }")
        .contains("column 'split' has the name")
        .contains("column 'label' has the name")
        .doesNotContain("'run_date'");
    // a key column named like one of the predictions' columns clashes there
    p.dataset(
        "keyed",
        MINIMAL
            .replace("name = id,", "name = run_date,")
            .replace("key = [id]", "key = [run_date]"));
    assertThat(fails(p, "keyed").getMessage())
        .contains(
            "column 'run_date' has the name of a column lakeml adds beside the dataset's own (predictions' run date)");
    // the label column may be named label; a dataset without a label has no gold, so no clash
    p.dataset(
        "labelled",
        MINIMAL.replace("name = y,", "name = label,").replace("column = y,", "column = label,"));
    assertThat(load(p, "labelled").requireDataset().label().orElseThrow().column())
        .isEqualTo("label");
    p.dataset(
        "unlabelled",
        """
        dataset {
          schema = [ { name = id, type = string }, { name = weight, type = double } ]
          key = [id]
        }
        """);
    assertThat(load(p, "unlabelled").requireDataset().columnNames()).contains("weight");
    // a derived feature may not take such a name either
    assertThat(
            fails(
                    p,
                    "labelled",
                    "dataset.prepare.derived=[{ name = features, expression = \"x * 2\" }]")
                .getMessage())
        .contains(
            "derived feature name 'features' is invalid, clashes with a schema column or is one lakeml adds");
  }

  @Test
  void thresholdIsARuleOrANumberBetweenZeroAndOne() {
    TestProject p = TestProject.create("cfg").dataset("thr", MINIMAL);
    assertThat(load(p, "thr").requireDataset().tune().threshold().toString()).isEqualTo("0.5");
    assertThat(
            load(p, "thr", "dataset.tune.threshold=f1").requireDataset().tune().threshold().rule())
        .isEqualTo(DatasetConfig.ThresholdRule.F1);
    assertThat(
            load(p, "thr", "dataset.tune.threshold=base-rate")
                .requireDataset()
                .tune()
                .threshold()
                .rule())
        .isEqualTo(DatasetConfig.ThresholdRule.BASE_RATE);
    assertThat(
            load(p, "thr", "dataset.tune.threshold=0.3")
                .requireDataset()
                .tune()
                .threshold()
                .value())
        .isEqualTo(0.3);
    assertThat(fails(p, "thr", "dataset.tune.threshold=f2").getMessage())
        .contains("'f2' is not a threshold rule")
        .contains("did you mean 'f1'?");
    assertThat(fails(p, "thr", "dataset.tune.threshold=1.5").getMessage())
        .contains("'1.5' is not a threshold rule");
  }

  @Test
  void unknownKeyInsideAListItemIsReported() {
    TestProject p =
        TestProject.create("cfg")
            .dataset("item", MINIMAL.replace("min = 0,", "min = 0, colum = x,"));
    assertThat(fails(p, "item").getMessage())
        .contains("unknown key 'dataset.validation.rules[0].colum'")
        .contains("did you mean 'column'?");
  }

  @Test
  void unknownTopLevelSectionIsReported() {
    TestProject p = TestProject.create("cfg").dataset("root", MINIMAL + "datset.key = [id]\n");
    assertThat(fails(p, "root").getMessage())
        .contains("unknown key 'datset.key'")
        .contains("did you mean 'dataset'?");
  }

  @Test
  void wrongTypeIsReported() {
    TestProject p =
        TestProject.create("cfg").dataset("types", MINIMAL + "dataset.tune.folds = three\n");
    assertThat(fails(p, "types").getMessage())
        .contains("'dataset.tune.folds' (")
        .contains("types.conf: 8")
        .contains("expected a whole number but found string");
  }

  @Test
  void badEnumValueListsAllowedValues() {
    TestProject p =
        TestProject.create("cfg").dataset("enums", MINIMAL + "dataset.source.format = cvs\n");
    assertThat(fails(p, "enums").getMessage())
        .contains("'dataset.source.format'")
        .contains("'cvs' is not one of [csv, json, parquet, jdbc]")
        .contains("did you mean 'csv'?");
  }

  @Test
  void missingRequiredKeyIsReported() {
    TestProject p =
        TestProject.create("cfg")
            .dataset(
                "missing",
                MINIMAL.replace(
                    "label { column = y, positive = \"1\" }", "label { positive = \"1\" }"));
    assertThat(fails(p, "missing").getMessage())
        .contains("missing required key 'dataset.label.column'");
    TestProject q = TestProject.create("cfg").dataset("noschema", "dataset.key = []\n");
    assertThat(fails(q, "noschema").getMessage())
        .contains("'dataset.schema'")
        .contains("declares no columns");
  }

  @Test
  void multiclassLabelsGetMulticlassMetricsAndAlgorithmsOnly() {
    String multi =
        MINIMAL.replace("label { column = y, positive = \"1\" }", "label { column = y }");
    TestProject p =
        TestProject.create("cfg")
            .dataset(
                "multi",
                multi
                    + """
        dataset.tune.algorithms = [ { type = random-forest, grid { maxDepth = [3] } } ]
        """);
    DatasetConfig ds = load(p, "multi").requireDataset();
    assertThat(ds.label().orElseThrow().binary()).isFalse();
    assertThat(ds.tune().metric()).isEqualTo("f1");
    p.dataset(
        "bad",
        multi
            + """
        dataset.label.favorable = "1"
        dataset.tune { metric = areaUnderROC, algorithms = [ { type = gradient-boosted-trees } ] }
        """);
    assertThat(fails(p, "bad").getMessage())
        .contains("'areaUnderROC' is not a metric for a multiclass label")
        .contains("gradient-boosted-trees supports binary labels only")
        .contains("a favorable outcome needs a binary label");
  }

  @Test
  void rangesNeedARandomSearchAndBindWithTheirScale() {
    String ranged =
        MINIMAL
            + """
        dataset.tune.algorithms = [ { type = logistic-regression, grid { regParam = { min = 0.001, max = 1, scale = log }, maxIter = [20] } } ]
        """;
    TestProject p = TestProject.create("cfg").dataset("ranged", ranged);
    assertThat(fails(p, "ranged").getMessage()).contains("ranges (regParam) need a random search");
    DatasetConfig ds = load(p, "ranged", "dataset.tune.strategy=random").requireDataset();
    DatasetConfig.Algorithm a = ds.tune().algorithms().get(0);
    assertThat(a.ranges()).containsEntry("regParam", new DatasetConfig.Range(0.001, 1.0, true));
    assertThat(a.grid()).containsEntry("maxIter", List.of("20"));
    assertThat(fails(p, "ranged", "dataset.tune.strategy=randon").getMessage())
        .contains("did you mean 'random'");
    p.dataset(
        "badrange",
        MINIMAL
            + """
        dataset.tune.algorithms = [ { type = logistic-regression, grid { regParam = { min = 0, max = 1, scale = log } } } ]
        dataset.tune.strategy = random
        """);
    assertThat(fails(p, "badrange").getMessage()).contains("a log-scale range needs min > 0");
  }

  @Test
  void columnReferencedInRulesButAbsentFromSchemaIsReported() {
    TestProject p =
        TestProject.create("cfg")
            .dataset("rules", MINIMAL.replace("column = x, min = 0", "column = xx, min = 0"));
    ConfigException e = fails(p, "rules");
    assertThat(e.getMessage())
        .contains("'dataset.validation.rules[0].column'")
        .contains("rules.conf: 6")
        .contains("column 'xx' is not in the dataset schema [id, x, y]")
        .contains("did you mean 'x'?");
  }

  @Test
  void danglingColumnsInKeyLabelFeaturesAndSensitiveAreAllReportedAtOnce() {
    TestProject p =
        TestProject.create("cfg")
            .dataset(
                "many",
                MINIMAL
                    + "dataset.key = [ident]\ndataset.features.categorical = [colour]\ndataset.sensitive = [ { column = sex, privileged = [m] } ]\n");
    ConfigException e = fails(p, "many");
    assertThat(e.problems()).hasSize(3);
    assertThat(e.getMessage()).contains("'ident'").contains("'colour'").contains("'sex'");
  }

  @Test
  void ruleShapeIsValidated() {
    TestProject p =
        TestProject.create("cfg")
            .dataset(
                "shape",
                MINIMAL.replace(
                    "{ id = x-range, check = range, column = x, min = 0, action = drop }",
                    "{ id = a, check = range, column = x, action = drop }, { id = b, check = regex, column = y, pattern = \"[\" },"
                        + " { id = c, check = between, column = x }, { id = d, check = allowed, column = y, action = maybe }"));
    ConfigException e = fails(p, "shape");
    assertThat(e.getMessage())
        .contains("a 'range' rule needs min, max or both")
        .contains("invalid regular expression")
        .contains("'between' is not a known check")
        .contains("an 'allowed' rule needs the list of allowed values")
        .contains("'maybe' is not one of [warn, drop, fail]");
  }

  @Test
  void unknownAlgorithmIsReported() {
    TestProject p =
        TestProject.create("cfg")
            .dataset(
                "algo",
                MINIMAL
                    + "dataset.tune.algorithms = [ { type = random-forrest, grid { numTrees = [10] } } ]\n");
    assertThat(fails(p, "algo").getMessage())
        .contains("'random-forrest' is not a known algorithm")
        .contains("did you mean 'random-forest'?");
  }

  @Test
  void unknownDatasetListsKnownOnes() {
    ConfigException e = fails(TestProject.create("cfg"), "titanik");
    assertThat(e.getMessage())
        .contains("dataset 'titanik' has no configuration file")
        .contains("did you mean 'titanic'?");
  }

  @Test
  void unknownEnvironmentAndBadSetAreReported() {
    TestProject p = TestProject.create("cfg");
    assertThatThrownBy(() -> ConfigLoader.load(p.confDir(), "prod", "titanic", List.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("environment file")
        .hasMessageContaining("[cluster, local]");
    assertThat(fails(p, "titanic", "novalue").getMessage())
        .contains("--set 'novalue' is not key=value");
  }

  @Test
  void syntaxErrorNamesTheFile() {
    TestProject p =
        TestProject.create("cfg").dataset("broken", "dataset { schema = [ { name = id }\n");
    assertThat(fails(p, "broken").getMessage()).contains("cannot parse").contains("broken.conf");
  }

  @Test
  void relativeLakeRootResolvesAgainstTheProject() {
    TestProject p = TestProject.create("cfg");
    LakemlConfig c = load(p, "titanic");
    assertThat(io.lakeml.core.LakeCatalog.of(c).root())
        .isEqualTo(p.dir().resolve("data-lake").toUri().toString().replaceAll("/$", ""));
    LakemlConfig h = load(p, "titanic", "lake.root=\"hdfs://nn:8020/lake\"");
    io.lakeml.core.LakeCatalog hdfs = io.lakeml.core.LakeCatalog.of(h);
    assertThat(hdfs.silver("titanic").path()).isEqualTo("hdfs://nn:8020/lake/silver/titanic");
    assertThat(hdfs.silver("titanic").name()).isEqualTo("silver.titanic");
    assertThat(hdfs.runs().path()).isEqualTo("hdfs://nn:8020/lake/_system/runs");
    assertThat(Path.of(".")).isNotNull();
  }

  @Test
  void prepareSettingsAreValidated() {
    TestProject ok =
        TestProject.create("cfg")
            .dataset(
                "prep",
                MINIMAL
                    + """
        dataset.prepare { split { train = 0.7, validation = 0.1, test = 0.2, stratify-by = [y] }, scaling = standard,
          missing { x = "constant:0" }, derived = [ { name = x2, expression = "x * x" } ] }
        """);
    DatasetConfig.Prepare prep = load(ok, "prep").requireDataset().prepare();
    assertThat(prep.split().train()).isEqualTo(0.7);
    assertThat(prep.scaling()).isEqualTo(DatasetConfig.Scaling.STANDARD);
    assertThat(prep.missingFor("x", true).value()).contains("0");
    assertThat(prep.missingFor("x2", true).policy()).isEqualTo(DatasetConfig.MissingPolicy.MEDIAN);
    assertThat(prep.derived()).extracting(DatasetConfig.Derived::name).containsExactly("x2");

    TestProject bad =
        TestProject.create("cfg")
            .dataset(
                "prep",
                MINIMAL
                    + """
        dataset.prepare { split { train = 0.7, validation = 0.2, test = 0.2, stratify-by = [z] },
          missing { x = category, y = median, w = mean } }
        dataset.validation.rules = [ { id = rc, check = row-count, min = 1, action = drop } ]
        """);
    assertThat(fails(bad, "prep").getMessage())
        .contains("train + validation + test must be 1")
        .contains("column 'z' is not in the dataset schema")
        .contains("'category' is not a missing-value policy for a numeric feature")
        .contains("'y' is not a feature column")
        .contains("a 'row-count' rule applies to the whole table and cannot drop rows");
  }
}
