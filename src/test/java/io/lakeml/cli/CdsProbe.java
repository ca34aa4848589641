package io.lakeml.cli;

/**
 * A tiny main for LauncherTest's class-data-sharing case: prints one line on stdout; with the
 * argument {@code more}, it first loads a few classes the plain run does not.
 */
public final class CdsProbe {
  /** Classes the plain run never loads. */
  static final String[] MORE = {
    "java.util.zip.ZipOutputStream",
    "java.util.zip.GZIPOutputStream",
    "java.util.zip.Adler32",
    "java.util.concurrent.Exchanger",
    "java.util.concurrent.Phaser",
    "java.util.concurrent.DelayQueue",
    "java.util.concurrent.LinkedTransferQueue",
    "java.util.concurrent.ConcurrentSkipListMap",
    "java.util.concurrent.ConcurrentLinkedDeque",
    "java.util.concurrent.CyclicBarrier",
    "java.util.BitSet",
    "java.util.PriorityQueue",
    "java.util.TreeSet",
    "java.util.Stack",
    "java.text.DecimalFormat",
    "java.time.LocalDate"
  };

  private CdsProbe() {}

  public static void main(String[] args) throws ClassNotFoundException {
    if (args.length > 0 && args[0].equals("more")) {
      for (String c : MORE) {
        Class.forName(c);
      }
    }
    System.out.println("probe ran");
  }
}
