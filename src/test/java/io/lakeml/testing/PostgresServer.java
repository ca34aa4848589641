package io.lakeml.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throw-away PostgreSQL server for tests: {@code initdb} into a temporary folder, {@code
 * postgres} on 127.0.0.1 and a free port, password authentication (scram-sha-256) with a random
 * password, no Unix socket outside that folder. PostgreSQL refuses to run as root, so under root
 * every server command runs as the {@code postgres} account through {@code setpriv} (which execs,
 * so the process we start IS the postmaster) or, without setpriv, {@code runuser}. {@link #stop}
 * ends the server by the pid in {@code postmaster.pid} (fast shutdown, then SIGKILL after a
 * timeout) and deletes the folder.
 */
public final class PostgresServer implements AutoCloseable {
  /** Where Debian/Ubuntu's {@code apt-get install postgresql} puts the server binaries. */
  public static final Path DEFAULT_BIN = Path.of("/usr/lib/postgresql/15/bin");

  public static final String SUPERUSER = "postgres";

  private final Path bin;
  private final Path base;
  private final int port;
  private final String password;
  private Process process;
  private long pid = -1;
  private Thread shutdownHook;

  private PostgresServer(Path bin, Path base, int port, String password) {
    this.bin = bin;
    this.base = base;
    this.port = port;
    this.password = password;
  }

  /**
   * The server binaries: {@code $LAKEML_PG_BIN}, else {@link #DEFAULT_BIN}, else the newest {@code
   * /usr/lib/postgresql/<major>/bin}; empty when PostgreSQL is not installed (tests then skip).
   */
  public static Optional<Path> findBinaries() {
    String env = System.getenv("LAKEML_PG_BIN");
    List<Path> candidates = new ArrayList<>();
    if (env != null && !env.isBlank()) {
      candidates.add(Path.of(env));
    }
    candidates.add(DEFAULT_BIN);
    Path root = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(root)) {
      try (Stream<Path> majors = Files.list(root)) {
        majors
            .filter(d -> d.getFileName().toString().matches("\\d+"))
            .sorted(
                Comparator.comparingInt((Path d) -> Integer.parseInt(d.getFileName().toString()))
                    .reversed())
            .forEach(d -> candidates.add(d.resolve("bin")));
      } catch (IOException e) {
        // no other candidates
      }
    }
    return candidates.stream()
        .filter(
            bin ->
                Stream.of("initdb", "postgres").allMatch(b -> Files.isExecutable(bin.resolve(b))))
        .findFirst();
  }

  /** Initializes a cluster and starts the server; waits until it accepts connections. */
  public static PostgresServer start(Path bin) throws IOException, InterruptedException {
    boolean root = "root".equals(System.getProperty("user.name"));
    // the postgres account must be able to reach the folder: under root use /tmp (a checkout may
    // sit in /root)
    Path parent = root ? Path.of("/tmp") : Path.of(System.getProperty("java.io.tmpdir"));
    Path base = Files.createTempDirectory(parent, "lakeml-pg-");
    PostgresServer pg = new PostgresServer(bin, base, freePort(), "pw-" + UUID.randomUUID());
    try {
      pg.init(root);
      pg.launch(root);
      return pg;
    } catch (IOException | InterruptedException | RuntimeException e) {
      pg.stop();
      throw e;
    }
  }

  private void init(boolean root) throws IOException, InterruptedException {
    Path pwfile = base.resolve("pwfile");
    Files.writeString(pwfile, password + "\n", StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(pwfile, PosixFilePermissions.fromString("rw-------"));
    if (root) {
      exec(
          List.of("chown", "-R", SUPERUSER + ":" + SUPERUSER, base.toString()),
          Duration.ofSeconds(10));
    }
    List<String> cmd =
        asPostgres(
            root,
            bin.resolve("initdb").toString(),
            "-D",
            base.resolve("data").toString(),
            "-U",
            SUPERUSER,
            "-A",
            "scram-sha-256",
            "--pwfile=" + pwfile,
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync");
    exec(cmd, Duration.ofSeconds(60));
    Files.deleteIfExists(pwfile);
  }

  private void launch(boolean root) throws IOException, InterruptedException {
    List<String> cmd =
        asPostgres(
            root,
            bin.resolve("postgres").toString(),
            "-D",
            base.resolve("data").toString(),
            "-p",
            String.valueOf(port),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "unix_socket_directories=" + base,
            "-c",
            "fsync=off",
            "-c",
            "synchronous_commit=off",
            "-c",
            "full_page_writes=off",
            "-c",
            "shared_buffers=16MB",
            "-c",
            "max_connections=40");
    Path log = base.resolve("postgres.log");
    process =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    shutdownHook = new Thread(this::stop, "postgres-test-server-stop");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    SQLException last = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "postgres exited with " + process.exitValue() + ": " + read(log));
      }
      try (Connection c = connect("postgres")) {
        pid = postmasterPid();
        return;
      } catch (SQLException e) {
        last = e;
        Thread.sleep(100);
      }
    }
    throw new IllegalStateException(
        "postgres did not accept connections within 30 s: " + last + "\n" + read(log));
  }

  private long postmasterPid() throws IOException {
    // first line of postmaster.pid; readable by root, and by the owner when not root
    return Long.parseLong(Files.readAllLines(base.resolve("data/postmaster.pid")).get(0).trim());
  }

  private static List<String> asPostgres(boolean root, String... command) {
    List<String> cmd = new ArrayList<>();
    if (root) {
      if (Files.isExecutable(Path.of("/usr/bin/setpriv"))) {
        cmd.addAll(
            List.of(
                "/usr/bin/setpriv",
                "--reuid=" + SUPERUSER,
                "--regid=" + SUPERUSER,
                "--init-groups"));
      } else {
        cmd.addAll(List.of("runuser", "-u", SUPERUSER, "--"));
      }
    }
    cmd.addAll(List.of(command));
    return cmd;
  }

  private static void exec(List<String> cmd, Duration timeout)
      throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("timed out: " + cmd);
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException(
          cmd.get(cmd.size() > 4 ? 4 : 0)
              + " failed (exit "
              + p.exitValue()
              + "): "
              + new String(out, StandardCharsets.UTF_8));
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** A loopback port nobody listens on (for connection-failure tests). */
  public static int unusedPort() {
    try {
      return freePort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return port;
  }

  /** The superuser's password (random per server). */
  public String password() {
    return password;
  }

  public String url(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  public Connection connect(String database) throws SQLException {
    return DriverManager.getConnection(url(database), SUPERUSER, password);
  }

  /** Runs statements in a database, each in its own auto-committed transaction. */
  public void execute(String database, String... sql) {
    try (Connection c = connect(database);
        Statement st = c.createStatement()) {
      for (String s : sql) {
        st.execute(s);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("SQL failed: " + e.getMessage(), e);
    }
  }

  /**
   * Stops the server by its pid (SIGINT = fast shutdown; SIGKILL after 15 s) and deletes its
   * folder. Idempotent.
   */
  public synchronized void stop() {
    try {
      if (pid > 0) {
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isPresent() && h.get().isAlive()) {
          new ProcessBuilder("kill", "-INT", String.valueOf(pid))
              .start()
              .waitFor(5, TimeUnit.SECONDS);
          try {
            h.get().onExit().get(15, TimeUnit.SECONDS);
          } catch (Exception timeout) {
            h.get().destroyForcibly();
          }
        }
      }
      if (process != null
          && process.isAlive()) { // the runuser wrapper, or a server that never became ready
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      }
      pid = -1;
      if (shutdownHook != null && !Thread.currentThread().equals(shutdownHook)) {
        try {
          Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
          // already running the hooks
        }
        shutdownHook = null;
      }
      deleteTree(base);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop();
  }

  /** Whether the server process is still running (for the no-leftover assertion). */
  public boolean alive() {
    return pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  public long pid() {
    return pid;
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static String read(Path log) {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }
}
