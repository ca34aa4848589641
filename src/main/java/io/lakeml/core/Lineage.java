package io.lakeml.core;

import java.util.Optional;
import org.apache.spark.sql.SparkSession;

/**
 * Which input version and dataset configuration built a derived table's current version, stored in
 * the Delta commit's {@code userMetadata} (atomic with the data). Lets a job skip when neither
 * changed, and tell which input rows are new since it last ran.
 */
public final class Lineage {

  /** What built a table version; {@code extra} holds the tag's other key=value parts. */
  public record Built(
      String job, long inputVersion, String datasetHash, java.util.Map<String, String> extra) {}

  private Lineage() {}

  /**
   * The {@link CommitTag} text to store with a commit of {@code job}, built from {@code
   * inputVersion}.
   */
  public static String tag(
      String job, long inputVersion, String datasetHash, java.util.Map<String, String> attributes) {
    return new CommitTag(job, inputVersion, datasetHash, attributes).encode();
  }

  /** The lineage of the table's latest commit written by {@code job}, if any. */
  public static Optional<Built> last(SparkSession spark, String path, String job) {
    return CommitTag.last(spark, path, t -> t.job().equals(job) && t.input() != null)
        .flatMap(Lineage::built);
  }

  /** The lineage recorded with one version of a table, if that commit carries a lakeml tag. */
  public static Optional<Built> at(SparkSession spark, String path, long version) {
    return CommitTag.at(spark, path, version).flatMap(Lineage::built);
  }

  private static Optional<Built> built(CommitTag t) {
    return t.input() == null
        ? Optional.empty()
        : Optional.of(new Built(t.job(), t.input(), t.config(), t.attributes()));
  }

  /**
   * The input table must exist; otherwise the job fails with the command that creates it.
   *
   * @param producer the command that writes {@code input}, e.g. {@code ingest}
   */
  public static long requireInput(JobContext ctx, LakeCatalog.Table input, String producer) {
    return DeltaTables.version(ctx.spark(), input.path())
        .orElseThrow(
            () ->
                new JobFailure(
                    input.name()
                        + " does not exist yet ("
                        + input.path()
                        + "). Run 'jobs/lakeml "
                        + producer
                        + " --dataset "
                        + ctx.dataset().name()
                        + "' first."));
  }

  /**
   * A SKIPPED result when {@code output} is already built by {@code job} from this input version
   * under the part of the dataset configuration it depends on ({@code configHash}, as the job tags
   * its commits with it), and the job's last run finished ({@link JobContext#redo()}).
   */
  public static Optional<JobResult> skipIfCurrent(
      JobContext ctx,
      String job,
      LakeCatalog.Table input,
      long inputVersion,
      LakeCatalog.Table output,
      String configHash) {
    if (ctx.redo()) {
      return Optional
          .empty(); // the last run died or failed after committing: its outputs may be partial
    }
    Optional<Built> built = last(ctx.spark(), output.path(), job);
    if (built.isEmpty()
        || built.get().inputVersion() != inputVersion
        || !configHash.equals(built.get().datasetHash())) {
      return Optional.empty();
    }
    JobResult r =
        JobResult.skipped(
            output.name()
                + " is already built from "
                + input.name()
                + " version "
                + inputVersion
                + " with this dataset configuration");
    r.read(input.name(), inputVersion);
    DeltaTables.version(ctx.spark(), output.path()).ifPresent(v -> r.wrote(output.name(), v));
    return Optional.of(r);
  }
}
