package io.lakeml.report;

import io.lakeml.config.DatasetConfig;
import io.lakeml.core.Job;
import io.lakeml.core.JobContext;
import io.lakeml.core.JobFailure;
import io.lakeml.core.JobResult;
import io.lakeml.core.ReportMetrics;
import io.lakeml.core.Version;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The nightly report of one dataset and run date: reads the {@code _system} tables (never data
 * tables or model files), renders one self-contained HTML page and writes it to {@code
 * reports/<dataset>/<run date>/index.html} through the Hadoop FileSystem API, so any lake root
 * (local, HDFS, S3A) works. SKIPPED when that page exists and neither the table versions nor the
 * ledger rows it showed nor the configuration changed since the last successful report of the date.
 */
public final class ReportJob implements Job {
  /** The job's (and the nightly stage's) name. */
  public static final String NAME = "report";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public boolean skipsWhenLakeUnchanged(io.lakeml.config.LakemlConfig config) {
    return true;
  }

  @Override
  public JobResult run(JobContext ctx) throws IOException {
    DatasetConfig ds = ctx.dataset();
    ctx.step("checking what the report of " + ctx.runDate() + " would show");
    ReportReader reader = new ReportReader(ctx.spark(), ctx.catalog(), ds.name(), ctx.runDate());
    List<Map<String, Object>> runs = reader.stageRuns();
    String stageRuns = fingerprint(runs);
    String target = ctx.catalog().report(ds.name(), ctx.runDate());
    Path path = new Path(target);
    FileSystem fs = path.getFileSystem(ctx.spark().sparkContext().hadoopConfiguration());
    if (fs instanceof org.apache.hadoop.fs.ChecksumFileSystem local) {
      fs = local.getRawFileSystem(); // a local lake: no hidden .crc file next to the page
    }

    Map<String, Object> last = reader.lastReport();
    if (last != null
        && fs.exists(path)
        && upToDate(last, reader.versions(), stageRuns, ctx.config().hash())) {
      JobResult r =
          JobResult.skipped(
                  "the report of "
                      + ctx.runDate()
                      + " is up to date (same table versions, stage runs and configuration)")
              .metrics(ReportMetrics.upToDate(target, stageRuns));
      reader.versions().forEach(r::read);
      return r;
    }

    ctx.step("reading the _system tables for the report");
    ReportData data =
        reader.read(
            Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
            Version.get(),
            target,
            ds.bias().diMin(),
            ds.bias().diMax(),
            runs);
    ctx.step("writing " + target);
    write(fs, path, HtmlReport.render(data));
    JobResult r =
        JobResult.succeeded()
            .metrics(
                new ReportMetrics(
                    target,
                    ReportData.SECTIONS.size(),
                    stageRuns,
                    runs.size(),
                    data.model() == null
                        ? null
                        : ((Number) data.model().get(ReportData.VERSION)).intValue()));
    reader.versions().forEach(r::read);
    return r;
  }

  /**
   * Whether the last report read the same table versions, showed the same stage runs and used the
   * same configuration.
   */
  private static boolean upToDate(
      Map<String, Object> last, Map<String, Long> versions, String stageRuns, String configHash) {
    Map<String, Object> metrics = ReportReader.parse((String) last.get(ReportData.METRICS_JSON));
    Object read = last.get(ReportData.TABLES_READ);
    if (metrics == null
        || !(read instanceof Map<?, ?> before)
        || !configHash.equals(last.get(ReportData.CONFIG_HASH))) {
      return false;
    }
    if (before.size() != versions.size()
        || !stageRuns.equals(JobResult.metricsAs(metrics, ReportMetrics.class).stageRuns())) {
      return false;
    }
    return versions.entrySet().stream()
        .allMatch(e -> before.get(e.getKey()) instanceof Number n && n.longValue() == e.getValue());
  }

  /**
   * A short hash of the shown runs' ids and statuses: changes when a stage reruns with an effect.
   */
  static String fingerprint(List<Map<String, Object>> runs) {
    StringBuilder s = new StringBuilder();
    for (Map<String, Object> r : runs) {
      s.append(r.get(ReportData.RUN_ID)).append(':').append(r.get(ReportData.STATUS)).append(';');
    }
    try {
      byte[] h =
          MessageDigest.getInstance("SHA-256")
              .digest(s.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(h, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes the page whole, so a reader never sees half of it. */
  private static void write(FileSystem fs, Path path, String html) {
    try {
      io.lakeml.core.WholeFiles.write(fs, path, html.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new JobFailure(
          "could not write the report to " + path + " (" + e.getMessage() + "); rerun the report.",
          e);
    }
  }
}
