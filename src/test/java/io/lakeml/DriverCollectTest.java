package io.lakeml;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No data-sized result reaches the driver: every collect/take/toLocalIterator in main code must say
 * why its result is small, in a {@code // bounded: …} comment on its line or above its statement.
 * Adding one without that fails here, so a reviewer sees each new driver-side read.
 */
class DriverCollectTest {
  static final Pattern DRIVER_READ =
      Pattern.compile(
          "\\.collect\\(\\)|\\.collectAsList\\(\\)|\\.toLocalIterator\\(|\\.takeAsList\\(|\\.take\\(|\\.tail\\(");

  /** file:line of every driver-side read without a bounded: comment. */
  static List<String> unbounded(String file, List<String> lines) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (!DRIVER_READ.matcher(lines.get(i)).find()
          || lines.get(i).trim().startsWith("//")
          || lines.get(i).trim().startsWith("*")) {
        continue;
      }
      // the comment sits on the read's line or above its statement, which the formatter may have
      // split
      // over several lines: look up to the end of the previous statement
      boolean said = lines.get(i).contains("// bounded:");
      for (int j = i - 1; j >= Math.max(0, i - 12) && !said; j--) {
        String above = lines.get(j).trim();
        said = above.contains("// bounded:");
        if (!above.startsWith("//")
            && (above.endsWith(";") || above.endsWith("{") || above.endsWith("}"))) {
          break;
        }
      }
      if (!said) {
        out.add(file + ":" + (i + 1) + ": " + lines.get(i).trim());
      }
    }
    return out;
  }

  @Test
  void everyDriverSideReadInMainCodeSaysWhyItIsSmall() throws IOException {
    Path main = io.lakeml.testing.TestProject.projectDir().resolve("src/main/java");
    List<String> problems = new ArrayList<>();
    int reads = 0;
    try (Stream<Path> files = Files.walk(main)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        List<String> lines = Files.readAllLines(f);
        reads += (int) lines.stream().filter(l -> DRIVER_READ.matcher(l).find()).count();
        problems.addAll(unbounded(main.relativize(f).toString(), lines));
      }
    }
    assertThat(reads).as("driver-side reads found in main code (the scan works)").isGreaterThan(20);
    assertThat(problems)
        .as(
            "collect()/take() without a '// bounded: why' comment: bring the data to the driver only when it is small")
        .isEmpty();
  }

  @Test
  void theCheckCatchesAnUnexplainedCollect() {
    List<String> code =
        List.of(
            "class A {",
            "  List<Row> all = silver.collectAsList();",
            "  // bounded: one row",
            "  Row r = t.limit(1).collectAsList().get(0);",
            "  // bounded: one row per class",
            "  List<Row> perClass =",
            "      t.groupBy(\"y\")",
            "          .count()",
            "          .collectAsList();",
            "  List<Row> rows = t.select(\"x\");",
            "  List<Row> more =",
            "      rows.collectAsList();",
            "}");
    assertThat(unbounded("A.java", code))
        .containsExactly(
            "A.java:2: List<Row> all = silver.collectAsList();",
            "A.java:12: rows.collectAsList();");
  }
}
