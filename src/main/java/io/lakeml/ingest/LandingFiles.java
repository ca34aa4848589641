package io.lakeml.ingest;

import com.univocity.parsers.csv.CsvParser;
import com.univocity.parsers.csv.CsvParserSettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Driver-side access to landing files through the Hadoop file system (any URI scheme). */
final class LandingFiles {
  /**
   * Columns a landing CSV may have: Spark's CSV reader's own limit (its {@code maxColumns}
   * default). univocity's default of 512 failed a 785-column file (Fashion-MNIST) before Spark read
   * it.
   */
  static final int MAX_COLUMNS = 20_480;

  private LandingFiles() {}

  static boolean exists(String folder, Configuration hadoop) throws IOException {
    Path p = new Path(folder);
    return p.getFileSystem(hadoop).exists(p);
  }

  /**
   * Data files under a folder (recursively) with the suffix, compressed ({@code .csv.gz}) or not,
   * skipping hidden ('.', '_') names; sorted.
   */
  static List<String> list(String folder, String suffix, Configuration hadoop) throws IOException {
    List<String> files = new ArrayList<>();
    for (FileStatus s : statuses(folder, suffix, hadoop)) {
      files.add(s.getPath().toString());
    }
    files.sort(null);
    return files;
  }

  /**
   * The data files under a folder, recursively, by listing each folder (no block locations, which a
   * file system double or an object store may not give cheaply).
   */
  private static List<FileStatus> statuses(String folder, String suffix, Configuration hadoop)
      throws IOException {
    Path root = new Path(folder);
    FileSystem fs = root.getFileSystem(hadoop);
    List<FileStatus> out = new ArrayList<>();
    java.util.ArrayDeque<Path> dirs = new java.util.ArrayDeque<>(List.of(root));
    while (!dirs.isEmpty()) {
      for (FileStatus s : fs.listStatus(dirs.pop())) {
        String name = s.getPath().getName();
        if (s.isDirectory()) {
          dirs.push(s.getPath());
        } else if (io.lakeml.core.Compressed.hasSuffix(name, suffix)
            && !name.startsWith(".")
            && !name.startsWith("_")) {
          out.add(s);
        }
      }
    }
    return out;
  }

  /**
   * The files under a folder (recursively, hidden names skipped) that {@link #list} leaves out for
   * their suffix, relative to the folder; sorted.
   */
  static List<String> others(String folder, String suffix, Configuration hadoop)
      throws IOException {
    Path root = new Path(folder);
    FileSystem fs = root.getFileSystem(hadoop);
    List<String> files = new ArrayList<>();
    others(fs, root, "", suffix, files);
    files.sort(null);
    return files;
  }

  // listStatus rather than listFiles: its located statuses load each file's permissions, which
  // some file systems cannot (a wrapped local one in the tests)
  private static void others(
      FileSystem fs, Path dir, String prefix, String suffix, List<String> out) throws IOException {
    for (org.apache.hadoop.fs.FileStatus s : fs.listStatus(dir)) {
      String name = s.getPath().getName();
      if (name.startsWith(".") || name.startsWith("_")) {
        continue;
      }
      if (s.isDirectory()) {
        others(fs, s.getPath(), prefix + name + "/", suffix, out);
      } else if (!io.lakeml.core.Compressed.hasSuffix(name, suffix)) {
        out.add(prefix + name);
      }
    }
  }

  /**
   * The column names in a CSV file's header line, or an empty list for an empty file.
   *
   * @param delimiter the field delimiter from the reader options
   * @param charset the files' encoding, as Spark's reader decodes them ({@link #charset})
   */
  static List<String> csvHeader(
      String file, char delimiter, java.nio.charset.Charset charset, Configuration hadoop)
      throws IOException {
    Path p = new Path(file);
    try (InputStream in = io.lakeml.core.Compressed.open(p, hadoop);
        BufferedReader r = new BufferedReader(new InputStreamReader(in, charset))) {
      String line = r.readLine();
      if (line == null) {
        return List.of();
      }
      if (line.startsWith("\uFEFF")) {
        line = line.substring(1);
      }
      CsvParserSettings settings = new CsvParserSettings();
      settings.setMaxColumns(MAX_COLUMNS);
      settings.getFormat().setDelimiter(delimiter);
      settings.setNullValue("");
      String[] cols = new CsvParser(settings).parseLine(line);
      return cols == null ? List.of() : Arrays.stream(cols).map(String::trim).toList();
    }
  }

  /**
   * The encoding of a CSV source's files: the reader option {@code encoding} (or its alias {@code
   * charset}) that Spark's CSV reader decodes them with, UTF-8 without one.
   */
  static java.nio.charset.Charset charset(io.lakeml.config.DatasetConfig.Source source) {
    String name = source.options().getOrDefault("encoding", source.options().get("charset"));
    return name == null ? StandardCharsets.UTF_8 : java.nio.charset.Charset.forName(name);
  }

  /**
   * The path of a landing file relative to the landing folder: how {@link IngestedFiles} names it,
   * whichever form (qualified URI or not) a listing gave.
   */
  static String relative(String folder, String file, Configuration hadoop) throws IOException {
    Path root = new Path(folder);
    FileSystem fs = root.getFileSystem(hadoop);
    return relative(fs.makeQualified(root).toString(), fs.makeQualified(new Path(file)).toString());
  }

  private static String relative(String rootUri, String qualified) {
    String rel = qualified.startsWith(rootUri) ? qualified.substring(rootUri.length()) : qualified;
    return rel.startsWith("/") ? rel.substring(1) : rel;
  }

  /** Every data file under the folder ({@link #list}) by its relative path, with its length. */
  static Map<String, Long> lengths(String folder, String suffix, Configuration hadoop)
      throws IOException {
    Path root = new Path(folder);
    FileSystem fs = root.getFileSystem(hadoop);
    String rootUri = fs.makeQualified(root).toString();
    Map<String, Long> out = new java.util.TreeMap<>();
    for (FileStatus s : statuses(folder, suffix, hadoop)) {
      out.put(relative(rootUri, fs.makeQualified(s.getPath()).toString()), s.getLen());
    }
    return out;
  }

  /**
   * SHA-256 over every file's path (relative to the folder) and content: the snapshot's identity.
   */
  static String checksum(String folder, List<String> files, Configuration hadoop)
      throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    Path root = new Path(folder);
    FileSystem fs = root.getFileSystem(hadoop);
    String rootUri = fs.makeQualified(root).toString();
    byte[] buf = new byte[1 << 16];
    for (String f : files) {
      String relative = f.startsWith(rootUri) ? f.substring(rootUri.length()) : f;
      md.update(relative.getBytes(StandardCharsets.UTF_8));
      md.update((byte) 0);
      try (InputStream in = fs.open(new Path(f))) {
        for (int n; (n = in.read(buf)) > 0; ) {
          md.update(buf, 0, n);
        }
      }
      md.update((byte) 0);
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
