package io.lakeml.testing;

import io.lakeml.config.DatasetConfig;
import io.lakeml.core.Hooks;
import io.lakeml.core.JobContext;
import io.lakeml.core.JobFailure;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The test classpath's {@link Hooks} (registered in {@code META-INF/services}): a test installs
 * hooks for one dataset of its project for the length of a try-with-resources block; every other
 * run sees none, a dataset of the same name in another test class's project included (classes run
 * side by side). A child JVM started with {@code -D}{@link #HALT_AFTER_BRONZE}{@code =true} dies
 * right after ingest's first bronze commit, before the stream records the batch, as a killed
 * machine would.
 */
public final class TestHooks implements Hooks {
  /** System property of a child JVM: halt (exit 137, no shutdown hooks) after a bronze commit. */
  public static final String HALT_AFTER_BRONZE = "lakeml.test.haltAfterBronzeCommit";

  private static final Map<String, Hooks> BY_DATASET = new ConcurrentHashMap<>();

  private static String key(java.nio.file.Path projectDir, String dataset) {
    return projectDir.toAbsolutePath().normalize() + "\n" + dataset;
  }

  /** Installed hooks; closing removes them. */
  public static final class Installed implements AutoCloseable {
    private final String key;

    private Installed(String key) {
      this.key = key;
    }

    @Override
    public void close() {
      BY_DATASET.remove(key);
    }
  }

  /** Runs of {@code dataset} in {@code project} call {@code hooks} until the result is closed. */
  public static Installed install(TestProject project, String dataset, Hooks hooks) {
    String key = key(project.dir(), dataset);
    if (BY_DATASET.putIfAbsent(key, hooks) != null) {
      throw new IllegalStateException("hooks for " + dataset + " are installed already");
    }
    return new Installed(key);
  }

  /** The stage named {@code job} fails as it starts. */
  public static Hooks failAtStart(String job) {
    return (point, ctx, subject) -> {
      if (point == Point.JOB_START && ctx.jobName().equals(job)) {
        throw new JobFailure("test hook: " + job + " fails on purpose");
      }
    };
  }

  /** {@code error} is thrown at {@code at}. */
  public static Hooks throwAt(Point at, java.util.function.Supplier<? extends Throwable> error) {
    return (point, ctx, subject) -> {
      if (point == at) {
        sneakyThrow(error.get());
      }
    };
  }

  /** {@code observer} sees every row set tune's selection scores. */
  @SuppressWarnings("unchecked")
  public static Hooks onSelectionRows(Consumer<Dataset<Row>> observer) {
    return (point, ctx, subject) -> {
      if (point == Point.SELECTION_ROWS) {
        observer.accept((Dataset<Row>) subject);
      }
    };
  }

  @Override
  public void at(Point point, JobContext ctx, Object subject) {
    if (point == Point.BRONZE_COMMITTED && Boolean.getBoolean(HALT_AFTER_BRONZE)) {
      System.err.println(
          "test hook " + HALT_AFTER_BRONZE + ": halting after bronze commit of batch " + subject);
      Runtime.getRuntime().halt(137);
    }
    Hooks h =
        BY_DATASET.get(
            key(
                ctx.config().projectDir(),
                ctx.config().dataset().map(DatasetConfig::name).orElse("")));
    if (h != null) {
      h.at(point, ctx, subject);
    }
  }

  @SuppressWarnings("unchecked")
  private static <T extends Throwable> void sneakyThrow(Throwable t) throws T {
    throw (T) t;
  }
}
