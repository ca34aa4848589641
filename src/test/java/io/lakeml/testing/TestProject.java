package io.lakeml.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lakeml.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A throw-away lakeml project under {@code target/test-projects/}: a copy of the real {@code conf/}
 * plus test datasets, and its own lake. Commands run through the real CLI ({@link Main#execute}).
 */
public final class TestProject {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path dir;

  /**
   * {@code --set} overrides added to every command (e.g. a lake root elsewhere than the project's
   * folder).
   */
  private final List<String> sets = new ArrayList<>();

  private TestProject(Path dir) {
    this.dir = dir;
  }

  /** The lakeml checkout the tests run in. */
  public static Path projectDir() {
    return Path.of(System.getProperty("lakeml.project.dir", ".")).toAbsolutePath().normalize();
  }

  public static TestProject create(String name) {
    try {
      Path dir =
          projectDir().resolve("target/test-projects").resolve(name + "-" + System.nanoTime());
      Files.createDirectories(dir.resolve("conf/datasets"));
      Path conf = projectDir().resolve("conf");
      try (Stream<Path> files = Files.walk(conf)) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          Path target = dir.resolve("conf").resolve(conf.relativize(f).toString());
          Files.createDirectories(target.getParent());
          Files.copy(f, target);
        }
      }
      return new TestProject(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Path dir() {
    return dir;
  }

  public Path confDir() {
    return dir.resolve("conf");
  }

  /**
   * The project's own (default) lake folder; unused once {@link #lakeRoot} moved the lake
   * elsewhere.
   */
  public Path lake() {
    return dir.resolve("data-lake");
  }

  /** The catalog of the project's own lake folder ({@link #lake}). */
  public io.lakeml.core.LakeCatalog catalog() {
    return new io.lakeml.core.LakeCatalog(lake().toUri().toString().replaceAll("/$", ""));
  }

  /**
   * Puts the lake at a URI (e.g. {@code hdfs://localhost:PORT/lake}) for every command run through
   * this project, {@code sql} and {@code count} included: each gets {@code --set lake.root=URI}.
   */
  public TestProject lakeRoot(String uri) {
    sets.add("--set");
    sets.add("lake.root=" + uri);
    return this;
  }

  /** Writes conf/datasets/NAME.conf. */
  public TestProject dataset(String name, String hocon) {
    write(confDir().resolve("datasets").resolve(name + ".conf"), hocon);
    return this;
  }

  /** Writes a landing file for a dataset (text content). */
  public Path land(String dataset, String file, String content) {
    Path p = lake().resolve("landing").resolve(dataset).resolve(file);
    write(p, content);
    return p;
  }

  /** Copies the shipped landing sample of a dataset into this project's lake. */
  public TestProject withShippedLanding(String dataset) {
    Path from = projectDir().resolve("data-lake/landing").resolve(dataset);
    try (Stream<Path> files = Files.list(from)) {
      for (Path f : files.toList()) {
        Path to = lake().resolve("landing").resolve(dataset).resolve(f.getFileName().toString());
        Files.createDirectories(to.getParent());
        Files.copy(f, to);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  private static void write(Path p, String content) {
    try {
      Files.createDirectories(p.getParent());
      Files.writeString(p, content, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One JSON object. */
  public static Map<String, Object> parse(String json) {
    try {
      return JSON.readValue(json, new TypeReference<Map<String, Object>>() {});
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + json, e);
    }
  }

  /** Runs {@code lakeml ARGS --conf-dir <this project's conf>} in this JVM. */
  public Result run(String... args) {
    TestSpark.session();
    // its own session of the shared application, as a chain of the in-process nightly: a command's
    // settings (--set spark.conf..., small-input, commit metadata) stay its own while other test
    // classes run commands at the same time
    return io.lakeml.core.SparkSessions.isolated(() -> runCommand(args));
  }

  private Result runCommand(String... args) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    if (all.size() > 0 && !all.contains("--help")) {
      all.add("--conf-dir");
      all.add(confDir().toString());
      all.addAll(sets);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code = Main.execute(all.toArray(new String[0]), o, e);
    }
    return new Result(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** Exit code, stdout and stderr of a command. */
  public record Result(int exitCode, String stdout, String stderr) {
    public List<String> lines() {
      return stdout.lines().filter(l -> !l.isBlank()).toList();
    }

    /** The JSON summary: stdout's last line. */
    /** The summary of the named job among the lines of a multi-job command such as nightly. */
    public Map<String, Object> summaryOf(String job) {
      return lines().stream()
          .filter(l -> l.contains("\"job\":\"" + job + "\""))
          .map(TestProject::parse)
          .findFirst()
          .orElseThrow(() -> new AssertionError("no summary of " + job + " in " + stdout));
    }

    public Map<String, Object> summary() {
      List<String> lines = lines();
      assertThat(lines).as("stdout of the command (stderr: %s)", stderr).isNotEmpty();
      try {
        return JSON.readValue(
            lines.get(lines.size() - 1), new TypeReference<Map<String, Object>>() {});
      } catch (IOException e) {
        throw new AssertionError("last stdout line is not JSON: " + lines.get(lines.size() - 1), e);
      }
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> metrics() {
      return (Map<String, Object>) summary().get("metrics");
    }

    public long metric(String name) {
      Object v = metrics().get(name);
      assertThat(v).as("metric %s in %s", name, stdout).isNotNull();
      return ((Number) v).longValue();
    }

    public String status() {
      return (String) summary().get("status");
    }

    public Result expectExit(int code) {
      assertThat(exitCode).as("exit code; stdout: %s; stderr: %s", stdout, stderr).isEqualTo(code);
      return this;
    }
  }

  /** Runs a query over this project's lake through {@code lakeml sql}, returning the JSON rows. */
  public List<Map<String, Object>> sql(String query) {
    Result r = run("sql", query).expectExit(0);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (String line : r.lines()) {
      try {
        rows.add(JSON.readValue(line, new TypeReference<Map<String, Object>>() {}));
      } catch (IOException e) {
        throw new AssertionError("not a JSON row: " + line, e);
      }
    }
    return rows;
  }

  public long count(String table) {
    return ((Number) sql("select count(*) as n from " + table).get(0).get("n")).longValue();
  }
}
