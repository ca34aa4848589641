package io.lakeml.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads typed values from a merged HOCON config while recording every key it touches and every
 * problem it finds. After binding, {@link #unknownKeys} reports keys that nothing read (typos), so
 * one pass yields all errors at once, each naming key, file and fix.
 */
final class ConfigReader {
  private final Config root;
  private final String prefix;
  private final Set<String> consumed = new TreeSet<>();
  private final List<String> problems;

  ConfigReader(Config root) {
    this(root, "", new ArrayList<>());
  }

  private ConfigReader(Config root, String prefix, List<String> problems) {
    this.root = root;
    this.prefix = prefix;
    this.problems = problems;
  }

  /** A reader for one element of a list of objects, sharing this reader's problem list. */
  ConfigReader child(Config item, String displayPrefix) {
    return new ConfigReader(item, displayPrefix, problems);
  }

  String display(String path) {
    return prefix.isEmpty() ? path : prefix + "." + path;
  }

  List<String> problems() {
    return problems;
  }

  void problem(String path, String what, String fix) {
    problems.add(
        "'" + display(path) + "'" + where(path) + ": " + what + (fix.isEmpty() ? "" : ". " + fix));
  }

  /** Where a key was defined, e.g. " (conf/datasets/titanic.conf: 12)". */
  String where(String path) {
    try {
      if (path.isEmpty()) {
        return " (" + root.origin().description() + ")";
      }
      if (root.hasPathOrNull(path)) {
        return " (" + root.getValue(path).origin().description() + ")";
      }
    } catch (com.typesafe.config.ConfigException e) {
      // a parent has another type; no origin to show
    }
    return "";
  }

  boolean has(String path) {
    try {
      return root.hasPath(path);
    } catch (com.typesafe.config.ConfigException e) {
      return false;
    }
  }

  private ConfigValue value(String path, boolean required, String fix) {
    consumed.add(path);
    if (!has(path)) {
      if (required) {
        problems.add(
            "missing required key '"
                + display(path)
                + "'"
                + (prefix.isEmpty() ? "" : where(""))
                + ". "
                + fix);
      }
      return null;
    }
    return root.getValue(path);
  }

  /**
   * A key's value: the configured one, else its packaged default. A value that does not fit the key
   * is recorded as a problem (with its file and line) and the default is returned, so binding goes
   * on and every problem is reported at once.
   *
   * @throws IllegalStateException for a key without a packaged default (use {@link #optional})
   */
  <T> T get(ConfigKey<T> key) {
    return optional(key).orElseGet(key::defaultValue);
  }

  /** A key's configured value, else its packaged default, else empty. */
  <T> java.util.Optional<T> optional(ConfigKey<T> key) {
    return java.util.Optional.ofNullable(read(key, key.hasDefault() ? key.defaultValue() : null));
  }

  String string(String path, String fallback, boolean required, String fix) {
    ConfigValue v = value(path, required, fix);
    if (v == null) {
      return fallback;
    }
    if (v.valueType() == ConfigValueType.OBJECT || v.valueType() == ConfigValueType.LIST) {
      problem(path, "expected a text value but found " + typeName(v), fix);
      return fallback;
    }
    return String.valueOf(v.unwrapped());
  }

  String string(String path, String fallback) {
    return string(path, fallback, false, "");
  }

  /** A constant of {@code type} in any case, read as {@link ConfigKey#enumeration} reads one. */
  <E extends Enum<E>> E enumValue(String path, Class<E> type, E fallback) {
    return read(ConfigKey.enumeration(path, type), fallback);
  }

  int integer(String path, int fallback, int min) {
    return read(ConfigKey.integer(path, min), fallback);
  }

  Double number(String path) {
    return read(ConfigKey.number(path), null);
  }

  /** A true/false value. */
  boolean bool(String path, boolean fallback) {
    return read(ConfigKey.bool(path), fallback);
  }

  /** A value of a key relative to this reader (an element of a list), or the fallback. */
  private <T> T read(ConfigKey<T> key, T fallback) {
    ConfigValue v = value(key.path(), false, "");
    if (v == null) {
      return fallback;
    }
    try {
      return key.parse(v);
    } catch (ConfigKey.Invalid e) {
      problem(key.path(), e.what, e.fix);
      return fallback;
    }
  }

  /** A list of strings; a single string is accepted as a one-element list. */
  List<String> strings(String path) {
    ConfigValue v = value(path, false, "");
    if (v == null) {
      return List.of();
    }
    if (v.valueType() == ConfigValueType.STRING
        || v.valueType() == ConfigValueType.NUMBER
        || v.valueType() == ConfigValueType.BOOLEAN) {
      return List.of(String.valueOf(v.unwrapped()));
    }
    if (v.valueType() != ConfigValueType.LIST) {
      problem(
          path, "expected a list of text values but found " + typeName(v), "Write it as [a, b]");
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (ConfigValue item : (ConfigList) v) {
      if (item.valueType() == ConfigValueType.OBJECT
          || item.valueType() == ConfigValueType.LIST
          || item.valueType() == ConfigValueType.NULL) {
        problem(
            path, "list items must be text values, found " + typeName(item), "Write it as [a, b]");
      } else {
        out.add(String.valueOf(item.unwrapped()));
      }
    }
    return out;
  }

  /** A list of objects; returns the paths of its elements as sub-readers' prefixes. */
  List<Config> objects(String path) {
    ConfigValue v = value(path, false, "");
    if (v == null) {
      return List.of();
    }
    if (v.valueType() != ConfigValueType.LIST) {
      problem(
          path,
          "expected a list of objects but found " + typeName(v),
          "Write it as [ { ... }, { ... } ]");
      return List.of();
    }
    List<Config> out = new ArrayList<>();
    for (ConfigValue item : (ConfigList) v) {
      if (item.valueType() != ConfigValueType.OBJECT) {
        problem(
            path,
            "list items must be objects { ... }, found " + typeName(item) + " " + item.render(),
            "Write each item as { key = value }");
      } else {
        out.add(((ConfigObject) item).toConfig());
      }
    }
    return out;
  }

  /**
   * A list as plain Java values (lists of lists stay lists), or empty with a problem if not a list.
   */
  List<?> rawList(String path) {
    ConfigValue v = value(path, false, "");
    if (v == null) {
      return List.of();
    }
    if (v.valueType() != ConfigValueType.LIST) {
      problem(path, "expected a list but found " + typeName(v), "Write it as [[a, b]]");
      return List.of();
    }
    return (List<?>) v.unwrapped();
  }

  /** A free-form map of scalar values (e.g. Spark settings), consumed as a whole. */
  Map<String, String> stringMap(String path) {
    ConfigValue v = value(path, false, "");
    Map<String, String> out = new LinkedHashMap<>();
    if (v == null) {
      return out;
    }
    if (v.valueType() != ConfigValueType.OBJECT) {
      problem(
          path,
          "expected an object { key = value } but found " + typeName(v),
          "Write it as { \"key\" = value }");
      return out;
    }
    consumeSubtree(path);
    for (Map.Entry<String, ConfigValue> e : root.getConfig(path).entrySet()) {
      // entrySet gives path expressions: "spark.sql.shuffle.partitions" comes back with its quotes
      out.put(
          String.join(".", ConfigUtil.splitPath(e.getKey())),
          String.valueOf(e.getValue().unwrapped()));
    }
    return out;
  }

  /** A free-form object consumed as a whole (validated by a later stage). */
  Config subtree(String path) {
    ConfigValue v = value(path, false, "");
    if (v == null) {
      return null;
    }
    if (v.valueType() != ConfigValueType.OBJECT) {
      problem(
          path,
          "expected an object { ... } but found " + typeName(v),
          "Write it as { key = [values] }");
      return null;
    }
    consumeSubtree(path);
    return root.getConfig(path);
  }

  void consumeSubtree(String path) {
    consumed.add(path);
    for (Map.Entry<String, ConfigValue> e : root.getConfig(path).entrySet()) {
      consumed.add(path + "." + e.getKey());
    }
  }

  /** Keys present under the given roots that no binder read, with a suggestion for each. */
  void reportUnknownKeys(Collection<String> knownRoots) {
    Set<String> known = new TreeSet<>(consumed);
    for (Map.Entry<String, ConfigValue> e : root.entrySet()) {
      String key = e.getKey();
      if (isConsumed(key)) {
        continue;
      }
      String rootKey = key.contains(".") ? key.substring(0, key.indexOf('.')) : key;
      String hint;
      if (knownRoots != null && !knownRoots.contains(rootKey)) {
        hint = "Top-level sections are " + knownRoots + Suggest.didYouMean(rootKey, knownRoots);
      } else {
        hint = "Remove it or fix its spelling" + Suggest.didYouMean(key, known);
      }
      problems.add(
          "unknown key '"
              + display(key)
              + "' ("
              + e.getValue().origin().description()
              + "). "
              + hint);
    }
  }

  private boolean isConsumed(String key) {
    if (consumed.contains(key)) {
      return true;
    }
    // a key inside a consumed list or free-form object
    for (String c : consumed) {
      if (key.startsWith(c + ".")) {
        return true;
      }
    }
    return false;
  }

  static String typeName(ConfigValue v) {
    return ConfigKey.typeName(v);
  }
}
