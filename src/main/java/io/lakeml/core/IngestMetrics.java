package io.lakeml.core;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * What ingest reports in its summary's {@code metrics}, in the order the summary line prints them:
 * {@link Files} for landing files, {@link JdbcWatermark} and {@link JdbcSnapshot} for a JDBC source
 * read by watermark or whole. The two JDBC lines are two records because a watermark run prints its
 * previous watermark even when there is none ({@code null} on a first run) and a snapshot run has
 * no such key.
 */
public final class IngestMetrics {
  private IngestMetrics() {}

  /**
   * Landing files, over every micro-batch of the run (incremental) or the whole folder (snapshot).
   *
   * @param quarantineCompleted true when a rerun only completed a snapshot's quarantine (bronze
   *     already held it); absent otherwise
   * @param files files read
   * @param rowsRead records read, accepted or rejected (blank lines are not records)
   * @param rowsBronze records appended to bronze
   * @param rowsQuarantined records rejected to the quarantine
   * @param quarantinedByKind rejected records per reason
   * @param blankLines blank lines skipped in JSON files; absent when none
   * @param columnsAdded columns bronze gained from the files (schema drift); absent when none
   * @param snapshotSha256 the checksum of a snapshot's files; absent for incremental runs
   * @param notIngested files in the landing folder that ingest does not read, being of another
   *     format (a spreadsheet, notes, {@code .txt}): at most 20 names; absent when none
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Files(
      @JsonInclude(JsonInclude.Include.NON_NULL) Boolean quarantineCompleted,
      long files,
      long rowsRead,
      long rowsBronze,
      long rowsQuarantined,
      Map<String, Long> quarantinedByKind,
      @JsonInclude(JsonInclude.Include.NON_NULL) Long blankLines,
      @JsonInclude(JsonInclude.Include.NON_NULL) List<String> columnsAdded,
      @JsonInclude(JsonInclude.Include.NON_NULL) String snapshotSha256,
      @JsonInclude(JsonInclude.Include.NON_NULL) List<String> notIngested) {}

  /**
   * A JDBC source read by watermark ({@code mode} is always {@code watermark}).
   *
   * @param source the source as the configuration names it (URL without credentials, relation)
   * @param watermarkColumn the column whose values only grow
   * @param watermarkBefore the watermark bronze held before the run; null on the first run
   * @param watermarkAfter the watermark bronze holds after it
   * @param partitions Spark partitions (connections) the read used; absent when nothing was read
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record JdbcWatermark(
      String source,
      String mode,
      String watermarkColumn,
      String watermarkBefore,
      String watermarkAfter,
      long rowsRead,
      long rowsBronze,
      long rowsQuarantined,
      @JsonInclude(JsonInclude.Include.NON_NULL) Integer partitions) {
    /**
     * A run that read {@code rows} into bronze: the database typed them, so none is quarantined.
     */
    public JdbcWatermark(
        String source,
        String watermarkColumn,
        String watermarkBefore,
        String watermarkAfter,
        long rows,
        Integer partitions) {
      this(
          source,
          "watermark",
          watermarkColumn,
          watermarkBefore,
          watermarkAfter,
          rows,
          rows,
          0L,
          partitions);
    }
  }

  /**
   * A JDBC source read whole into a replaced bronze ({@code mode} is always {@code snapshot}).
   *
   * @param watermarkAfter always null: a snapshot keeps no watermark
   * @param partitions Spark partitions (connections) the read used; absent when nothing was read
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record JdbcSnapshot(
      String source,
      String mode,
      String watermarkAfter,
      long rowsRead,
      long rowsBronze,
      long rowsQuarantined,
      @JsonInclude(JsonInclude.Include.NON_NULL) Integer partitions) {
    /**
     * A run that read {@code rows} into bronze: the database typed them, so none is quarantined.
     */
    public JdbcSnapshot(String source, long rows, Integer partitions) {
      this(source, "snapshot", null, rows, rows, 0L, partitions);
    }
  }
}
