package io.lakeml.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lakeml.core.Runner;
import io.lakeml.core.Summary;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs one pipeline command as its own Spark application: a child process started through the
 * launcher named by {@code LAKEML_LAUNCHER} ({@code jobs/lakeml}, which goes through spark-submit
 * on a cluster), or, without it, a JVM like this one (same java, options and classpath). The
 * child's stdout is passed through and its last JSON line is the stage's summary; a child that dies
 * without one (killed, out of memory) counts as failed.
 */
final class StageProcess {
  /** Environment variable naming the launcher of stage applications. */
  static final String LAUNCHER = "LAKEML_LAUNCHER";

  private static final ObjectMapper JSON = io.lakeml.config.Json.MAPPER;
  private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

  static {
    // stopping the nightly (Ctrl-C, SIGTERM from a scheduler) stops the stage it is running
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () ->
                    RUNNING.forEach(
                        p -> {
                          p.descendants().forEach(ProcessHandle::destroy);
                          p.destroy();
                        })));
  }

  private StageProcess() {}

  /** The command that starts a lakeml application, before its arguments. */
  static List<String> launcher() {
    String configured = System.getenv(LAUNCHER);
    List<String> cmd = new ArrayList<>();
    if (configured != null && !configured.isBlank()) {
      cmd.add(configured);
      return cmd;
    }
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!arg.startsWith("-agentlib:")
          && !arg.startsWith("-javaagent:")) { // a debugger port cannot be shared
        cmd.add(arg);
      }
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Main.class.getName());
    return cmd;
  }

  /**
   * Runs {@code args} to completion. Output lines go to {@code out}; the child's stderr (its log)
   * goes to {@code err}, each line prefixed with {@code prefix} when several applications run at
   * once.
   */
  static Child run(
      String stage, List<String> args, PrintStream out, PrintStream err, String prefix) {
    return run(stage, args, out, err, prefix, Map.of());
  }

  /**
   * {@link #run(String, List, PrintStream, PrintStream, String)} with these environment changes.
   */
  static Child run(
      String stage,
      List<String> args,
      PrintStream out,
      PrintStream err,
      String prefix,
      Map<String, String> env) {
    List<String> cmd = launcher();
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().putAll(env);
    boolean inherit = prefix == null && err == System.err;
    if (inherit) {
      pb.redirectError(ProcessBuilder.Redirect.INHERIT);
    }
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      return failed(
          stage,
          1,
          "could not start "
              + cmd.get(0)
              + ": "
              + e.getMessage()
              + (System.getenv(LAUNCHER) != null ? " (set by " + LAUNCHER + ")" : ""));
    }
    RUNNING.add(p);
    try {
      Thread errPump =
          inherit ? null : pump(p.getErrorStream(), err, prefix == null ? "" : prefix, null);
      String[] lastJson = new String[1];
      Thread outPump = pump(p.getInputStream(), out, "", lastJson);
      int code = p.waitFor();
      outPump.join();
      if (errPump != null) {
        errPump.join();
      }
      if (lastJson[0] == null) {
        return failed(
            stage,
            code == 0 ? 1 : code,
            stage
                + " exited with code "
                + code
                + " without printing its summary (killed, or out of memory?); its log is above");
      }
      return new Child(stage, code, JSON.readValue(lastJson[0], MAP));
    } catch (InterruptedException e) {
      p.destroy();
      Thread.currentThread().interrupt();
      return failed(stage, 1, stage + " was interrupted");
    } catch (IOException e) {
      return failed(stage, code(p), stage + " printed an unreadable summary: " + e.getMessage());
    } finally {
      RUNNING.remove(p);
    }
  }

  private static int code(Process p) {
    return p.isAlive() ? 1 : Math.max(1, p.exitValue());
  }

  private static Child failed(String stage, int code, String message) {
    return new Child(stage, code, JSON.convertValue(Summary.failed(stage, message), MAP));
  }

  private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {};

  /**
   * A finished child: its exit code and its last stdout line as JSON. A stage's line is a {@link
   * Summary} ({@link #outcome}); other commands (a nightly, {@code sql}) print lines of their own.
   */
  record Child(String stage, int exitCode, Map<String, Object> summary) {
    /** Its summary's {@code message} ("null" when it has none, as in a message it is part of). */
    String message() {
      return String.valueOf(summary.get("message"));
    }

    /** The child as a stage's outcome: its summary read as a {@link Summary}. */
    Runner.Outcome outcome() {
      try {
        return new Runner.Outcome(exitCode, JSON.convertValue(summary, Summary.class));
      } catch (IllegalArgumentException e) {
        return new Runner.Outcome(
            exitCode == 0 ? 1 : exitCode,
            Summary.failed(
                stage, stage + " printed a summary lakeml cannot read: " + e.getMessage()));
      }
    }
  }

  private static Thread pump(InputStream in, PrintStream to, String prefix, String[] lastJson) {
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  to.println(prefix + line);
                  if (lastJson != null && line.startsWith("{")) {
                    lastJson[0] = line;
                  }
                }
                to.flush();
              } catch (IOException e) {
                to.println(prefix + "(output lost: " + e.getMessage() + ")");
              }
            },
            "lakeml-stage-output");
    t.setDaemon(true);
    t.start();
    return t;
  }
}
