package io.lakeml.core;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;

/**
 * Text files compressed as downloads and exports often are ({@code orders.csv.gz}): Spark's CSV and
 * JSON readers decompress them by their suffix, and lakeml's own looks into a file (its header
 * line, its encoding) decompress them the same way, with Hadoop's codecs.
 */
public final class Compressed {
  /** Suffixes after a format's own ({@code .csv.gz}) that landing files may carry. */
  public static final List<String> SUFFIXES = List.of(".gz", ".bz2");

  private Compressed() {}

  /**
   * The file name without a compression suffix ({@code a.csv.gz} → {@code a.csv}). Case counts, as
   * in the landing folder's glob ({@link #glob}).
   */
  public static String withoutSuffix(String name) {
    for (String s : SUFFIXES) {
      if (name.endsWith(s)) {
        return name.substring(0, name.length() - s.length());
      }
    }
    return name;
  }

  /** The compression suffix of a file name ({@code .gz}), or "" when it has none. */
  public static String suffixOf(String name) {
    return name.substring(withoutSuffix(name).length());
  }

  /** Whether a file name, its compression suffix aside, ends with {@code suffix}. */
  public static boolean hasSuffix(String name, String suffix) {
    return withoutSuffix(name).endsWith(suffix);
  }

  /** A glob that matches {@code suffix} with or without a compression suffix: *{.csv,.csv.gz,…}. */
  public static String glob(String suffix) {
    StringBuilder b = new StringBuilder("*{").append(suffix);
    for (String s : SUFFIXES) {
      b.append(',').append(suffix).append(s);
    }
    return b.append('}').toString();
  }

  /** Opens a file, decompressed when its name ends with a compression suffix. */
  public static InputStream open(Path file, Configuration hadoop) throws IOException {
    InputStream raw = file.getFileSystem(hadoop).open(file);
    CompressionCodec codec = new CompressionCodecFactory(hadoop).getCodec(file);
    if (codec == null) {
      return raw;
    }
    try {
      return codec.createInputStream(raw);
    } catch (IOException | RuntimeException e) {
      raw.close();
      throw e;
    }
  }

  /** Opens a local file, decompressed when its name ends with a compression suffix. */
  public static InputStream open(java.nio.file.Path file) throws IOException {
    return open(new Path(file.toAbsolutePath().toUri()), new Configuration());
  }
}
