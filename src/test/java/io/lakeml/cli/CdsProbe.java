package io.lakeml.cli;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * A tiny main for LauncherTest's class-data-sharing case: prints one line on stdout; with the
 * argument {@code more}, it first loads a few classes the plain run does not; with {@code species},
 * it binds an object and an int to a method handle, which makes the JDK generate a bound method
 * handle species class (as Java serialization of records does in Spark's tasks).
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

  /** What the species run calls through its bound handle. */
  static String join(Object a, int b, Object c) {
    return "" + a + b + c;
  }

  public static void main(String[] args) throws Throwable {
    if (args.length > 0 && args[0].equals("more")) {
      for (String c : MORE) {
        Class.forName(c);
      }
    }
    if (args.length > 0 && args[0].equals("species")) {
      MethodHandle join =
          MethodHandles.lookup()
              .findStatic(
                  CdsProbe.class,
                  "join",
                  MethodType.methodType(String.class, Object.class, int.class, Object.class));
      // an object, then an int: the species of bound (L, I) handles
      MethodHandle bound = MethodHandles.insertArguments(join, 0, "a", 1);
      if (!"a1b".equals((String) bound.invoke("b"))) {
        throw new AssertionError("bound handle");
      }
    }
    System.out.println("probe ran");
  }
}
