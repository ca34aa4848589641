package io.lakeml.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakeml.testing.TestProject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's JVM wrapper (jobs/lib/run-jvm.sh): Spark's exit 52 becomes exit 1 with a summary
 * that names memory. Its class-data sharing (jobs/lib/cds.sh): a run records its class list, an
 * archive is dumped from it in the background, later runs map it, a new jar gets a new one.
 */
class LauncherTest {
  private record Run(int exit, String stdout, String stderr) {}

  /**
   * A bash script in the project folder, as the launcher sources its libraries there, with these
   * variables set (and the user's own CDS settings and JVM options left out).
   */
  private static Run bash(String script, Map<String, String> env) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder("bash", "-c", script).directory(TestProject.projectDir().toFile());
    pb.environment().remove("LAKEML_CDS");
    pb.environment().remove("LAKEML_JAVA_OPTS");
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Run(p.waitFor(), out, err);
  }

  private static Run runJvm(String fakeJvm) throws Exception {
    return bash(
        ". jobs/lib/run-jvm.sh; run_jvm nightly bash -c '" + fakeJvm + "'",
        Map.of("LAKEML_DRIVER_MEMORY", "3g"));
  }

  private static final String JAVA = ProcessHandle.current().info().command().orElse("java");

  @Test
  void aJvmStoppedBySparkExitsOneWithAMessageAboutMemoryAndOtherCodesPassThrough()
      throws Exception {
    Run oom =
        runJvm("echo \"{\\\"job\\\":\\\"ingest\\\",\\\"status\\\":\\\"SUCCEEDED\\\"}\"; exit 52");
    assertThat(oom.exit()).isEqualTo(1);
    String last = oom.stdout().lines().reduce((a, b) -> b).orElseThrow();
    Map<String, Object> summary = TestProject.parse(last);
    assertThat(summary)
        .containsEntry("job", "nightly")
        .containsEntry("status", "FAILED")
        .containsEntry("exitCode", 1);
    assertThat((String) summary.get("message"))
        .contains("OutOfMemoryError")
        .contains("driver heap is 3g")
        .contains("LAKEML_DRIVER_MEMORY");
    assertThat(oom.stderr()).contains("lakeml: the JVM was stopped by Spark (exit 52");
    assertThat(runJvm("exit 0").exit()).isZero();
    assertThat(runJvm("exit 2").exit()).isEqualTo(2);
    assertThat(runJvm("exit 1").stdout()).isEmpty();
  }

  @Test
  void theLocalJvmsJitThresholdsAreOnesTheJvmTakesAndEitherSwitchTurnsThemOff() throws Exception {
    // the JVM prints the thresholds it runs with: the launcher's, not HotSpot's defaults
    Run jvm =
        bash(
            ". jobs/lib/run-jvm.sh; \"$J\" $(jit_opts) -XX:+PrintFlagsFinal -version",
            Map.of("J", JAVA));
    assertThat(jvm.exit()).as(jvm.stderr()).isZero();
    assertThat(jvm.stdout())
        .containsPattern("Tier4InvocationThreshold\\s+= 50000 ")
        .containsPattern("Tier4CompileThreshold\\s+= 150000 ")
        .containsPattern("Tier4BackEdgeThreshold\\s+= 400000 ");
    assertThat(bash(". jobs/lib/run-jvm.sh; jit_opts", Map.of("LAKEML_JIT", "default")).stdout())
        .isEmpty();
    assertThat(
            bash(
                    ". jobs/lib/run-jvm.sh; jit_opts",
                    Map.of("LAKEML_JAVA_OPTS", "-Xss4m -XX:TieredStopAtLevel=1"))
                .stdout())
        .as("a tiered option of the user's own replaces the launcher's")
        .isEmpty();
  }

  /**
   * One launch as jobs/lakeml makes it: cds_init, the JVM with its options, cds_after_run. The
   * probe's jar is the classpath; the archives go to {@code dir}. Returns once the background dump
   * it may have started is over.
   */
  private static Run launch(Path dir, Path jar, String cds, String jvmOptions, String probeArgs)
      throws Exception {
    String script =
        ". jobs/lib/cds.sh; cds_init \"$J\" \"$CP\"; echo \"opts: $CDS_OPTS\" >&2; "
            + "\"$J\" $CDS_OPTS "
            + jvmOptions
            + " -cp \"$CP\" io.lakeml.cli.CdsProbe "
            + probeArgs
            + "; cds_after_run \"$J\" \"$CP\"";
    Run run =
        bash(
            script,
            Map.of(
                "J",
                JAVA,
                "CP",
                jar.toString(),
                "LAKEML_CDS_DIR",
                dir.toString(),
                // the probe loads ~460 classes: an archive from 100 up, a new one for 11 it lacks
                "LAKEML_CDS_MIN_CLASSES",
                "100",
                "LAKEML_CDS",
                cds));
    for (int i = 0; i < 600 && Files.isDirectory(dir) && !files(dir, ".lock").isEmpty(); i++) {
      Thread.sleep(100);
    }
    assertThat(files(dir, ".lock")).as("a dump still running after 60 s").isEmpty();
    return run;
  }

  private static List<Path> files(Path dir, String suffix) throws Exception {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(f -> f.toString().endsWith(suffix)).toList();
    }
  }

  /** The classes a run took from the archive, from its class-loading log. */
  private static String shared(Path loads) throws Exception {
    return Files.readAllLines(loads).stream()
        .filter(l -> l.endsWith("source: shared objects file"))
        .reduce("", (a, b) -> a + b + "\n");
  }

  /** A jar of the probe's one class, in {@code tmp}. */
  private static Path probeJar(Path tmp) throws Exception {
    Path classes = tmp.resolve("classes/io/lakeml/cli");
    Files.createDirectories(classes);
    Files.copy(
        Path.of(CdsProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .resolve("io/lakeml/cli/CdsProbe.class"),
        classes.resolve("CdsProbe.class"));
    Path jar = tmp.resolve("probe.jar");
    ToolProvider tool = ToolProvider.findFirst("jar").orElseThrow();
    assertThat(
            tool.run(
                System.out,
                System.err,
                "cf",
                jar.toString(),
                "-C",
                tmp.resolve("classes").toString(),
                "."))
        .isZero();
    return jar;
  }

  @Test
  void aRunRecordsItsClassesLaterRunsMapTheArchiveItGrowsAndANewJarGetsANewOne(@TempDir Path tmp)
      throws Exception {
    Path jar = probeJar(tmp);
    Path dir = tmp.resolve("cds");

    // first run: records its class list; the archive is dumped after it, in the background
    Run first = launch(dir, jar, "on", "", "");
    assertThat(first.exit()).isZero();
    assertThat(first.stdout()).isEqualTo("probe ran\n");
    assertThat(first.stderr()).contains("-XX:DumpLoadedClassList=").doesNotContain("SharedArchive");
    assertThat(files(dir, ".jsa")).hasSize(1);
    Path archive = files(dir, ".jsa").get(0);
    assertThat(files(dir, ".classlist"))
        .containsExactly(Path.of(archive.toString().replace(".jsa", ".classlist")));
    FileTime dumpedAt = Files.getLastModifiedTime(archive);

    // the same run again maps it, and loads nothing the archive lacks: no new dump
    Run again = launch(dir, jar, "on", "", "");
    assertThat(again.stdout()).isEqualTo("probe ran\n");
    assertThat(again.stderr()).contains("-XX:SharedArchiveFile=" + archive);
    assertThat(Files.getLastModifiedTime(archive)).isEqualTo(dumpedAt);
    // the probe's own class comes from the archive
    Path loads = tmp.resolve("loads.log");
    Run second = launch(dir, jar, "on", "-Xlog:class+load=info:file=" + loads, "");
    assertThat(second.exit()).isZero();
    assertThat(second.stdout()).isEqualTo("probe ran\n");
    assertThat(shared(loads)).contains("io.lakeml.cli.CdsProbe ");

    // a run that loads classes the archive lacks, from the JDK's modules: a new archive from the
    // union of both lists, from which the next such run takes them
    Path before = tmp.resolve("before.log");
    Run more = launch(dir, jar, "on", "-Xlog:class+load=info:file=" + before, "more");
    assertThat(more.stdout()).isEqualTo("probe ran\n");
    assertThat(Files.readString(before)).contains(CdsProbe.MORE[0] + " source: jrt:/java.base");
    assertThat(files(dir, ".jsa")).containsExactly(archive);
    assertThat(Files.getLastModifiedTime(archive)).isNotEqualTo(dumpedAt);
    Run grown = launch(dir, jar, "on", "-Xlog:class+load=info:file=" + loads, "more");
    assertThat(grown.exit()).isZero();
    assertThat(shared(loads)).contains("io.lakeml.cli.CdsProbe ", CdsProbe.MORE[0] + " ");

    // off: no options at all
    assertThat(launch(dir, jar, "off", "", "").stderr()).contains("opts: \n");

    // an archive the JVM cannot use: it runs without, and says so on stderr, never on stdout
    byte[] good = Files.readAllBytes(archive);
    archive.toFile().setWritable(true);
    Files.write(archive, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    Run broken = launch(dir, jar, "on", "", "");
    assertThat(broken.exit()).isZero();
    assertThat(broken.stdout()).isEqualTo("probe ran\n");
    Files.write(archive, good);

    // a rebuilt jar (another modification time): a new list, a new archive, the old ones gone
    Files.setLastModifiedTime(
        jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() - 60_000));
    Run rebuilt = launch(dir, jar, "on", "", "");
    assertThat(rebuilt.stderr())
        .contains("-XX:DumpLoadedClassList=")
        .doesNotContain("SharedArchive");
    assertThat(files(dir, ".jsa")).hasSize(1).doesNotContain(archive);
    assertThat(files(dir, ".classlist")).hasSize(1);
  }

  /**
   * An archive holding the method-handle classes the JDK generates (a bound object and int) made
   * the JVM crash (SIGSEGV, exit 134) as soon as a class-file load hook was on: a JFR recording
   * started with the JVM or later by jcmd, as an operator profiling a slow nightly would.
   */
  @Test
  void aRunRecordingWithJfrDoesNotCrashOnTheArchive(@TempDir Path tmp) throws Exception {
    Path jar = probeJar(tmp);
    Path dir = tmp.resolve("cds");
    Run first = launch(dir, jar, "on", "", "species");
    assertThat(first.stdout()).isEqualTo("probe ran\n");
    List<Path> recorded = files(dir, ".classlist");
    assertThat(recorded).hasSize(1);
    assertThat(files(dir, ".jsa")).hasSize(1);
    assertThat(Files.readString(recorded.get(0))).doesNotContain("@lambda-form-invoker");

    Path recording = tmp.resolve("r.jfr");
    Run profiled =
        launch(dir, jar, "on", "-XX:StartFlightRecording=filename=" + recording, "species");
    assertThat(profiled.stderr()).contains("-XX:SharedArchiveFile=");
    assertThat(profiled.exit()).as(profiled.stdout()).isZero();
    // (JFR announces its recording on stdout itself, before the program's output)
    assertThat(profiled.stdout()).endsWith("\nprobe ran\n");
    assertThat(recording).isNotEmptyFile();
  }

  @Test
  void aLongClasspathDoesNotEndTheLauncher(@TempDir Path tmp) throws Exception {
    // the launcher runs under errexit and pipefail; a pipe into head that closes early (its
    // writer killed by SIGPIPE) once ended a bench-small's promote with exit 141
    StringBuilder cp = new StringBuilder(tmp.resolve("lakeml.jar").toString());
    for (int i = 0; i < 1800; i++) { // ~100 kB: more than a pipe holds, less than one variable may
      cp.append(":/opt/maven/repository/org/example/artifact-").append(i).append("/a.jar");
    }
    Run run =
        bash(
            "set -euo pipefail; . jobs/lib/cds.sh; cds_init \"$J\" \"$CP\"; echo \"key $CDS_KEY\"",
            Map.of(
                "J", JAVA, "CP", cp.toString(), "LAKEML_CDS_DIR", tmp.resolve("cds").toString()));
    assertThat(run.exit()).isZero();
    assertThat(run.stdout()).matches("key [0-9]+\n");
  }
}
