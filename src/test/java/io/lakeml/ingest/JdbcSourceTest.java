package io.lakeml.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.delta.tables.DeltaTable;
import io.lakeml.config.ConfigException;
import io.lakeml.config.ConfigLoader;
import io.lakeml.config.DatasetConfig;
import io.lakeml.core.CommitTag;
import io.lakeml.testing.PostgresServer;
import io.lakeml.testing.TestProject;
import io.lakeml.testing.TestSpark;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * JDBC sources against a real PostgreSQL server started for this class (skipped when the server
 * binaries are not installed: {@code apt-get install -y postgresql}). Every command's stdout and
 * stderr, and every lakeml/Spark log line, are checked for the password.
 */
class JdbcSourceTest {
  private static final String DB = "shop";
  private static final String SCHEMA =
      """
      schema = [ { name = id, type = int }, { name = customer, type = string }, { name = amount, type = double },
                 { name = updated_at, type = timestamp } ]
      key = [id]
      """;
  private static PostgresServer pg;
  private static StringWriter logs;
  private static WriterAppender capture;

  /** stdout + stderr of every command run in this class. */
  private static final StringBuilder OUTPUT = new StringBuilder();

  @BeforeAll
  static void startServer() throws Exception {
    Optional<Path> bin = PostgresServer.findBinaries();
    assumeTrue(
        bin.isPresent(),
        "PostgreSQL server binaries (initdb, postgres) not found in $LAKEML_PG_BIN or /usr/lib/postgresql/<major>/bin:"
            + " JDBC source tests skipped. Install them with: apt-get install -y postgresql");
    pg = PostgresServer.start(bin.get());
    pg.execute("postgres", "CREATE DATABASE " + DB);
    logs = new StringWriter();
    LoggerContext lc = (LoggerContext) LogManager.getContext(false);
    capture =
        WriterAppender.createAppender(
            PatternLayout.newBuilder().withPattern("%p %c: %m%n%ex").build(),
            null,
            logs,
            "jdbc-source-test",
            false,
            true);
    capture.start();
    lc.getConfiguration().addAppender(capture);
    lc.getConfiguration().getRootLogger().addAppender(capture, null, null);
    lc.updateLoggers();
  }

  @AfterAll
  static void stopServer() {
    if (capture != null) {
      LoggerContext lc = (LoggerContext) LogManager.getContext(false);
      lc.getConfiguration().getRootLogger().removeAppender(capture.getName());
      lc.updateLoggers();
      capture.stop();
    }
    if (pg != null) {
      long pid = pg.pid();
      pg.stop();
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
          .as("postgres pid %d still running", pid)
          .isFalse();
    }
  }

  /** No credential anywhere in what a user or operator could see. */
  @AfterEach
  void passwordNeverShown() {
    assertThat(OUTPUT.toString()).isNotBlank().doesNotContain(pg.password());
    assertThat(logs.toString()).doesNotContain(pg.password());
  }

  private static TestProject.Result run(TestProject p, String... args) {
    TestProject.Result r = p.run(args);
    OUTPUT.append(r.stdout()).append('\n').append(r.stderr()).append('\n');
    return r;
  }

  private static Path credentials(TestProject p, String password) throws IOException {
    Path f = p.dir().resolve("pg-" + Math.abs(password.hashCode()) + ".properties");
    Files.writeString(f, "user=" + PostgresServer.SUPERUSER + "\npassword=" + password + "\n");
    return f;
  }

  private static String jdbcConf(String url, Path credentials, String extra) {
    return "dataset {\n source {\n format = jdbc\n jdbc {\n url = \""
        + url
        + "\"\n credentials-file = \""
        + credentials
        + "\"\n"
        + extra
        + "\n }\n }\n"
        + SCHEMA
        + "}\n";
  }

  private static long bronzeVersions(TestProject p, String dataset) {
    Path bronze = p.lake().resolve("bronze").resolve(dataset);
    return Files.exists(bronze)
        ? DeltaTable.forPath(TestSpark.session(), bronze.toString()).history().count()
        : 0;
  }

  /**
   * Rows of a query over the lake straight through the shared session (cheaper than the sql
   * command).
   */
  private static List<Row> query(TestProject p, String sql) {
    return TestSpark.session().sql(sql.replace("{lake}", p.lake().toString())).collectAsList();
  }

  @Test
  void watermarkIngestsNewAndUpdatedRowsExactlyOnceThroughToSilver() throws IOException {
    pg.execute(
        DB,
        "CREATE TABLE orders (id int PRIMARY KEY, customer text, amount numeric(10,2), updated_at timestamp NOT NULL)",
        "INSERT INTO orders VALUES (1, 'ann', 10.50, '2026-11-01 08:00:00'), (2, 'bob', 20.00, '2026-11-01 08:30:00'),"
            + " (3, 'cid', 30.25, '2026-11-01 09:00:00'), (4, 'dee', 40.00, '2026-11-01 09:30:00'),"
            + " (5, 'eve', 50.75, '2026-11-01 10:00:00'), (6, 'fay', 60.00, '2026-11-01 10:00:00.123456')");
    TestProject p = TestProject.create("jdbc-watermark");
    p.dataset(
        "orders",
        jdbcConf(
            pg.url(DB),
            credentials(p, pg.password()),
            """
        table = orders
        watermark-column = updated_at
        partition-column = id, lower-bound = 1, upper-bound = 7, partitions = 2
        fetch-size = 2
        """));

    // initial load: every row, read over two connections
    TestProject.Result first = run(p, "ingest", "--dataset", "orders").expectExit(0);
    assertThat(first.status()).isEqualTo("SUCCEEDED");
    assertThat(first.metric("rowsRead")).isEqualTo(6);
    assertThat(first.metric("partitions")).isEqualTo(2);
    assertThat(first.metrics())
        .containsEntry("watermarkBefore", null)
        .containsEntry("watermarkAfter", "2026-11-01 10:00:00.123456")
        .containsEntry("source", pg.url(DB) + " table orders");
    assertThat(first.summary().get("tables"))
        .isEqualTo(Map.of("bronze.orders", Map.of("version", 0)));
    assertThat(
            query(
                p,
                "select id, amount, _source_file from delta.`{lake}/bronze/orders` where id = 1"))
        .containsExactly(RowFactory.create("1", "10.50", pg.url(DB) + " table orders"));

    // two new rows with the same timestamp: exactly those are read
    pg.execute(
        DB,
        "INSERT INTO orders VALUES (7, 'gus', 70.00, '2026-11-02 09:00:00'), (8, 'hal', 80.00, '2026-11-02 09:00:00')");
    TestProject.Result second = run(p, "ingest", "--dataset", "orders").expectExit(0);
    assertThat(second.metric("rowsRead")).isEqualTo(2);
    assertThat(second.metrics())
        .containsEntry("watermarkBefore", "2026-11-01 10:00:00.123456")
        .containsEntry("watermarkAfter", "2026-11-02 09:00:00");

    // nothing new: no commit at all
    TestProject.Result idle = run(p, "ingest", "--dataset", "orders").expectExit(0);
    assertThat(idle.status()).isEqualTo("SKIPPED");
    assertThat(idle.metric("rowsRead")).isZero();
    assertThat(idle.summary())
        .containsEntry("tables", Map.of())
        .containsEntry("inputs", Map.of("bronze.orders", Map.of("version", 1)));

    run(p, "etl", "--dataset", "orders").expectExit(0);
    assertThat(
            query(
                p,
                "select count(*), max(case when id = 3 then amount end) from delta.`{lake}/silver/orders`"))
        .containsExactly(RowFactory.create(8L, 30.25));

    // an update advances the watermark column: one row read, and etl turns it into an update in
    // silver
    pg.execute(
        DB, "UPDATE orders SET amount = 99.95, updated_at = '2026-11-03 07:00:00' WHERE id = 3");
    TestProject.Result update = run(p, "ingest", "--dataset", "orders").expectExit(0);
    assertThat(update.metric("rowsRead")).isEqualTo(1);
    assertThat(update.metrics()).containsEntry("watermarkAfter", "2026-11-03 07:00:00");
    run(p, "etl", "--dataset", "orders").expectExit(0);
    assertThat(
            query(
                p,
                "select count(*), max(case when id = 3 then amount end),"
                    + " cast(max(case when id = 3 then updated_at end) as string) from delta.`{lake}/silver/orders`"))
        .containsExactly(RowFactory.create(8L, 99.95, "2026-11-03 07:00:00"));

    // the watermark lives in the bronze commit that holds the rows
    List<Row> history =
        DeltaTable.forPath(TestSpark.session(), p.lake().resolve("bronze/orders").toString())
            .history()
            .select("version", "userMetadata")
            .orderBy(org.apache.spark.sql.functions.col("version").desc())
            .collectAsList();
    assertThat(history).extracting(r -> r.getLong(0)).containsExactly(2L, 1L, 0L);
    assertThat(history)
        .extracting(r -> r.getString(1))
        .allMatch(m -> CommitTag.parse(m).filter(JdbcIngest.Mark::isMark).isPresent())
        .first()
        .asString()
        .contains("\"" + CommitTag.JDBC_WATERMARK + "\":\"2026-11-03 07:00:00\"")
        .doesNotContain(pg.password());
    assertThat(
            CommitTag.parse(history.get(0).getString(1))
                .map(JdbcIngest.Mark::of)
                .orElseThrow()
                .watermark())
        .isEqualTo("2026-11-03 07:00:00");
    OUTPUT.append(history).append(query(p, "select * from delta.`{lake}/_system/runs`"));
  }

  @Test
  void snapshotWithoutWatermarkReplacesBronzeWithTheQueryResult() throws IOException {
    pg.execute(
        DB,
        "CREATE TABLE customers (id int PRIMARY KEY, name text, active boolean)",
        "INSERT INTO customers VALUES (1, 'ann', true), (2, 'bob', false), (3, 'cid', true)");
    TestProject p = TestProject.create("jdbc-snapshot");
    p.dataset(
        "customers",
        "dataset {\n source {\n format = jdbc\n mode = snapshot\n jdbc {\n url = \""
            + pg.url(DB)
            + "\"\n credentials-file = \""
            + credentials(p, pg.password())
            + "\"\n query = \"select id, name AS customer from customers where active\"\n }\n }\n"
            + "schema = [ { name = id, type = int }, { name = customer, type = string } ]\n key = [id]\n}\n");
    TestProject.Result first = run(p, "ingest", "--dataset", "customers").expectExit(0);
    assertThat(first.metric("rowsRead")).isEqualTo(2);
    assertThat(first.metrics()).containsEntry("mode", "snapshot").containsEntry("partitions", 1);
    pg.execute(DB, "UPDATE customers SET active = false WHERE id = 1");
    TestProject.Result second = run(p, "ingest", "--dataset", "customers").expectExit(0);
    assertThat(second.metric("rowsRead")).isEqualTo(1);
    assertThat(query(p, "select id, customer from delta.`{lake}/bronze/customers`"))
        .containsExactly(RowFactory.create("3", "cid"));
  }

  @Test
  void connectionFailuresExitOneWithAClearMessageAndLeaveBronzeUnchanged() throws IOException {
    pg.execute(
        DB,
        "CREATE TABLE events (id bigint PRIMARY KEY, customer text, amount float8, updated_at timestamp NOT NULL)",
        "INSERT INTO events VALUES (1, 'ann', 1.5, '2026-11-01 08:00:00')");
    TestProject p = TestProject.create("jdbc-failure");
    Path good = credentials(p, pg.password());
    String table = "table = events\nwatermark-column = updated_at";
    p.dataset("events", jdbcConf(pg.url(DB), good, table));
    assertThat(run(p, "ingest", "--dataset", "events").expectExit(0).summary().get("tables"))
        .isEqualTo(Map.of("bronze.events", Map.of("version", 0)));
    pg.execute(DB, "INSERT INTO events VALUES (2, 'bob', 2.5, '2026-11-02 08:00:00')");

    // nobody listens on that port
    String wrongUrl = "jdbc:postgresql://127.0.0.1:" + PostgresServer.unusedPort() + "/" + DB;
    p.dataset("events", jdbcConf(wrongUrl, good, table));
    TestProject.Result refused = run(p, "ingest", "--dataset", "events").expectExit(1);
    assertThat(refused.status()).isEqualTo("FAILED");
    assertThat((String) refused.summary().get("message"))
        .contains(
            wrongUrl + " table events",
            "Check that the database server is running and reachable",
            "Nothing was written to bronze.events");

    // the server answers, but refuses the password
    String wrongPassword = "wrong-" + pg.password().substring(3, 15);
    p.dataset("events", jdbcConf(pg.url(DB), credentials(p, wrongPassword), table));
    TestProject.Result denied = run(p, "ingest", "--dataset", "events").expectExit(1);
    assertThat((String) denied.summary().get("message"))
        .contains(
            pg.url(DB) + " table events",
            "password authentication failed",
            "Check the user and password in credentials-file")
        .doesNotContain(wrongPassword);
    assertThat(OUTPUT.toString()).doesNotContain(wrongPassword);
    assertThat(logs.toString()).doesNotContain(wrongPassword);

    assertThat(bronzeVersions(p, "events")).as("bronze commits after the failed runs").isEqualTo(1);
    // back to working credentials: the row the failed runs could not read arrives now, once
    p.dataset("events", jdbcConf(pg.url(DB), good, table));
    assertThat(run(p, "ingest", "--dataset", "events").expectExit(0).metric("rowsRead"))
        .isEqualTo(1);
  }

  @Test
  void configurationRejectsCredentialsInConfAndInconsistentJdbcBlocks() {
    TestProject p = TestProject.create("jdbc-config");
    String secret = "s3cret-in-conf";
    p.dataset(
        "bad",
        """
        dataset {
          source {
            format = jdbc
            jdbc {
              url = "jdbc:postgresql://db.example:5432/shop"
              table = orders
              query = "select * from orders"
              password = "%s"
              partition-column = id
              watermark-column = updated_at
            }
          }
        """
                .formatted(secret)
            + SCHEMA
            + "}\n");
    ConfigException e = configError(p, "bad", Map.of());
    assertThat(e.getMessage())
        .doesNotContain(secret)
        .contains(
            "'dataset.source.jdbc.password'",
            "credentials must not be written in configuration files",
            "both table and query are set",
            "a partitioned read needs all of [partition-column, lower-bound, upper-bound, partitions]; missing [lower-bound, upper-bound, partitions]",
            "no credentials are configured");

    p.dataset(
        "urlpw",
        jdbcBlock(
            "url = \"jdbc:postgresql://h/db?user=u&password="
                + secret
                + "\"\n table = t\n credentials-file = x"));
    assertThat(configError(p, "urlpw", Map.of()).getMessage())
        .contains("the URL carries a password")
        .doesNotContain(secret);

    p.dataset(
        "nowm",
        "dataset { source { format = jdbc, jdbc { url = \"jdbc:postgresql://h/db\", table = t, user-env = U, password-env = P } }\n"
            + SCHEMA
            + "}");
    assertThat(configError(p, "nowm", Map.of("U", "u", "P", "p")).getMessage())
        .contains(
            "without watermark-column every run reads the whole table",
            "dataset.source.mode = snapshot");

    // credentials from environment variables (looked up through the loader's environment seam)
    p.dataset(
        "env",
        jdbcBlock(
            "url = \"jdbc:postgresql://h:5432/db?ssl=false\"\n table = t\n watermark-column = updated_at\n"
                + " user-env = LAKEML_PG_USER\n password-env = LAKEML_PG_PASSWORD"));
    assertThat(configError(p, "env", Map.of("LAKEML_PG_USER", "reader")).getMessage())
        .contains(
            "'dataset.source.jdbc.password-env'",
            "environment variable LAKEML_PG_PASSWORD is not set");
    DatasetConfig.Jdbc jdbc =
        ConfigLoader.load(
                p.confDir(),
                "local",
                "env",
                List.of(),
                Map.of("LAKEML_PG_USER", "reader", "LAKEML_PG_PASSWORD", secret)::get)
            .requireDataset()
            .source()
            .jdbc()
            .orElseThrow();
    assertThat(jdbc.credentials().user()).isEqualTo("reader");
    assertThat(jdbc.credentials().password()).isEqualTo(secret);
    assertThat(jdbc.toString()).doesNotContain(secret).contains("password=***");
    assertThat(jdbc.driver()).isEqualTo("org.postgresql.Driver");
    assertThat(jdbc.partitioning()).isEmpty();
    assertThat(jdbc.fetchSize()).isEqualTo(1000);
    OUTPUT.append(jdbc);
  }

  private static String jdbcBlock(String body) {
    return "dataset { source { format = jdbc\n jdbc {\n" + body + "\n } }\n" + SCHEMA + "}";
  }

  private static ConfigException configError(
      TestProject p, String dataset, Map<String, String> env) {
    try {
      ConfigLoader.load(p.confDir(), "local", dataset, List.of(), env::get);
    } catch (ConfigException e) {
      OUTPUT.append(e.getMessage());
      return e;
    }
    throw new AssertionError("configuration was accepted");
  }
}
