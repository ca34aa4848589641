package io.lakeml.testing;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

/**
 * A local file system under the scheme {@code fullfs://} whose disk can be made "full": while
 * {@link #fail} names a path fragment, every write to a file whose path contains it throws {@code
 * IOException: No space left on device}, as a full disk does (after the file is created, on its
 * first bytes). {@link Afs} is the same for Hadoop's FileContext API, which Delta's log store uses
 * for commit files. Register both with {@link #register}.
 */
public final class FullFileSystem extends RawLocalFileSystem {
  public static final String SCHEME = "fullfs";
  private static volatile String failing;
  private static final AtomicInteger FAILED = new AtomicInteger();

  /**
   * Writes to paths containing {@code fragment} fail from now on; null makes the disk usable again.
   */
  public static void fail(String fragment) {
    failing = fragment;
  }

  /** How many writes failed so far. */
  public static int failures() {
    return FAILED.get();
  }

  /** Makes {@code fullfs://} known to the session's Hadoop configuration. */
  public static void register(Configuration hadoop) {
    hadoop.set("fs." + SCHEME + ".impl", FullFileSystem.class.getName());
    hadoop.set("fs.AbstractFileSystem." + SCHEME + ".impl", Afs.class.getName());
  }

  @Override
  public URI getUri() {
    return URI.create(SCHEME + ":///");
  }

  @Override
  public String getScheme() {
    return SCHEME;
  }

  @Override
  public FSDataOutputStream create(
      Path f,
      FsPermission permission,
      boolean overwrite,
      int bufferSize,
      short replication,
      long blockSize,
      Progressable progress)
      throws IOException {
    return guard(
        f, super.create(f, permission, overwrite, bufferSize, replication, blockSize, progress));
  }

  @Override
  public FSDataOutputStream createNonRecursive(
      Path f,
      FsPermission permission,
      java.util.EnumSet<org.apache.hadoop.fs.CreateFlag> flags,
      int bufferSize,
      short replication,
      long blockSize,
      Progressable progress)
      throws IOException {
    return guard(
        f,
        super.createNonRecursive(
            f, permission, flags, bufferSize, replication, blockSize, progress));
  }

  @Override
  public FSDataOutputStream create(
      Path f,
      boolean overwrite,
      int bufferSize,
      short replication,
      long blockSize,
      Progressable progress)
      throws IOException {
    return guard(f, super.create(f, overwrite, bufferSize, replication, blockSize, progress));
  }

  private FSDataOutputStream guard(Path f, FSDataOutputStream out) {
    String path = f.toString();
    OutputStream checked =
        new FilterOutputStream(out) {
          @Override
          public void write(int b) throws IOException {
            check();
            out.write(b);
          }

          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            check();
            out.write(b, off, len);
          }

          private void check() throws IOException {
            String fragment = failing;
            if (fragment != null && path.contains(fragment)) {
              FAILED.incrementAndGet();
              throw new IOException("No space left on device (test double, writing " + path + ")");
            }
          }
        };
    return new FSDataOutputStream(checked, null);
  }

  /** The same file system for FileContext (Delta's HDFSLogStore writes commits through it). */
  public static final class Afs extends org.apache.hadoop.fs.DelegateToFileSystem {
    public Afs(URI uri, Configuration conf) throws IOException, URISyntaxException {
      super(uri, new FullFileSystem(), conf, SCHEME, false);
    }
  }
}
