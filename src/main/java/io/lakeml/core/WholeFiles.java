package io.lakeml.core;

import java.io.IOException;
import java.io.OutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Small files of the lake written whole: to a hidden file beside the target, then renamed into
 * place, so a reader sees the old file or the new one, never half of one (on HDFS and local disks;
 * on object stores the rename is a copy, still of a complete file).
 */
public final class WholeFiles {
  private WholeFiles() {}

  /** Writes {@code bytes} to {@code path}, replacing what was there. */
  public static void write(FileSystem fs, Path path, byte[] bytes) throws IOException {
    Path tmp =
        new Path(
            path.getParent(), "." + path.getName() + "." + java.util.UUID.randomUUID() + ".tmp");
    fs.mkdirs(path.getParent());
    try (OutputStream out = fs.create(tmp, true)) {
      out.write(bytes);
    }
    fs.delete(path, false);
    if (!fs.rename(tmp, path)) {
      fs.delete(tmp, false);
      throw new IOException("could not rename " + tmp + " to " + path);
    }
  }
}
