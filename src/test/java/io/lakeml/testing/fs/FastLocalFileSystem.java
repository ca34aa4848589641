package io.lakeml.testing.fs;

import org.apache.hadoop.fs.LocalFileSystem;

/**
 * {@code fs.file.impl} for tests: Hadoop's checksummed local file system over {@link
 * FastRawLocalFileSystem}.
 */
public class FastLocalFileSystem extends LocalFileSystem {
  public FastLocalFileSystem() {
    super(new FastRawLocalFileSystem());
  }
}
