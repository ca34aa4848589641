package io.lakeml.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.CreateFlag;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local file system without child processes: the same files, checksums and permission bits as
 * Hadoop's own classes, and no {@code chmod} or {@code readlink} started (counted with JFR's
 * process-start events, which count Hadoop's stock classes' processes too).
 */
class LocalFilesTest {
  @TempDir java.nio.file.Path dir;

  private static Configuration conf(boolean stock) {
    LocalFiles.install();
    Configuration conf = new Configuration();
    conf.set("fs.permissions.umask-mode", "022");
    if (stock) {
      conf.set("fs.file.impl", "org.apache.hadoop.fs.LocalFileSystem");
      conf.set("fs.AbstractFileSystem.file.impl", "org.apache.hadoop.fs.local.LocalFs");
    }
    return conf;
  }

  /** What one writer leaves behind: file names with their permissions, and the written text. */
  private List<String> writeAndList(java.nio.file.Path root, Configuration conf) throws Exception {
    FileSystem fs = FileSystem.newInstance(root.toUri(), conf);
    try {
      Path base = new Path(root.toUri());
      try (FSDataOutputStream out = fs.create(new Path(base, "a/b/data.txt"))) {
        out.write("rows".getBytes(StandardCharsets.UTF_8));
      }
      fs.mkdirs(new Path(base, "c"));
      fs.setPermission(new Path(base, "c"), new FsPermission((short) 0700));
      // a checkpoint's way: FileContext writes a temporary file and renames it over the target
      FileContext fc = FileContext.getFileContext(root.toUri(), conf);
      Path tmp = new Path(base, "c/.offset.tmp");
      try (FSDataOutputStream out =
          fc.create(tmp, EnumSet.of(CreateFlag.CREATE, CreateFlag.OVERWRITE))) {
        out.write("v1".getBytes(StandardCharsets.UTF_8));
      }
      fc.rename(tmp, new Path(base, "c/offset"), Options.Rename.OVERWRITE);
      assertEquals(
          "v1",
          new String(fs.open(new Path(base, "c/offset")).readAllBytes(), StandardCharsets.UTF_8));
    } finally {
      fs.close();
    }
    List<String> listing = new ArrayList<>();
    try (var files = Files.walk(root)) {
      for (java.nio.file.Path p : (Iterable<java.nio.file.Path>) files.sorted()::iterator) {
        if (!p.equals(root)) {
          listing.add(
              root.relativize(p)
                  + " "
                  + PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
        }
      }
    }
    return listing;
  }

  private static long processesStarted(String command, ThrowingRunnable body) throws Exception {
    java.nio.file.Path dump = Files.createTempFile("lakeml-processes", ".jfr");
    try (jdk.jfr.Recording recording = new jdk.jfr.Recording()) {
      recording.enable("jdk.ProcessStart");
      recording.start();
      body.run();
      recording.stop();
      recording.dump(dump);
      return jdk.jfr.consumer.RecordingFile.readAllEvents(dump).stream()
          .filter(e -> e.getString("command").startsWith(command))
          .count();
    } finally {
      Files.deleteIfExists(dump);
    }
  }

  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  @Test
  void writesWhatHadoopWritesWithoutStartingProcesses() throws Exception {
    java.nio.file.Path ours = Files.createDirectories(dir.resolve("ours"));
    java.nio.file.Path stock = Files.createDirectories(dir.resolve("stock"));
    assertInstanceOf(
        LocalFiles.FileSystem.class, FileSystem.newInstance(ours.toUri(), conf(false)));
    assertInstanceOf(
        LocalFiles.Fs.class,
        FileContext.getFileContext(ours.toUri(), conf(false)).getDefaultFileSystem());

    List<List<String>> listings = new ArrayList<>();
    long oursChmod = processesStarted("chmod", () -> listings.add(writeAndList(ours, conf(false))));
    long stockChmod =
        processesStarted("chmod", () -> listings.add(writeAndList(stock, conf(true))));

    assertEquals(listings.get(1), listings.get(0));
    assertTrue(listings.get(0).contains("a/b/data.txt rw-r--r--"), listings.get(0).toString());
    assertTrue(listings.get(0).contains("a/b/.data.txt.crc rw-r--r--"), listings.get(0).toString());
    assertTrue(listings.get(0).contains("a rwxr-xr-x"), listings.get(0).toString());
    assertTrue(listings.get(0).contains("c rwx------"), listings.get(0).toString());
    assertEquals(0, oursChmod);
    assertTrue(stockChmod > 0, "the count sees Hadoop's own chmod processes");
  }

  @Test
  void linkStatusWithoutReadlink() throws Exception {
    java.nio.file.Path file = Files.writeString(dir.resolve("target.txt"), "x");
    java.nio.file.Path link = Files.createSymbolicLink(dir.resolve("link.txt"), file);
    FileSystem fs = FileSystem.newInstance(dir.toUri(), conf(false));
    long readlinks =
        processesStarted(
            "readlink",
            () -> {
              FileStatus plain = fs.getFileLinkStatus(new Path(file.toUri()));
              assertFalse(plain.isSymlink());
              assertEquals(1, plain.getLen());
              assertThrows(
                  FileNotFoundException.class,
                  () -> fs.getFileLinkStatus(new Path(dir.resolve("missing").toUri())));
            });
    assertEquals(0, readlinks);
    // a real link gets Hadoop's own answer, whatever it is (its readlink of a file: URI finds none)
    FileSystem stock = FileSystem.newInstance(dir.toUri(), conf(true));
    FileStatus ours = fs.getFileLinkStatus(new Path(link.toUri()));
    FileStatus theirs = stock.getFileLinkStatus(new Path(link.toUri()));
    assertEquals(theirs.isSymlink(), ours.isSymlink());
    assertEquals(theirs.getLen(), ours.getLen());
    stock.close();
    fs.close();
  }

  @Test
  void stickyBitFallsBackToHadoop() throws IOException {
    assertEquals(
        null, LocalFiles.Raw.posix(new FsPermission((short) 01777)), "chmod sets a sticky bit");
    assertEquals(
        PosixFilePermissions.fromString("rw-r-----"),
        LocalFiles.Raw.posix(new FsPermission((short) 0640)));
  }
}
