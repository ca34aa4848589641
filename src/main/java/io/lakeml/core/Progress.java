package io.lakeml.core;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress lines of long stages, one line each on stderr (stdout stays for results and the JSON
 * summary):
 *
 * <pre>
 * progress stage=tune dataset=titanic step="fit 3/12 logistic-regression candidate 2/4 fold 1/3" elapsed=12.4s metric=0.8312
 * </pre>
 *
 * <p>{@code key=value} pairs, values with spaces quoted, so the lines can be grepped and parsed.
 * Stages report per step (every {@link JobContext#step}), ingest per micro-batch with the rows so
 * far, tune per cross-validation fit. The lines go to the command's error stream ({@link
 * #redirect}), which is {@code System.err} unless the CLI runs in-process with other streams.
 */
public final class Progress {
  /**
   * Streams of the commands running in this JVM, newest last (in-process runs may overlap, e.g. in
   * tests).
   */
  private static final java.util.List<PrintStream> SINKS =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  /**
   * The stream of the command that runs on this thread, inherited by the threads it starts (a
   * stream's micro-batch thread): commands running side by side each get their own lines.
   */
  private static final InheritableThreadLocal<PrintStream> OWN = new InheritableThreadLocal<>();

  private Progress() {}

  /**
   * Sends progress lines to {@code to} until {@link #restore}: those of this thread and the threads
   * it starts, and those of threads no running command started (the newest command's stream wins;
   * with none, {@code System.err}); returns {@code to}, the token for {@link #restore}.
   */
  public static PrintStream redirect(PrintStream to) {
    SINKS.add(to);
    OWN.set(to);
    return to;
  }

  /**
   * Stops sending to a stream given to {@link #redirect}: lines never go to a finished command's
   * stream.
   */
  public static void restore(PrintStream redirected) {
    SINKS.remove(redirected);
    if (OWN.get() == redirected) {
      OWN.remove();
    }
  }

  private static PrintStream sink() {
    PrintStream own = OWN.get();
    if (own != null && SINKS.contains(own)) {
      return own;
    }
    // a thread that a pool started before the command (or for another, finished one)
    PrintStream newest = null;
    for (PrintStream s : SINKS) {
      newest = s;
    }
    return newest == null ? System.err : newest;
  }

  /**
   * Prints one progress line.
   *
   * @param stage job name, e.g. {@code ingest}
   * @param dataset dataset name or null
   * @param startNanos {@link System#nanoTime()} when the stage started (for {@code elapsed})
   * @param step what is happening, e.g. {@code batch 0: 3 new file(s)}
   * @param keyValues further {@code key, value} pairs, e.g. {@code "rows", 1200}
   */
  public static void report(
      String stage, String dataset, long startNanos, String step, Object... keyValues) {
    if (keyValues.length % 2 != 0) {
      throw new IllegalArgumentException(
          "progress fields come in key, value pairs: " + java.util.Arrays.toString(keyValues));
    }
    StringBuilder line = new StringBuilder("progress stage=").append(value(stage));
    if (dataset != null) {
      line.append(" dataset=").append(value(dataset));
    }
    line.append(" step=").append(quoted(step));
    line.append(" elapsed=")
        .append(String.format(Locale.ROOT, "%.1fs", (System.nanoTime() - startNanos) / 1e9));
    for (int i = 0; i < keyValues.length; i += 2) {
      line.append(' ').append(keyValues[i]).append('=').append(value(keyValues[i + 1]));
    }
    PrintStream out = sink();
    synchronized (out) {
      out.println(line);
      out.flush();
    }
  }

  private static String value(Object v) {
    String s = v instanceof Double d ? String.format(Locale.ROOT, "%.4f", d) : String.valueOf(v);
    return s.isEmpty() || s.chars().anyMatch(c -> c == ' ' || c == '"' || c == '=') ? quoted(s) : s;
  }

  private static String quoted(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", " ") + "\"";
  }
}
