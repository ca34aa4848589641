package io.lakeml.testing.fs;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsAction;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * Hadoop's local file system without its shell-outs. Without libhadoop (not on this machine, not in
 * any Maven jar) {@link RawLocalFileSystem} forks {@code chmod} for every file it creates and
 * {@code readlink} for every link-status lookup (FileContext, which Delta's log store uses, asks on
 * every rename): a process start per call from a multi-GB JVM, a large share of the suite's time.
 * This does the same through java.nio, in-process; symlinks and the sticky bit still go through
 * Hadoop's own code. Test-only: installed by {@code src/test/resources/core-site.xml}.
 */
public class FastRawLocalFileSystem extends RawLocalFileSystem {
  @Override
  public void setPermission(Path p, FsPermission permission) throws IOException {
    if (permission.getStickyBit()) {
      super.setPermission(p, permission);
      return;
    }
    Files.setPosixFilePermissions(pathToFile(p).toPath(), posix(permission));
  }

  @Override
  public FileStatus getFileLinkStatus(Path f) throws IOException {
    File file = pathToFile(f);
    if (!Files.isSymbolicLink(file.toPath())) {
      // what RawLocalFileSystem returns for anything that is not a link (readlink printed nothing)
      return getFileStatus(f);
    }
    return super.getFileLinkStatus(f);
  }

  static Set<PosixFilePermission> posix(FsPermission p) {
    Set<PosixFilePermission> s = EnumSet.noneOf(PosixFilePermission.class);
    add(
        s,
        p.getUserAction(),
        PosixFilePermission.OWNER_READ,
        PosixFilePermission.OWNER_WRITE,
        PosixFilePermission.OWNER_EXECUTE);
    add(
        s,
        p.getGroupAction(),
        PosixFilePermission.GROUP_READ,
        PosixFilePermission.GROUP_WRITE,
        PosixFilePermission.GROUP_EXECUTE);
    add(
        s,
        p.getOtherAction(),
        PosixFilePermission.OTHERS_READ,
        PosixFilePermission.OTHERS_WRITE,
        PosixFilePermission.OTHERS_EXECUTE);
    return s;
  }

  private static void add(
      Set<PosixFilePermission> s,
      FsAction a,
      PosixFilePermission r,
      PosixFilePermission w,
      PosixFilePermission x) {
    if (a.implies(FsAction.READ)) {
      s.add(r);
    }
    if (a.implies(FsAction.WRITE)) {
      s.add(w);
    }
    if (a.implies(FsAction.EXECUTE)) {
      s.add(x);
    }
  }
}
