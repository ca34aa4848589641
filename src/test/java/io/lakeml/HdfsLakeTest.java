package io.lakeml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakeml.testing.TestProject;
import io.lakeml.testing.TestSpark;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real pipeline with the lake on HDFS: an in-process HDFS (MiniDFSCluster, one datanode) and
 * {@code lake.root=hdfs://localhost:PORT/lake}; landing files are written into HDFS, nothing goes
 * to the local disk. The shared test session keeps its local default file system: a fully qualified
 * hdfs:// lake root is all it takes.
 */
class HdfsLakeTest {
  private static final String DS = "hcust";
  private static final String CONF =
      """
      dataset {
        schema = [ { name = id, type = int }, { name = x, type = double }, { name = z, type = double }, { name = y, type = string } ]
        key = [id]
        label { column = y, positive = "yes" }
        features { numeric = [x, z] }
        tune { folds = 2, algorithms = [ { type = logistic-regression, grid { regParam = [0.0], maxIter = [30] } } ] }
      }
      """;

  /**
   * HDFS client settings for the test, set on the shared session's Hadoop configuration while this
   * class runs (restored afterwards). A client closing a file asks the name node to complete it
   * and, while the datanode has not reported the block yet, sleeps 400 ms before asking again
   * (doubling): 200–290 ms per small file measured here, and a nightly writes hundreds of them
   * (Parquet parts, Delta commits, checkpoints, model metadata); with 20 ms, 40–50 ms. One
   * datanode: one replica.
   */
  private static final Map<String, String> CLIENT =
      Map.of(
          "dfs.client.block.write.locateFollowingBlock.initial.delay.ms", "20",
          "dfs.replication", "1");

  private static final Map<String, String> SAVED = new java.util.HashMap<>();

  private static java.nio.file.Path base;
  private static MiniDFSCluster cluster;
  private static String root;
  private static FileSystem fs;

  @BeforeAll
  static void startHdfs() throws IOException {
    TestSpark
        .session(); // started first, as when other classes ran before: fs.defaultFS stays file:///
    for (Map.Entry<String, String> e : CLIENT.entrySet()) {
      SAVED.put(e.getKey(), hadoopConf().get(e.getKey()));
      hadoopConf().set(e.getKey(), e.getValue());
    }
    base =
        TestProject.projectDir()
            .resolve("target/hdfs-minicluster")
            .resolve(String.valueOf(System.nanoTime()));
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.toString());
    // name node RPC on a free port (0 = the system picks one); its HTTP server and the datanode's
    // ports are ephemeral on 127.0.0.1 in a MiniDFSCluster anyway
    cluster =
        new MiniDFSCluster.Builder(conf, base.toFile()).numDataNodes(1).nameNodePort(0).build();
    cluster.waitActive();
    root = "hdfs://localhost:" + cluster.getNameNodePort() + "/lake";
    fs = new Path(root).getFileSystem(hadoopConf());
  }

  @AfterAll
  static void stopHdfs() throws IOException {
    if (fs != null) {
      fs.close();
    }
    if (cluster != null) {
      // not cluster.shutdown(): it clears every Hadoop shutdown hook of the JVM, Spark's included
      // (temporary folders, stopping the SparkContext at exit)
      cluster.shutdownDataNodes();
      cluster.shutdownNameNodes();
    }
    if (base != null) {
      FileUtil.fullyDelete(base.toFile());
    }
    for (Map.Entry<String, String> e : SAVED.entrySet()) {
      if (e.getValue() == null) {
        hadoopConf().unset(e.getKey());
      } else {
        hadoopConf().set(e.getKey(), e.getValue());
      }
    }
  }

  private static Configuration hadoopConf() {
    return TestSpark.session().sparkContext().hadoopConfiguration();
  }

  /** y mostly follows x; ids from..to-1. */
  private static String data(int from, int to, long seed) {
    Random r = new Random(seed);
    StringBuilder sb = new StringBuilder("id,x,z,y\n");
    for (int i = from; i < to; i++) {
      double x = Math.round(r.nextDouble() * 1000) / 1000.0;
      boolean yes = r.nextDouble() < (x > 0.5 ? 0.85 : 0.15);
      sb.append(i)
          .append(',')
          .append(x)
          .append(',')
          .append(Math.round(r.nextDouble() * 100) / 100.0)
          .append(',')
          .append(yes ? "yes" : "no")
          .append('\n');
    }
    return sb.toString();
  }

  private static void write(Path p, String content) throws IOException {
    try (OutputStream o = fs.create(p, false)) {
      o.write(content.getBytes(StandardCharsets.UTF_8));
    }
  }

  private static Path hdfs(String relative) {
    return new Path(root + "/" + relative);
  }

  @Test
  void nightlyRunsWithTheLakeOnHdfs() throws IOException {
    assertThat(FileSystem.getDefaultUri(hadoopConf()).getScheme())
        .as("the session's default file system is untouched")
        .isEqualTo("file");
    assertThat(fs.getUri().getScheme()).isEqualTo("hdfs");

    TestProject p = TestProject.create("hdfs").dataset(DS, CONF).lakeRoot(root);
    write(hdfs("landing/" + DS + "/2026-11-20/part-1.csv"), data(0, 300, 3));

    // the run lock is a file created with overwrite off: on HDFS a second create fails, so a lock
    // held by a nightly on another host stops this one before any stage runs
    Path lock = hdfs("_system/locks/" + DS + ".lock");
    write(lock, "other-host.example 4242 2026-11-20T02:30:00Z nightly");
    assertThatThrownBy(() -> fs.create(lock, false).close())
        .isInstanceOf(FileAlreadyExistsException.class);
    TestProject.Result blocked =
        p.run(
                "nightly",
                "--in-process",
                "--dataset",
                DS,
                "--run-date",
                "2026-11-20",
                "--until",
                "score")
            .expectExit(1);
    assertThat((String) blocked.summary().get("message"))
        .contains("already running")
        .contains("other-host.example 4242");
    assertThat(fs.exists(hdfs("bronze/" + DS))).isFalse();
    fs.delete(lock, false);

    TestProject.Result night =
        p.run(
                "nightly",
                "--in-process",
                "--dataset",
                DS,
                "--run-date",
                "2026-11-20",
                "--until",
                "score")
            .expectExit(0);
    assertThat(night.summary()).containsEntry("status", "SUCCEEDED");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> stages = (List<Map<String, Object>>) night.summary().get("stages");
    assertThat(stages)
        .extracting(s -> s.get("job"), s -> s.get("status"))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("ingest", "SUCCEEDED"),
                org.assertj.core.groups.Tuple.tuple("etl", "SUCCEEDED"),
            org.assertj.core.groups.Tuple.tuple("prepare", "SUCCEEDED"),
                org.assertj.core.groups.Tuple.tuple("bias-pre", "SKIPPED"),
            org.assertj.core.groups.Tuple.tuple("tune", "SUCCEEDED"),
                org.assertj.core.groups.Tuple.tuple("bias-post", "SKIPPED"),
            org.assertj.core.groups.Tuple.tuple("promote", "SUCCEEDED"),
                org.assertj.core.groups.Tuple.tuple("score", "SUCCEEDED"));
    assertThat(fs.exists(lock)).as("nightly released its lock").isFalse();
    assertThat(fs.getFileStatus(hdfs("_system/locks")).isDirectory())
        .as("the lock was taken on HDFS")
        .isTrue();

    Map<?, ?> ingest = (Map<?, ?>) night.summaryOf("ingest").get("metrics");
    assertThat(ingest.get("files")).isEqualTo(1);
    assertThat(ingest.get("rowsBronze")).isEqualTo(300);
    assertThat(fs.exists(hdfs("_system/checkpoints/" + DS + "/ingest/offsets")))
        .as("streaming checkpoint on HDFS")
        .isTrue();
    // one sql command for all layers (each command registers the tables it names, on HDFS)
    assertThat(
            p.sql(
                    "SELECT (SELECT count(*) FROM bronze."
                        + DS
                        + ") AS bronze, (SELECT count(*) FROM silver."
                        + DS
                        + ") AS silver, "
                        + "(SELECT count(*) FROM gold."
                        + DS
                        + ") AS gold, (SELECT count(DISTINCT split) FROM gold."
                        + DS
                        + ") AS splits")
                .get(0))
        .containsEntry("bronze", 300)
        .containsEntry("silver", 300)
        .containsEntry("gold", 300)
        .containsEntry("splits", 3);
    assertThat(fs.exists(hdfs("silver/" + DS + "/_delta_log/00000000000000000000.json"))).isTrue();
    assertThat(Arrays.stream(fs.listStatus(hdfs("silver/" + DS))).map(s -> s.getPath().getName()))
        .anyMatch(n -> n.endsWith(".parquet"));

    // the registered model version lives on HDFS, as a complete Spark ml PipelineModel
    assertThat(((Map<?, ?>) night.summaryOf("tune").get("metrics")).get("version")).isEqualTo(1);
    assertThat(((Map<?, ?>) night.summaryOf("promote").get("metrics")).get("promoted"))
        .isEqualTo(true);
    Map<String, Object> model =
        p.sql(
                "SELECT version, status, path, feature_pipeline FROM _system.models WHERE dataset = '"
                    + DS
                    + "'")
            .get(0);
    assertThat(model)
        .containsEntry("version", 1)
        .containsEntry("status", "champion")
        .containsEntry("path", root + "/models/" + DS + "/v1");
    Path modelPath = new Path((String) model.get("path"));
    assertThat(modelPath.toUri().getScheme()).isEqualTo("hdfs");
    assertThat(fs.exists(new Path(modelPath, "metadata"))).isTrue();
    FileStatus[] modelStages = fs.listStatus(new Path(modelPath, "stages"));
    assertThat(modelStages).isNotEmpty();
    assertThat((String) model.get("feature_pipeline"))
        .startsWith(root + "/models/" + DS + "/feature-pipelines/");
    assertThat(fs.exists(new Path((String) model.get("feature_pipeline"), "metadata"))).isTrue();
    assertThat(
            fs.exists(hdfs("models/" + DS + "/_staging"))
                ? fs.listStatus(hdfs("models/" + DS + "/_staging"))
                : new FileStatus[0])
        .as("the staged model was renamed into place")
        .isEmpty();

    // predictions of the run date, read from their files on HDFS (sum() is not answered from Delta
    // statistics)
    assertThat(((Map<?, ?>) night.summaryOf("score").get("metrics")).get("rowsScored"))
        .isEqualTo(300);
    // and the run ledger on HDFS holds the stages that did work
    assertThat(
            p.sql(
                    "SELECT count(*) AS n, count(DISTINCT prediction) AS classes, max(model_version) AS v, sum(probability) > 0 AS read, "
                        + "(SELECT concat_ws(',', sort_array(collect_set(job))) FROM _system.runs WHERE dataset = '"
                        + DS
                        + "' AND status = 'SUCCEEDED') AS jobs "
                        + "FROM predictions."
                        + DS
                        + " WHERE run_date = DATE'2026-11-20'")
                .get(0))
        .containsEntry("n", 300)
        .containsEntry("classes", 2)
        .containsEntry("v", 1)
        .containsEntry("read", true)
        .containsEntry("jobs", "etl,ingest,prepare,promote,score,tune");
    long silverV0 =
        ((Number)
                ((Map<?, ?>) ((Map<?, ?>) night.summaryOf("etl").get("tables")).get("silver." + DS))
                    .get("version"))
            .longValue();

    // a second drop, under a lock left by a dead process of this host (taken over): silver gets a
    // new version on HDFS and the old one stays readable by time travel
    write(
        lock, InetAddress.getLocalHost().getHostName() + " 999999999 2026-11-20T02:30:00Z nightly");
    write(hdfs("landing/" + DS + "/2026-11-21/part-1.csv"), data(300, 400, 4));
    TestProject.Result second =
        p.run(
                "nightly",
                "--in-process",
                "--dataset",
                DS,
                "--run-date",
                "2026-11-21",
                "--until",
                "etl")
            .expectExit(0);
    assertThat(((Map<?, ?>) second.summaryOf("ingest").get("metrics")).get("rowsBronze"))
        .isEqualTo(100);
    long silverV1 =
        ((Number)
                ((Map<?, ?>)
                        ((Map<?, ?>) second.summaryOf("etl").get("tables")).get("silver." + DS))
                    .get("version"))
            .longValue();
    assertThat(silverV1).isGreaterThan(silverV0);
    assertThat(fs.exists(lock)).isFalse();
    // sum(id) reads the data files of each version (a count alone may come from the Delta log's
    // statistics)
    String silver = "silver." + DS;
    assertThat(
            p.sql(
                    "SELECT (SELECT count(*) FROM "
                        + silver
                        + " VERSION AS OF "
                        + silverV0
                        + ") AS n0, (SELECT sum(id) FROM "
                        + silver
                        + " VERSION AS OF "
                        + silverV0
                        + ") AS s0, (SELECT count(*) FROM "
                        + silver
                        + ") AS n1, (SELECT sum(id) FROM "
                        + silver
                        + ") AS s1")
                .get(0))
        .containsEntry("n0", 300)
        .containsEntry("s0", 299 * 300 / 2)
        .containsEntry("n1", 400)
        .containsEntry("s1", 399 * 400 / 2);

    // nothing of the lake went to the local disk (neither the project's lake folder nor a
    // mis-resolved relative "hdfs:" folder)
    assertThat(Files.exists(p.lake())).isFalse();
    assertThat(Files.exists(p.dir().resolve("hdfs:"))).isFalse();
    assertThat(Files.exists(TestProject.projectDir().resolve("hdfs:"))).isFalse();
  }
}
