package io.lakeml.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.lakeml.config.DatasetConfig.Strategy;
import io.lakeml.testing.TestProject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Typed keys and their one source of defaults: the packaged file, the code and the README's
 * reference agree. No Spark.
 */
class ConfigKeysTest {
  /** Objects whose entries are free-form (Spark settings, reader options …), not keys. */
  private static final Set<String> FREE_FORM =
      Set.of(
          "spark.conf",
          "spark.small-input.conf",
          "spark.wide-input.conf",
          "dataset.source.options",
          "dataset.prepare.missing",
          "dataset.deploy.requirements");

  @Test
  void everyKeysDefaultIsInThePackagedFileAndPassesItsOwnCheck() {
    List<ConfigKey<?>> keys = ConfigKeys.all();
    assertThat(keys).hasSizeGreaterThan(40);
    Set<String> withoutDefault = new TreeSet<>();
    for (ConfigKey<?> key : keys) {
      if (key.hasDefault()) {
        assertThat(key.defaultValue()).as(key.path()).isNotNull(); // throws if it fails its check
      } else {
        withoutDefault.add(key.path());
      }
    }
    // the keys whose default depends on other settings, each documented where it is declared
    assertThat(withoutDefault)
        .containsExactlyInAnyOrder(
            "dataset.source.path",
            "dataset.label.column",
            "dataset.label.positive",
            "dataset.label.favorable",
            "dataset.prepare.split.time-column",
            "dataset.tune.metric",
            "dataset.tune.threshold");
    assertThat(ConfigKeys.TUNE_FOLDS.defaultValue()).isEqualTo(3);
    assertThat(ConfigKeys.TUNE_STRATEGY.defaultValue()).isEqualTo(Strategy.GRID);
    assertThat(ConfigKeys.DI_MIN.defaultValue()).isEqualTo(0.8);
    assertThat(ConfigKeys.SMALL_INPUT_MAX_MB.defaultValue()).isEqualTo(2);
  }

  @Test
  void everyScalarOfThePackagedDefaultsBelongsToAKey() {
    Set<String> keyPaths = new TreeSet<>();
    ConfigKeys.all().forEach(k -> keyPaths.add(k.path()));
    Set<String> orphans = new TreeSet<>();
    for (Map.Entry<String, ConfigValue> e : ConfigKey.DEFAULTS.entrySet()) {
      String path = e.getKey();
      boolean freeForm = FREE_FORM.stream().anyMatch(f -> path.startsWith(f + "."));
      if (e.getValue().valueType() != ConfigValueType.LIST && !freeForm) {
        if (!keyPaths.contains(path)) {
          orphans.add(path);
        }
      }
    }
    assertThat(orphans).as("defaults no typed key reads").isEmpty();
  }

  @Test
  void theReadmeReferenceShowsEachDefaultAsThePackagedFileHasIt() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    Pattern row = Pattern.compile("(?m)^\\| `([a-z.-]+)` \\| `([^`]*)` \\|");
    Matcher m = row.matcher(readme);
    int compared = 0;
    while (m.find()) {
      for (ConfigKey<?> key : ConfigKeys.all()) {
        if (key.path().equals(m.group(1)) && key.hasDefault()) {
          String documented = m.group(2).replaceAll("^\"|\"$", "");
          String packaged = key.defaultText().get();
          if (packaged.matches("-?[0-9]+(\\.[0-9]+)?")
              && documented.matches("-?[0-9]+(\\.[0-9]+)?")) {
            // Typesafe keeps 0.0 as the whole number 0
            assertThat(Double.parseDouble(documented))
                .as("README's default of " + key)
                .isEqualTo(Double.parseDouble(packaged));
          } else {
            assertThat(documented).as("README's default of " + key).isEqualTo(packaged);
          }
          compared++;
        }
      }
    }
    assertThat(compared).isGreaterThan(20);
    for (ConfigKey<?> key : ConfigKeys.all()) {
      // a key has its own row or is named in its parent's row, e.g. dataset.bias.policy
      String parent = key.path().substring(0, key.path().lastIndexOf('.'));
      String leaf = key.path().substring(key.path().lastIndexOf('.') + 1);
      boolean own = readme.contains("| `" + key.path() + "` |");
      boolean inParent =
          Pattern.compile(
                  "(?m)^\\| `" + Pattern.quote(parent) + "[^`]*` \\|[^\\n]*" + Pattern.quote(leaf))
              .matcher(readme)
              .find();
      assertThat(own || inParent).as(key + " in the README's configuration reference").isTrue();
    }
  }

  @Test
  void aValueThatDoesNotFitItsKeySaysWhatWhereAndHowWithThePackagedDefaultAsTheExample() {
    TestProject p =
        TestProject.create("cfg-keys")
            .dataset(
                "k",
                """
                dataset {
                  schema = [ { name = id, type = string }, { name = x, type = double }, { name = y, type = string } ]
                  label { column = y, positive = "1" }
                  features { numeric = [x] }
                  tune { folds = "three", strategy = Halving, halving.min-fraction = 0 }
                  bias.policy.eod-max = -0.1
                  deploy.score.rows = today
                }
                """);
    assertThatThrownBy(() -> ConfigLoader.load(p.confDir(), "local", "k", List.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(
            "'dataset.tune.folds' (" + p.confDir().resolve("datasets/k.conf") + ": 5)")
        .hasMessageContaining("expected a whole number but found string \"three\"")
        .hasMessageContaining("Write a whole number such as 3")
        .hasMessageContaining("'dataset.tune.halving.min-fraction'")
        .hasMessageContaining("0.0 is not in (0, 1]")
        .hasMessageContaining("'dataset.bias.policy.eod-max'")
        .hasMessageContaining("-0.1 is not in [0, ∞). Set it to e.g. 0.1")
        .hasMessageContaining("'today' is not a scoring scope ('all' or 'run-date')")
        .hasMessageNotContaining("'dataset.tune.strategy'"); // enums are read in any case
    DatasetConfig ok =
        ConfigLoader.load(
                p.confDir(),
                "local",
                "k",
                List.of(
                    "dataset.tune.folds=5",
                    "dataset.tune.halving.min-fraction=0.5",
                    "dataset.bias.policy.eod-max=0.2",
                    "dataset.deploy.score.rows=run-date"))
            .requireDataset();
    assertThat(ok.tune().folds()).isEqualTo(5);
    assertThat(ok.tune().strategy()).isEqualTo(Strategy.HALVING);
    assertThat(ok.bias().eodMax()).isEqualTo(0.2);
    assertThat(ok.deploy().scoreAll()).isFalse();
    // untouched keys come from the packaged file
    assertThat(ok.tune().seed()).isEqualTo(ConfigKeys.TUNE_SEED.defaultValue().longValue());
    assertThat(ok.bias().diMax()).isEqualTo(1.25);
  }

  @Test
  void everyShippedDatasetLoadsInBothEnvironments() {
    List<String> names = ConfigLoader.datasetNames(Path.of("conf"));
    assertThat(names).contains("titanic", "credit_data", "fashion_mnist");
    for (String env : List.of("local", "cluster")) {
      for (String name : names) {
        DatasetConfig ds =
            ConfigLoader.load(Path.of("conf"), env, name, List.of()).requireDataset();
        assertThat(ds.tune().folds()).as(name).isGreaterThanOrEqualTo(2);
      }
    }
    DatasetConfig titanic =
        ConfigLoader.load(Path.of("conf"), "local", "titanic", List.of()).requireDataset();
    assertThat(titanic.bias().bootstrap()).isEqualTo(200); // the dataset file over the default
    assertThat(titanic.prepare().leakage().maxAuc()).isEqualTo(0.98); // the packaged default
  }

  @Test
  void aKeyWithoutAPackagedDefaultIsAnErrorToReadAsRequired() {
    assertThatThrownBy(ConfigKeys.TUNE_METRIC::defaultValue)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("dataset.tune.metric has no default in lakeml-defaults.conf");
    ConfigReader r = new ConfigReader(ConfigFactory.parseString("dataset.tune.metric = f1"));
    assertThat(r.optional(ConfigKeys.TUNE_METRIC)).contains("f1");
    assertThat(new ConfigReader(ConfigFactory.empty()).optional(ConfigKeys.TUNE_METRIC)).isEmpty();
  }
}
