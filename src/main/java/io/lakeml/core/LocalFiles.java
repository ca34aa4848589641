package io.lakeml.core;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumFs;
import org.apache.hadoop.fs.DelegateToFileSystem;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FsServerDefaults;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.local.LocalConfigKeys;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * The local file system ({@code file:}) without Hadoop's child processes. Without Hadoop's native
 * library (not on Maven Central, so never on a laptop), {@link RawLocalFileSystem} starts a {@code
 * chmod} for every file and directory it creates and a {@code readlink} for every rename through
 * FileContext (Spark's checkpoints, Delta's log): about 940 processes in one titanic nightly, some
 * 6 ms each on the calling thread, most of them on the driver's. The classes here do the same with
 * java.nio and are otherwise Hadoop's own: the same files, {@code .crc} checksums and permission
 * bits, so a lake written with them is read by the stock classes and the other way round.
 *
 * <p>{@link #install()} makes them the {@code file:} implementations of every Hadoop {@code
 * Configuration} in this JVM (a default resource, as HDFS adds {@code hdfs-site.xml}); the tests'
 * {@code core-site.xml} names them too. A cluster's executors use them only where the driver's
 * Hadoop configuration travels with a task; either way the files are the same.
 */
public final class LocalFiles {
  /** Classpath resource naming the two classes for {@code fs.file.impl} and FileContext. */
  static final String RESOURCE = "lakeml-local-fs.xml";

  private static volatile boolean installed;

  private LocalFiles() {}

  /**
   * Makes every Hadoop configuration of this JVM use these classes for {@code file:}, from the next
   * file system made (call it before the first one is cached). Idempotent.
   */
  public static synchronized void install() {
    if (!installed) {
      Configuration.addDefaultResource(RESOURCE);
      installed = true;
    }
  }

  /** {@code fs.file.impl}: Hadoop's checksummed local file system over {@link Raw}. */
  public static class FileSystem extends LocalFileSystem {
    /** Made by Hadoop through reflection. */
    public FileSystem() {
      super(new Raw());
    }
  }

  /**
   * {@code fs.AbstractFileSystem.file.impl} (FileContext): Hadoop's {@code LocalFs} over {@link
   * Raw}.
   */
  public static class Fs extends ChecksumFs {
    /** Made by Hadoop through reflection. */
    public Fs(URI uri, Configuration conf) throws IOException, URISyntaxException {
      super(new RawFs(uri, conf));
    }
  }

  /** Hadoop's {@code RawLocalFs} (FileContext's raw local file system) over {@link Raw}. */
  static final class RawFs extends DelegateToFileSystem {
    RawFs(URI uri, Configuration conf) throws IOException, URISyntaxException {
      super(uri, new Raw(), conf, "file", false);
    }

    @Override
    public int getUriDefaultPort() {
      return -1;
    }

    @Override
    @SuppressWarnings("deprecation") // what RawLocalFs answers
    public FsServerDefaults getServerDefaults(Path f) throws IOException {
      return LocalConfigKeys.getServerDefaults();
    }

    @Override
    @SuppressWarnings("deprecation")
    public FsServerDefaults getServerDefaults() throws IOException {
      return LocalConfigKeys.getServerDefaults();
    }

    @Override
    public boolean isValidName(String src) {
      return true;
    }
  }

  /** {@link RawLocalFileSystem} with java.nio where it would start a process. */
  public static class Raw extends RawLocalFileSystem {
    @Override
    public void setPermission(Path p, FsPermission permission) throws IOException {
      Set<PosixFilePermission> bits = posix(permission);
      if (bits == null) {
        super.setPermission(p, permission); // sticky bit: only chmod sets it
        return;
      }
      try {
        Files.setPosixFilePermissions(pathToFile(p).toPath(), bits);
      } catch (UnsupportedOperationException notPosix) {
        super.setPermission(p, permission); // Windows: Hadoop's own way (winutils)
      }
    }

    /**
     * Without the native library Hadoop asks {@code readlink} about {@code f.toString()}, a {@code
     * file:} URI that never names a link, so the answer is always the file's own status. A real
     * link still goes to Hadoop's code.
     */
    @Override
    public FileStatus getFileLinkStatus(Path f) throws IOException {
      File file = pathToFile(f);
      if (Files.isSymbolicLink(file.toPath())) {
        return super.getFileLinkStatus(f);
      }
      return getFileStatus(f);
    }

    /** The nine permission bits, or null when the permission has a sticky bit. */
    static Set<PosixFilePermission> posix(FsPermission permission) {
      if (permission.getStickyBit()) {
        return null;
      }
      short mode = permission.toShort();
      PosixFilePermission[] order = {
        PosixFilePermission.OTHERS_EXECUTE,
        PosixFilePermission.OTHERS_WRITE,
        PosixFilePermission.OTHERS_READ,
        PosixFilePermission.GROUP_EXECUTE,
        PosixFilePermission.GROUP_WRITE,
        PosixFilePermission.GROUP_READ,
        PosixFilePermission.OWNER_EXECUTE,
        PosixFilePermission.OWNER_WRITE,
        PosixFilePermission.OWNER_READ
      };
      Set<PosixFilePermission> bits = EnumSet.noneOf(PosixFilePermission.class);
      for (int i = 0; i < order.length; i++) {
        if ((mode & (1 << i)) != 0) {
          bits.add(order[i]);
        }
      }
      return bits;
    }
  }
}
