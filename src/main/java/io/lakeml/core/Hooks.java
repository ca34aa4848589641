package io.lakeml.core;

import java.util.ServiceLoader;

/**
 * Points in a job where a test injects a fault (a failure at a stage's start, a JVM that dies right
 * after a commit, an out-of-memory error) or looks at rows a job never writes. Production runs have
 * none ({@link #NONE}): an implementation is found with {@link ServiceLoader}, and only the test
 * classpath registers one ({@code src/test/resources/META-INF/services/io.lakeml.core.Hooks}), so
 * no production class carries test behaviour, system properties or static observers.
 */
@FunctionalInterface
public interface Hooks {
  /** Where a job calls its hooks, and what it passes as the subject. */
  enum Point {
    /** A stage is about to run; subject: null. */
    JOB_START,
    /** Ingest committed one micro-batch to bronze; subject: the batch id (Long). */
    BRONZE_COMMITTED,
    /** Prepare committed gold; subject: gold's version (Long). */
    GOLD_COMMITTED,
    /** Tune saved a model and is about to add its registry row; subject: the version (Integer). */
    BEFORE_REGISTRY_ROW,
    /**
     * Tune scores rows to select a model (train, then validation); subject: the Dataset of rows.
     */
    SELECTION_ROWS
  }

  /** Hooks that do nothing. */
  Hooks NONE = (point, ctx, subject) -> {};

  void at(Point point, JobContext ctx, Object subject);

  /** The hooks on the classpath (the first registered), or {@link #NONE}. */
  static Hooks installed() {
    return Installed.HOOKS;
  }

  /** Looked up once per JVM. */
  final class Installed {
    private static final Hooks HOOKS = ServiceLoader.load(Hooks.class).findFirst().orElse(NONE);

    private Installed() {}
  }
}
