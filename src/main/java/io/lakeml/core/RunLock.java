package io.lakeml.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * One nightly run per dataset at a time: a lock file under {@code _system/locks/} created with
 * overwrite off (exclusive on HDFS and object stores with conditional create; on local disks the
 * window between check and create is microseconds). A lock left by a process that no longer runs on
 * this host is stale and taken over; any other holder makes the second run stop with a message.
 */
public final class RunLock implements AutoCloseable {
  private final FileSystem fs;
  private final Path path;

  private RunLock(FileSystem fs, Path path) {
    this.fs = fs;
    this.path = path;
  }

  /** Takes the lock or throws {@link JobFailure} naming the holder. */
  public static RunLock acquire(LakeCatalog catalog, String dataset, String what) {
    Path path = new Path(catalog.locks() + "/" + dataset + ".lock");
    try {
      FileSystem fs = path.getFileSystem(new Configuration());
      String me = host() + " " + ProcessHandle.current().pid() + " " + Instant.now() + " " + what;
      for (int attempt = 0; attempt < 2; attempt++) {
        try (OutputStream o = fs.create(path, false)) {
          o.write(me.getBytes(StandardCharsets.UTF_8));
          return new RunLock(fs, path);
        } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
          String holder = read(fs, path);
          if (attempt == 0 && (holder.isEmpty() || stale(holder))) {
            fs.delete(path, false);
            continue;
          }
          throw new JobFailure(
              what
                  + " is already running for dataset '"
                  + dataset
                  + "' (lock "
                  + path
                  + ": host pid started = "
                  + holder
                  + "). Wait for it to finish; if that process is gone, delete the lock file.");
        }
      }
      throw new JobFailure("could not take the lock " + path);
    } catch (IOException e) {
      throw new JobFailure("could not take the lock " + path + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      fs.delete(path, false);
    } catch (IOException e) {
      // the next run sees a stale lock (same host, dead pid) and takes it over
    }
  }

  /** Held by a process on this host that is no longer alive. */
  static boolean stale(String holder) {
    String[] parts = holder.split(" ");
    if (parts.length < 2 || !parts[0].equals(host())) {
      return false;
    }
    try {
      return goneHere(Long.parseLong(parts[1]));
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** Whether no live process on this host has {@code pid}. */
  static boolean goneHere(long pid) {
    return ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
  }

  private static String read(FileSystem fs, Path path) throws IOException {
    try (InputStream in = fs.open(path)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    } catch (java.io.FileNotFoundException e) {
      return "";
    }
  }

  /**
   * This host's name, looked up once per JVM (a slow resolver would otherwise delay every job's
   * start).
   */
  static String host() {
    return Host.NAME;
  }

  private static final class Host {
    static final String NAME = lookUp();

    private static String lookUp() {
      try {
        return InetAddress.getLocalHost().getHostName();
      } catch (IOException e) {
        return "unknown-host";
      }
    }
  }
}
