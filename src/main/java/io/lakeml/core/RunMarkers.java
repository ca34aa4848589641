package io.lakeml.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Marks a job run as started and not finished: {@code _system/running/<dataset>/<job>.json},
 * written when the run starts and deleted when it ends well. What is left behind says that a run
 * did not finish: either its failure was caught and recorded (the file says so), or its JVM died
 * (killed, out of memory: Spark exits 52 on an OutOfMemoryError in a task thread) before anything
 * could be recorded. The next run of any job of the dataset records such a dead run in the run
 * ledger, and the next run of the same job redoes its work instead of skipping on outputs the dead
 * run may have committed only in part ({@link JobContext#redo()}).
 */
public final class RunMarkers {
  private static final Logger LOG = LoggerFactory.getLogger(RunMarkers.class);

  /**
   * A marker written on another host is taken for dead only after this long (its pid means nothing
   * here).
   */
  static final long OTHER_HOST_AFTER_MS = 24L * 3600 * 1000;

  /** What a marker holds. {@code recorded}: the run's failure is already in the run ledger. */
  public record Marker(
      String runId,
      String job,
      String dataset,
      String runDate,
      long pid,
      String host,
      String startedAt,
      String configHash,
      boolean recorded) {
    /**
     * Whether the process that wrote it is gone: not alive on this host, or written elsewhere long
     * ago.
     */
    boolean dead(long modifiedMs) {
      if (recorded) {
        return true;
      }
      if (host().equals(RunLock.host())) {
        return RunLock.goneHere(pid);
      }
      return System.currentTimeMillis() - modifiedMs > OTHER_HOST_AFTER_MS;
    }
  }

  /** A marker found on disk, with when it was written. */
  public record Found(Marker marker, long modifiedMs) {}

  private RunMarkers() {}

  private static Path dir(LakeCatalog catalog, String dataset) {
    return new Path(catalog.running() + "/" + dataset);
  }

  static Path path(LakeCatalog catalog, String dataset, String job) {
    return new Path(dir(catalog, dataset), job + ".json");
  }

  /**
   * Whether a run of {@code job} of {@code dataset} left its marker (running now, failed, or died).
   */
  public static boolean exists(
      LakeCatalog catalog, Configuration hadoop, String dataset, String job) throws IOException {
    Path p = path(catalog, dataset, job);
    return p.getFileSystem(hadoop).exists(p);
  }

  /** Writes the marker of a starting run (replacing a dead run's: the caller has read it first). */
  static void start(JobContext ctx, Configuration hadoop) throws IOException {
    write(
        ctx.catalog(),
        hadoop,
        new Marker(
            ctx.runId(),
            ctx.jobName(),
            ctx.dataset().name(),
            ctx.runDate().toString(),
            ProcessHandle.current().pid(),
            RunLock.host(),
            Instant.now().toString(),
            ctx.config().hash(),
            false));
  }

  /**
   * Marks the run as failed: the job is redone on its next run. {@code recorded}: its ledger row is
   * written (otherwise the next run writes it, as for a dead run).
   */
  static void failed(JobContext ctx, Configuration hadoop, boolean recorded) throws IOException {
    write(
        ctx.catalog(),
        hadoop,
        new Marker(
            ctx.runId(),
            ctx.jobName(),
            ctx.dataset().name(),
            ctx.runDate().toString(),
            recorded ? ProcessHandle.current().pid() : -1,
            RunLock.host(),
            Instant.now().toString(),
            ctx.config().hash(),
            recorded));
  }

  /** Marks a dead run as recorded in the ledger: its job is still redone on its next run. */
  static void failed(LakeCatalog catalog, Configuration hadoop, Marker m) throws IOException {
    write(
        catalog,
        hadoop,
        new Marker(
            m.runId(),
            m.job(),
            m.dataset(),
            m.runDate(),
            m.pid(),
            m.host(),
            m.startedAt(),
            m.configHash(),
            true));
  }

  /** Removes the marker of a run that ended well. */
  static void finished(JobContext ctx, Configuration hadoop) throws IOException {
    Path p = path(ctx.catalog(), ctx.dataset().name(), ctx.jobName());
    p.getFileSystem(hadoop).delete(p, false);
  }

  private static void write(LakeCatalog catalog, Configuration hadoop, Marker m)
      throws IOException {
    Path p = path(catalog, m.dataset(), m.job());
    FileSystem fs = p.getFileSystem(hadoop);
    try (OutputStream out = fs.create(p, true)) {
      out.write(Summary.MAPPER.writeValueAsBytes(m));
    }
  }

  /**
   * The dataset's markers whose runs are over (dead, or failed and recorded); unreadable ones are
   * logged and left.
   */
  static List<Found> over(LakeCatalog catalog, Configuration hadoop, String dataset)
      throws IOException {
    Path dir = dir(catalog, dataset);
    FileSystem fs = dir.getFileSystem(hadoop);
    List<Found> out = new ArrayList<>();
    if (!fs.exists(dir)) {
      return out;
    }
    for (FileStatus f : fs.listStatus(dir)) {
      if (!f.getPath().getName().endsWith(".json")) {
        continue;
      }
      read(fs, f.getPath())
          .filter(m -> m.dead(f.getModificationTime()))
          .ifPresent(m -> out.add(new Found(m, f.getModificationTime())));
    }
    return out;
  }

  private static Optional<Marker> read(FileSystem fs, Path p) {
    try (InputStream in = fs.open(p)) {
      return Optional.of(
          Summary.MAPPER.readValue(
              new String(in.readAllBytes(), StandardCharsets.UTF_8), Marker.class));
    } catch (IOException e) {
      LOG.warn("unreadable run marker {} ({}); leaving it", p, e.toString());
      return Optional.empty();
    }
  }
}
