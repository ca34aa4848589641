package io.lakeml.deploy;

import static org.apache.spark.sql.functions.col;

import io.lakeml.core.DeltaTables;
import io.lakeml.core.Job;
import io.lakeml.core.JobContext;
import io.lakeml.core.JobResult;
import io.lakeml.core.LakeCatalog;
import io.lakeml.core.MaintenanceMetrics;
import io.lakeml.core.ModelRegistry;
import io.lakeml.tables.ModelsTable;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Retention: Delta VACUUM of a dataset's tables (bronze, silver, gold, predictions; optionally the
 * shared {@code _system} tables) that never removes a table version a registered, non-archived
 * model was trained from. VACUUM deletes files that left the table more than the retention period
 * ago, and time travel to version v needs every file removed after v's commit; so for a protected
 * table the retention is stretched to reach back to the oldest protected commit.
 */
public final class VacuumJob implements Job {
  /**
   * Delta keeps log files (needed for time travel too) this long by default; older protected
   * versions are flagged.
   */
  static final Duration DEFAULT_LOG_RETENTION = Duration.ofDays(30);

  private final int retainHours;
  private final boolean includeSystem;

  public VacuumJob(int retainHours, boolean includeSystem) {
    this.retainHours = retainHours;
    this.includeSystem = includeSystem;
  }

  @Override
  public String name() {
    return "vacuum";
  }

  @Override
  public void validate(io.lakeml.config.LakemlConfig config) {
    if (retainHours < 0) {
      throw new io.lakeml.config.ConfigException(
          "--retain-hours " + retainHours + " must be zero or more.");
    }
  }

  @Override
  public JobResult run(JobContext ctx) {
    SparkSession spark = ctx.spark();
    LakeCatalog cat = ctx.catalog();
    String ds = ctx.dataset().name();
    // versions the registry's live models (candidate, blocked, champion) were trained from
    Map<String, Protected> protect = new LinkedHashMap<>();
    for (ModelsTable.ModelVersion m : ModelRegistry.list(spark, cat, ds)) {
      if (!ModelRegistry.ARCHIVED.equals(m.status())) {
        protect(protect, cat.bronze(ds).name(), m.bronzeVersion(), m.version());
        protect(protect, cat.silver(ds).name(), m.silverVersion(), m.version());
        protect(protect, cat.gold(ds).name(), m.goldVersion(), m.version());
      }
    }
    List<LakeCatalog.Table> tables =
        new ArrayList<>(List.of(cat.bronze(ds), cat.silver(ds), cat.gold(ds), cat.predictions(ds)));
    if (includeSystem) {
      tables.addAll(
          List.of(
              cat.runs(),
              cat.quarantine(),
              cat.quality(),
              cat.profile(),
              cat.models(),
              cat.trials(),
              cat.bias(),
              cat.champions(),
              cat.monitor()));
    }
    // retentions below Delta's 7-day guard are ours to choose: the guard protects concurrent
    // writers,
    // which the dataset's lock (held by the vacuum command) keeps away. Vacuum logging off: its
    // VACUUM START/END commits would give every table a new version, and the stages would take that
    // for new input (etl, prepare, tune would all run again).
    // VACUUM lists files with one task per "partition discovery" slot, 10,000 by default: a tiny
    // table took minutes in local mode; the cluster's cores are enough
    Map<String, String> settings =
        Map.of(
            "spark.databricks.delta.retentionDurationCheck.enabled",
            "false",
            "spark.databricks.delta.vacuum.logging.enabled",
            "false",
            "spark.sql.sources.parallelPartitionDiscovery.parallelism",
            String.valueOf(Math.max(2, spark.sparkContext().defaultParallelism())));
    Map<String, String> before = new LinkedHashMap<>();
    settings.forEach(
        (k, v) -> {
          before.put(k, spark.conf().getOption(k).getOrElse(() -> null));
          spark.conf().set(k, v);
        });
    List<Map<String, Object>> report = new ArrayList<>();
    long deleted = 0;
    List<String> warnings = new ArrayList<>();
    try {
      for (LakeCatalog.Table t : tables) {
        if (!DeltaTables.exists(spark, t.path())) {
          continue;
        }
        ctx.step("vacuum " + t.name());
        long hours = retainHours;
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("table", t.name());
        Protected p = protect.get(t.name());
        if (p != null) {
          Optional<Instant> committed = commitTime(spark, t.path(), p.version);
          entry.put("protectedVersion", p.version);
          entry.put("protectedFor", "model v" + p.model);
          if (committed.isEmpty()) {
            warnings.add(
                t.name()
                    + " version "
                    + p.version
                    + " (model v"
                    + p.model
                    + ") is no longer in the Delta log: time travel to it was already impossible");
          } else {
            Duration age = Duration.between(committed.get(), Instant.now());
            entry.put("protectedSince", committed.get().toString());
            // Delta rounds RETAIN to whole hours: round up, with a minute's margin
            hours = Math.max(hours, (long) Math.ceil((age.toSeconds() + 60) / 3600.0));
            if (age.compareTo(DEFAULT_LOG_RETENTION.minusDays(5)) > 0) {
              warnings.add(
                  t.name()
                      + " version "
                      + p.version
                      + " is "
                      + age.toDays()
                      + " days old: Delta deletes log files after delta.logRetentionDuration "
                      + "(30 days unless set), which ends time travel to it; raise that table property to keep model v"
                      + p.model
                      + " reproducible");
            }
          }
        }
        String retain = Long.toString(hours);
        long files =
            spark
                .sql("VACUUM delta.`" + t.path() + "` RETAIN " + retain + " HOURS DRY RUN")
                .count();
        if (files > 0) {
          spark.sql("VACUUM delta.`" + t.path() + "` RETAIN " + retain + " HOURS").count();
        }
        entry.put("retainHours", hours);
        entry.put("filesDeleted", files);
        deleted += files;
        report.add(entry);
      }
    } finally {
      before.forEach(
          (k, v) -> {
            if (v == null) {
              spark.conf().unset(k);
            } else {
              spark.conf().set(k, v);
            }
          });
    }
    JobResult r =
        JobResult.succeeded()
            .metrics(
                new MaintenanceMetrics.Vacuum(
                    retainHours, deleted, report, warnings.isEmpty() ? null : warnings));
    return r;
  }

  private record Protected(long version, int model) {}

  /** Keeps the oldest version per table (older protected versions need a longer retention). */
  private static void protect(
      Map<String, Protected> protect, String table, Long version, int model) {
    if (version == null) {
      return;
    }
    Protected seen = protect.get(table);
    if (seen == null || version < seen.version) {
      protect.put(table, new Protected(version, model));
    }
  }

  private static Optional<Instant> commitTime(SparkSession spark, String path, long version) {
    List<Row> rows =
        io.delta.tables.DeltaTable.forPath(spark, path)
            .history()
            .where(col("version").equalTo(version))
            // bounded: one history row (one table version)
            .select("timestamp")
            .collectAsList();
    return rows.isEmpty()
        ? Optional.empty()
        : Optional.of(((Timestamp) rows.get(0).get(0)).toInstant());
  }
}
