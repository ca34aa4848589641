package io.lakeml.core;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.lakeml.config.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.spark.sql.SparkSession;

/**
 * What lakeml stores in a Delta commit's {@code userMetadata}, atomic with the data: the job that
 * wrote it, the input table version it was built from and the dataset configuration's hash (both
 * null where they do not apply), and the job's own attributes (a run id, a JDBC watermark, a
 * landing snapshot's checksum). One encoding, {@code lakeml:} followed by JSON. {@link #parse} also
 * reads the four encodings of lakes written before it ({@code lakeml:JOB;input=…;config=…}, {@code
 * lakeml:sql;…}, {@code lakeml-jdbc:{…}}, {@code lakeml-snapshot:SHA}), so an upgraded lake keeps
 * its watermarks and skips.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CommitTag(String job, Long input, String config, Map<String, String> attributes) {
  private static final String PREFIX = "lakeml:";
  private static final String OLD_JDBC = "lakeml-jdbc:";
  private static final String OLD_SNAPSHOT = "lakeml-snapshot:";

  public CommitTag {
    if (job == null || job.isBlank()) {
      throw new IllegalArgumentException("a commit tag names its job");
    }
    Map<String, String> a = new LinkedHashMap<>();
    if (attributes != null) {
      attributes.forEach(
          (k, v) -> {
            if (v != null) {
              a.put(k, v); // absent and null mean the same
            }
          });
    }
    attributes = java.util.Collections.unmodifiableMap(a);
  }

  /** A tag of {@code job} without input or configuration. */
  public static CommitTag of(String job, Map<String, String> attributes) {
    return new CommitTag(job, null, null, attributes);
  }

  /** One attribute, or null. */
  public String attribute(String key) {
    return attributes.get(key);
  }

  /** The {@code userMetadata} text: the same tag always gives the same text. */
  public String encode() {
    try {
      return PREFIX + Json.MAPPER.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The tag in a commit's {@code userMetadata}; empty when it holds none (null, another writer's
   * text, unreadable).
   */
  public static Optional<CommitTag> parse(String meta) {
    if (meta == null) {
      return Optional.empty();
    }
    try {
      if (meta.startsWith(PREFIX + "{")) {
        return Optional.of(Json.MAPPER.readValue(meta.substring(PREFIX.length()), CommitTag.class));
      }
      if (meta.startsWith(OLD_JDBC)) {
        Map<?, ?> mark = Json.MAPPER.readValue(meta.substring(OLD_JDBC.length()), Map.class);
        Map<String, String> a = new LinkedHashMap<>();
        a.put(JDBC_SOURCE, text(mark.get("source")));
        a.put(JDBC_WATERMARK_COLUMN, text(mark.get("column")));
        a.put(JDBC_WATERMARK, text(mark.get("watermark")));
        return Optional.of(of("ingest", a));
      }
      if (meta.startsWith(OLD_SNAPSHOT)) {
        return Optional.of(of("ingest", Map.of(SNAPSHOT, meta.substring(OLD_SNAPSHOT.length()))));
      }
      if (meta.startsWith(PREFIX)) {
        return oldLineage(meta.substring(PREFIX.length()));
      }
    } catch (JsonProcessingException | RuntimeException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  /** Attribute of an ingest commit from JDBC: the source (URL without credentials, relation). */
  public static final String JDBC_SOURCE = "jdbcSource";

  /**
   * Attribute of an ingest commit from JDBC: the watermark column (absent for a snapshot source).
   */
  public static final String JDBC_WATERMARK_COLUMN = "jdbcWatermarkColumn";

  /**
   * Attribute of an ingest commit from JDBC: the high watermark read up to, as the database renders
   * it.
   */
  public static final String JDBC_WATERMARK = "jdbcWatermark";

  /** Attribute of an ingest commit of a frozen landing snapshot: the SHA-256 of its files. */
  public static final String SNAPSHOT = "snapshotSha256";

  /**
   * The most recent tag among the table's last {@code lookback} commits that {@code which} accepts.
   */
  public static Optional<CommitTag> last(
      SparkSession spark, String path, Predicate<CommitTag> which, int lookback) {
    return parse(
        DeltaTables.lastUserMetadata(
            spark, path, meta -> parse(meta).filter(which).isPresent(), lookback));
  }

  /** {@link #last} over the last {@link DeltaTables#METADATA_LOOKBACK} commits. */
  public static Optional<CommitTag> last(
      SparkSession spark, String path, Predicate<CommitTag> which) {
    return last(spark, path, which, DeltaTables.METADATA_LOOKBACK);
  }

  /** The tag of one version of a table, if its commit carries one. */
  public static Optional<CommitTag> at(SparkSession spark, String path, long version) {
    return parse(DeltaTables.userMetadataAt(spark, path, version));
  }

  private static String text(Object o) {
    return o == null ? null : o.toString();
  }

  /** {@code JOB;key=value;…} as etl, prepare and sql wrote it before. */
  private static Optional<CommitTag> oldLineage(String body) {
    String[] parts = body.split(";");
    Long input = null;
    String config = null;
    Map<String, String> extra = new LinkedHashMap<>();
    for (int i = 1; i < parts.length; i++) {
      int eq = parts[i].indexOf('=');
      if (eq < 0) {
        continue;
      }
      String k = parts[i].substring(0, eq);
      String v = parts[i].substring(eq + 1);
      switch (k) {
        case "input" -> input = Long.parseLong(v);
        case "config" -> config = v;
        default -> extra.put(k, v);
      }
    }
    return Optional.of(new CommitTag(parts[0], input, config, extra));
  }
}
