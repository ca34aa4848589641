package io.lakeml.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One configuration key: its path, what kind of value it takes, how that value is parsed and
 * checked, and its default (the shape of Spark's {@code ConfigEntry} and Delta's {@code
 * TableConfig}).
 *
 * <p>Defaults are written in one place, the packaged {@code lakeml-defaults.conf}, where users read
 * them with their comments; a key reads its default from there ({@link #defaultValue}) and never
 * carries a second copy in code. A key whose default depends on other settings (the source folder
 * is the dataset's name, the selection metric depends on the label) has none in that file: {@link
 * ConfigReader#optional} gives it as absent and its binder decides. {@code ConfigKeysTest} checks
 * both directions: every key with a default finds one there that passes its own check, and every
 * scalar in that file belongs to a key.
 */
public final class ConfigKey<T> {
  static final String DEFAULTS_RESOURCE = "lakeml-defaults.conf";

  /** The packaged defaults, parsed once per JVM. */
  static final Config DEFAULTS =
      ConfigFactory.parseResources(
          ConfigKey.class,
          "/" + DEFAULTS_RESOURCE,
          ConfigParseOptions.defaults().setAllowMissing(false).setSyntax(ConfigSyntax.CONF));

  /** A value that does not fit the key: what is wrong, and how to write it instead. */
  static final class Invalid extends Exception {
    final String what;
    final String fix;

    Invalid(String what, String fix) {
      super(what, null, false, false);
      this.what = what;
      this.fix = fix;
    }
  }

  @FunctionalInterface
  interface Parser<T> {
    T parse(ConfigValue value) throws Invalid;
  }

  private final String path;
  private final String kind;
  private final Parser<T> parser;

  private ConfigKey(String path, String kind, Parser<T> parser) {
    this.path = path;
    this.kind = kind;
    this.parser = parser;
  }

  /** The key's full path, e.g. {@code dataset.tune.folds}. */
  public String path() {
    return path;
  }

  /** What the key takes, in words: "a whole number ≥ 2", "one of [grid, random, halving]". */
  public String kind() {
    return kind;
  }

  T parse(ConfigValue value) throws Invalid {
    return parser.parse(value);
  }

  /** Whether {@code lakeml-defaults.conf} gives this key a default. */
  public boolean hasDefault() {
    return DEFAULTS.hasPath(path);
  }

  /**
   * The default from {@code lakeml-defaults.conf}.
   *
   * @throws IllegalStateException when the key has none there or it does not pass the key's own
   *     check (a packaging error, caught by ConfigKeysTest)
   */
  public T defaultValue() {
    if (!hasDefault()) {
      throw new IllegalStateException(path + " has no default in " + DEFAULTS_RESOURCE);
    }
    try {
      return parse(DEFAULTS.getValue(path));
    } catch (Invalid e) {
      throw new IllegalStateException(
          DEFAULTS_RESOURCE + " gives " + path + " a default that is not " + kind + ": " + e.what);
    }
  }

  /** The default as it is written in the file, e.g. {@code 3} or {@code minmax}; empty if none. */
  public Optional<String> defaultText() {
    if (!hasDefault()) {
      return Optional.empty();
    }
    ConfigValue v = DEFAULTS.getValue(path);
    // render() keeps a number as written (Typesafe stores 0.0 as the whole number 0)
    return Optional.of(
        v.valueType() == ConfigValueType.STRING ? (String) v.unwrapped() : v.render());
  }

  @Override
  public String toString() {
    return path;
  }

  /** A whole number of at least {@code min}. */
  static ConfigKey<Integer> integer(String path, int min) {
    return new ConfigKey<>(
        path,
        "a whole number ≥ " + min,
        v -> {
          if (v.valueType() != ConfigValueType.NUMBER || !(v.unwrapped() instanceof Integer n)) {
            throw new Invalid(
                "expected a whole number but found " + typeName(v) + " " + v.render(),
                "Write a whole number such as " + example(path, String.valueOf(Math.max(min, 0))));
          }
          if (n < min) {
            throw new Invalid(
                "must be at least " + min + ", cannot be " + n, "Set it to " + min + " or more");
          }
          return n;
        });
  }

  /** Any number. */
  static ConfigKey<Double> number(String path) {
    return between(path, Double.NEGATIVE_INFINITY, true, Double.POSITIVE_INFINITY, true, "");
  }

  /**
   * A number between {@code lo} and {@code hi}, each bound included or not; {@code fix} says what
   * the number means when it is refused.
   */
  static ConfigKey<Double> between(
      String path, double lo, boolean loIncluded, double hi, boolean hiIncluded, String fix) {
    boolean bounded = lo != Double.NEGATIVE_INFINITY || hi != Double.POSITIVE_INFINITY;
    String interval =
        (loIncluded ? "[" : "(") + fmt(lo) + ", " + fmt(hi) + (hiIncluded ? "]" : ")");
    return new ConfigKey<>(
        path,
        bounded ? "a number in " + interval : "a number",
        v -> {
          if (v.valueType() != ConfigValueType.NUMBER) {
            throw new Invalid(
                "expected a number but found " + typeName(v) + " " + v.render(),
                "Write a number such as " + example(path, "0.5"));
          }
          double d = ((Number) v.unwrapped()).doubleValue();
          boolean above = loIncluded ? d >= lo : d > lo;
          boolean below = hiIncluded ? d <= hi : d < hi;
          if (!above || !below) {
            throw new Invalid(
                d + " is not in " + interval,
                fix.isEmpty() ? "Set it to e.g. " + example(path, fmt(Math.max(lo, 0))) : fix);
          }
          return d;
        });
  }

  /** true or false. */
  static ConfigKey<Boolean> bool(String path) {
    return new ConfigKey<>(
        path,
        "true or false",
        v -> {
          if (v.valueType() != ConfigValueType.BOOLEAN) {
            throw new Invalid(
                "expected true or false but found " + typeName(v) + " " + v.render(),
                "Write " + path + " = " + example(path, "true"));
          }
          return (Boolean) v.unwrapped();
        });
  }

  /** A text value (a number or boolean is taken as its text). */
  static ConfigKey<String> text(String path) {
    return new ConfigKey<>(path, "a text value", ConfigKey::scalarText);
  }

  /**
   * One of a fixed set of text values: {@code noun} names what they are ("a scoring scope") and
   * {@code fix} explains each.
   */
  static ConfigKey<String> oneOf(String path, List<String> allowed, String noun, String fix) {
    String choices = "'" + String.join("' or '", allowed) + "'";
    return new ConfigKey<>(
        path,
        noun + ": " + choices,
        v -> {
          String raw = scalarText(v);
          if (!allowed.contains(raw)) {
            throw new Invalid(
                "'" + raw + "' is not " + noun + " (" + choices + ")",
                fix + Suggest.didYouMean(raw, allowed));
          }
          return raw;
        });
  }

  /** A constant of {@code type}, written as its {@code toString()}, in any case. */
  static <E extends Enum<E>> ConfigKey<E> enumeration(String path, Class<E> type) {
    List<String> names = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      names.add(e.toString());
    }
    return new ConfigKey<>(
        path,
        "one of " + names,
        v -> {
          String raw = scalarText(v);
          for (E e : type.getEnumConstants()) {
            if (e.toString().equals(raw.toLowerCase(Locale.ROOT))) {
              return e;
            }
          }
          throw new Invalid(
              "'" + raw + "' is not one of " + names,
              "Use one of " + names + Suggest.didYouMean(raw, names));
        });
  }

  private static String scalarText(ConfigValue v) throws Invalid {
    if (v.valueType() == ConfigValueType.OBJECT || v.valueType() == ConfigValueType.LIST) {
      throw new Invalid(
          "expected a text value but found " + typeName(v), "Write it as key = value");
    }
    return String.valueOf(v.unwrapped());
  }

  /** The packaged default as an example of a good value, or {@code fallback} without one. */
  private static String example(String path, String fallback) {
    return DEFAULTS.hasPath(path) ? DEFAULTS.getValue(path).render() : fallback;
  }

  private static String fmt(double d) {
    if (Double.isInfinite(d)) {
      return d > 0 ? "∞" : "-∞";
    }
    return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
  }

  static String typeName(ConfigValue v) {
    return v.valueType().name().toLowerCase(Locale.ROOT);
  }
}
