package io.lakeml.core;

import com.fasterxml.jackson.databind.JsonNode;
import io.lakeml.config.LakemlConfig;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, without Spark, that a stage has nothing to do: the lake is exactly as a finished nightly
 * of the same dataset, run date, configuration and build left it.
 *
 * <p>Why this is sound: a nightly chain whose stages all ended SUCCEEDED or SKIPPED is idempotent
 * (rerunning it on the state it left skips every stage, which DeployTest checks with Spark
 * deciding), and a SKIPPED stage changes nothing but the run ledger. So when the lake's {@link
 * #fingerprint} is the one recorded at the end of such a nightly, each of its stages would find
 * nothing to do. The fingerprint is every Delta table's newest commit version (a listing of {@code
 * _delta_log}, no log replay) and every other file's path, size and modification time (landing
 * files, checkpoints, models, reports), so any write, by any job of any dataset, makes it differ
 * and the stage decides with Spark as before. The run ledger, locks and these records are left out:
 * they change with every run without changing what a stage would do.
 *
 * <p>Only the nightly records a state, after its chains finish and under their locks, so no stage
 * of the same dataset can write between the last stage and the listing. A stage decided here prints
 * its SKIPPED summary but adds no row to {@code _system.runs} (a row is a Delta commit, which needs
 * the Spark session this avoids).
 */
public final class LakeState {
  private static final Logger LOG = LoggerFactory.getLogger(LakeState.class);
  private static final Pattern COMMIT = Pattern.compile("\\d{20}\\.json");

  /** A recorded finished state: which run left it, when, and for which stages it holds. */
  public record Finished(
      String fingerprint,
      String configHash,
      String build,
      List<String> jobs,
      String recordedAt,
      String runDate) {}

  private LakeState() {}

  /**
   * The Hadoop configuration Spark would use for the lake: {@code spark.hadoop.*} from conf/ and
   * from spark-submit.
   */
  public static Configuration hadoop(LakemlConfig config) {
    Configuration hadoop = new Configuration();
    for (Map.Entry<String, String> e : config.spark().conf().entrySet()) {
      if (e.getKey().startsWith("spark.hadoop.")) {
        hadoop.set(e.getKey().substring("spark.hadoop.".length()), e.getValue());
      }
    }
    for (scala.Tuple2<String, String> e : new SparkConf().getAllWithPrefix("spark.hadoop.")) {
      hadoop.set(e._1(), e._2());
    }
    return hadoop;
  }

  /**
   * A SHA-256 over the lake's Delta table versions and other files (see the class comment), with
   * the number of entries it covers, e.g. {@code 3f2a…/57}.
   */
  public static String fingerprint(LakeCatalog catalog, Configuration hadoop) throws IOException {
    Path root = new Path(catalog.root());
    FileSystem fs = root.getFileSystem(hadoop);
    List<String> skip =
        List.of(
            catalog.runs().path(), catalog.locks(), catalog.finishedStates(), catalog.running());
    List<String> entries = new ArrayList<>();
    if (fs.exists(root)) {
      walk(
          fs,
          root,
          fs.makeQualified(root).toUri().getPath(),
          skip.stream().map(p -> fs.makeQualified(new Path(p)).toUri().getPath()).toList(),
          entries);
    }
    entries.sort(null);
    MessageDigest sha = sha256();
    for (String e : entries) {
      sha.update(e.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) '\n');
    }
    return HexFormat.of().formatHex(sha.digest()) + "/" + entries.size();
  }

  /**
   * Delta commits in the lake: every table's newest version plus one, the run ledger's too (for the
   * bench).
   */
  public static long commits(LakeCatalog catalog, Configuration hadoop) throws IOException {
    Path root = new Path(catalog.root());
    FileSystem fs = root.getFileSystem(hadoop);
    List<String> entries = new ArrayList<>();
    walk(fs, root, fs.makeQualified(root).toUri().getPath(), List.of(), entries);
    return entries.stream()
        .filter(e -> e.startsWith("delta "))
        .mapToLong(e -> Long.parseLong(e.substring(e.lastIndexOf(' ') + 1)) + 1)
        .sum();
  }

  private static void walk(
      FileSystem fs, Path dir, String rootPath, Collection<String> skip, List<String> out)
      throws IOException {
    FileStatus[] children;
    try {
      children = fs.listStatus(dir);
    } catch (FileNotFoundException e) {
      return; // removed while listing: the fingerprint differs anyway
    }
    for (FileStatus c : children) {
      if (c.isDirectory() && c.getPath().getName().equals("_delta_log")) {
        // a Delta table: its newest commit stands for all of its data files
        out.add(
            "delta "
                + relative(dir.toUri().getPath(), rootPath)
                + " "
                + newestCommit(fs, c.getPath()));
        return;
      }
    }
    for (FileStatus c : children) {
      String path = c.getPath().toUri().getPath();
      if (skip.contains(path)) {
        continue;
      }
      if (c.isDirectory()) {
        walk(fs, c.getPath(), rootPath, skip, out);
      } else {
        out.add(
            "file " + relative(path, rootPath) + " " + c.getLen() + " " + c.getModificationTime());
      }
    }
  }

  private static long newestCommit(FileSystem fs, Path log) throws IOException {
    long newest = -1;
    for (FileStatus f : fs.listStatus(log)) {
      String name = f.getPath().getName();
      if (COMMIT.matcher(name).matches()) {
        newest = Math.max(newest, Long.parseLong(name.substring(0, 20)));
      }
    }
    return newest;
  }

  private static String relative(String path, String rootPath) {
    return path.startsWith(rootPath) ? path.substring(rootPath.length()) : path;
  }

  /**
   * Records that the lake's current state is one where each of {@code jobs} has nothing to do for
   * this dataset and run date. Only a nightly whose chain finished without failure calls this.
   */
  public static void recordFinished(
      LakeCatalog catalog,
      Configuration hadoop,
      String dataset,
      LocalDate runDate,
      String configHash,
      List<String> jobs,
      String fingerprint)
      throws IOException {
    Map<String, Object> state = new LinkedHashMap<>();
    state.put("dataset", dataset);
    state.put("runDate", runDate.toString());
    state.put("fingerprint", fingerprint);
    state.put("configHash", configHash);
    state.put("build", Version.build());
    state.put("jobs", jobs);
    state.put("recordedAt", Instant.now().toString());
    Optional<Finished> before = read(catalog, hadoop, dataset, runDate);
    if (before.isPresent()
        && before.get().fingerprint().equals(fingerprint)
        && before.get().configHash().equals(configHash)
        && before.get().build().equals(Version.build())
        && before.get().jobs().containsAll(jobs)) {
      return; // a rerun that changed nothing: keep the record of when the lake was finished
    }
    Path file = file(catalog, dataset, runDate);
    // written whole: a reader sees the old record or the new one, never half of one
    WholeFiles.write(file.getFileSystem(hadoop), file, Summary.MAPPER.writeValueAsBytes(state));
  }

  /**
   * Why {@code job} has nothing to do, when the lake is exactly as a finished nightly of this
   * dataset, run date, configuration and build left it; empty otherwise (the job then decides with
   * Spark).
   */
  public static Optional<String> unchanged(
      LakeCatalog catalog,
      Configuration hadoop,
      String dataset,
      LocalDate runDate,
      String configHash,
      String job)
      throws IOException {
    Optional<Finished> f = read(catalog, hadoop, dataset, runDate);
    if (f.isEmpty()
        || !f.get().jobs().contains(job)
        || !configHash.equals(f.get().configHash())
        || !Version.build().equals(f.get().build())) {
      return Optional.empty();
    }
    String now = fingerprint(catalog, hadoop);
    if (!now.equals(f.get().fingerprint())) {
      LOG.info(
          "{} {} [{}]: the lake changed since the nightly finished at {} ({} → {}); deciding with Spark",
          job,
          dataset,
          runDate,
          f.get().recordedAt(),
          f.get().fingerprint(),
          now);
      return Optional.empty();
    }
    return Optional.of(
        "nothing changed since the nightly of "
            + runDate
            + " finished at "
            + f.get().recordedAt()
            + " (same Delta table versions, files, configuration and build); decided without starting Spark");
  }

  /** The finished state recorded for this dataset and run date, if any. */
  public static Optional<Finished> read(
      LakeCatalog catalog, Configuration hadoop, String dataset, LocalDate runDate)
      throws IOException {
    Path file = file(catalog, dataset, runDate);
    FileSystem fs = file.getFileSystem(hadoop);
    if (!fs.exists(file)) {
      return Optional.empty();
    }
    JsonNode n;
    try (InputStream in = fs.open(file)) {
      n = Summary.MAPPER.readTree(in);
    }
    List<String> jobs = new ArrayList<>();
    n.path("jobs").forEach(j -> jobs.add(j.asText()));
    return Optional.of(
        new Finished(
            n.path("fingerprint").asText(),
            n.path("configHash").asText(),
            n.path("build").asText(),
            List.copyOf(jobs),
            n.path("recordedAt").asText(),
            n.path("runDate").asText()));
  }

  private static Path file(LakeCatalog catalog, String dataset, LocalDate runDate) {
    return new Path(catalog.finishedState(dataset, runDate));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
