package io.lakeml.config;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names that stand for many columns, so a wide dataset's configuration fits on a screen: a numeric
 * range {@code pixel{1..784}} (in the schema and in feature lists; zero-padded when the first bound
 * is, as in {@code f{000..999}}) and, in feature lists, globs over the schema's names ({@code *}
 * any run of characters, {@code ?} one), e.g. {@code numeric = ["pixel*"]}.
 */
public final class ColumnPatterns {
  private static final Pattern RANGE = Pattern.compile("\\{(\\d+)\\.\\.(\\d+)}");

  private ColumnPatterns() {}

  /** Whether {@code name} is a range or glob rather than one column's name. */
  public static boolean isPattern(String name) {
    return RANGE.matcher(name).find() || name.contains("*") || name.contains("?");
  }

  /**
   * The names a range stands for, in order ({@code name} itself when it has none).
   *
   * @throws IllegalArgumentException when the range runs backwards or the name has two ranges
   */
  public static List<String> expandRange(String name) {
    Matcher m = RANGE.matcher(name);
    if (!m.find()) {
      return List.of(name);
    }
    String prefix = name.substring(0, m.start());
    String suffix = name.substring(m.end());
    if (RANGE.matcher(suffix).find()) {
      throw new IllegalArgumentException("'" + name + "' has more than one {from..to} range");
    }
    long from = Long.parseLong(m.group(1));
    long to = Long.parseLong(m.group(2));
    if (to < from) {
      throw new IllegalArgumentException(
          "the range {" + m.group(1) + ".." + m.group(2) + "} in '" + name + "' runs backwards");
    }
    if (to - from >= 100_000) {
      throw new IllegalArgumentException(
          "the range in '" + name + "' stands for more than 100000 columns");
    }
    int width = m.group(1).length() > 1 && m.group(1).startsWith("0") ? m.group(1).length() : 0;
    List<String> out = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      String n = width > 0 ? String.format("%0" + width + "d", i) : Long.toString(i);
      out.add(prefix + n + suffix);
    }
    return out;
  }

  /**
   * The columns of {@code columns} (in their order) that {@code pattern} names: a range's names, or
   * every column a glob matches, leaving out {@code excluded} (the label and key: a glob such as
   * {@code "*"} must not make them features). A plain name is returned as is.
   */
  public static List<String> resolve(
      String pattern, List<String> columns, java.util.Collection<String> excluded) {
    if (!isPattern(pattern)) {
      return List.of(pattern);
    }
    List<String> names = expandRange(pattern);
    if (!pattern.contains("*") && !pattern.contains("?")) {
      return names;
    }
    List<Pattern> globs = names.stream().map(ColumnPatterns::glob).toList();
    return columns.stream()
        .filter(c -> !excluded.contains(c))
        .filter(c -> globs.stream().anyMatch(g -> g.matcher(c).matches()))
        .toList();
  }

  private static Pattern glob(String g) {
    StringBuilder re = new StringBuilder();
    for (char ch : g.toCharArray()) {
      re.append(ch == '*' ? ".*" : ch == '?' ? "." : Pattern.quote(String.valueOf(ch)));
    }
    return Pattern.compile(re.toString());
  }
}
