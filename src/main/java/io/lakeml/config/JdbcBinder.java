package io.lakeml.config;

import io.lakeml.config.DatasetConfig.Jdbc;
import io.lakeml.config.DatasetConfig.Mode;
import io.lakeml.config.DatasetConfig.Partitioning;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;

/**
 * Binds {@code dataset.source.jdbc { … }} and resolves its credentials. Passwords are never read
 * from configuration: a {@code password} (or {@code user}) key is an error, and no message here
 * ever contains a credential value.
 */
final class JdbcBinder {
  /** Spark JDBC options lakeml sets itself: not allowed in dataset.source.options. */
  private static final Set<String> RESERVED_OPTIONS =
      Set.of(
          "url",
          "driver",
          "dbtable",
          "query",
          "user",
          "password",
          "partitioncolumn",
          "lowerbound",
          "upperbound",
          "numpartitions",
          "fetchsize");

  private static final String CREDENTIALS_FIX =
      "Put credentials outside the configuration: user-env = PGUSER_VAR and "
          + "password-env = PGPASSWORD_VAR (names of environment variables), or credentials-file = /path/to/file.properties "
          + "(lines user=… and password=…, readable only by the job's account)";

  private JdbcBinder() {}

  static Optional<Jdbc> bind(
      ConfigReader r,
      String source,
      Mode mode,
      Map<String, String> options,
      Path projectDir,
      Function<String, String> environment) {
    String p = source + ".jdbc";
    if (!r.has(p)) {
      r.problem(
          p,
          "dataset.source.format is jdbc but there is no jdbc block",
          "Add dataset.source.jdbc { url = \"jdbc:postgresql://host:5432/db\", table = orders, credentials-file = … }");
      return Optional.empty();
    }
    int before = r.problems().size();
    for (String secret : List.of("password", "user")) {
      if (r.has(p + "." + secret)) {
        r.string(
            p + "." + secret,
            null); // consumed, so it is reported here only; the value is never shown
        r.problem(
            p + "." + secret,
            "credentials must not be written in configuration files (they end up in version control, "
                + "backups and logs)",
            "Remove it. " + CREDENTIALS_FIX);
      }
    }
    String url =
        r.string(p + ".url", null, true, "Set url = \"jdbc:postgresql://host:5432/database\"");
    if (url != null && !url.startsWith("jdbc:")) {
      r.problem(
          p + ".url",
          "'" + JdbcUrls.redact(url) + "' is not a JDBC URL",
          "Write it as jdbc:postgresql://host:5432/database");
    } else if (url != null && JdbcUrls.hasPassword(url)) {
      r.problem(
          p + ".url",
          "the URL carries a password; credentials must not be written in configuration files",
          "Remove it from the URL. " + CREDENTIALS_FIX);
    }
    String driver = r.string(p + ".driver", JdbcUrls.defaultDriver(url));
    if (driver == null && url != null) {
      r.problem(
          p + ".driver",
          "no JDBC driver is known for " + JdbcUrls.redact(url),
          "Set driver = <driver class> and put the driver's jar on the classpath (PostgreSQL's ships with lakeml)");
    }
    Optional<String> table =
        Optional.ofNullable(r.string(p + ".table", null)).filter(s -> !s.isBlank());
    Optional<String> query =
        Optional.ofNullable(r.string(p + ".query", null)).filter(s -> !s.isBlank());
    if (table.isPresent() == query.isPresent()) {
      r.problem(
          p,
          table.isPresent() ? "both table and query are set" : "neither table nor query is set",
          "Set exactly one: table = schema.name, or query = \"select … from …\"");
    }
    query.ifPresent(
        q -> {
          if (q.strip().endsWith(";")) {
            r.problem(
                p + ".query",
                "the query ends with ';'",
                "Remove the ';' (lakeml wraps the query in a derived table)");
          }
        });

    Optional<Partitioning> partitioning = partitioning(r, p);
    Optional<String> watermark =
        Optional.ofNullable(r.string(p + ".watermark-column", null)).filter(s -> !s.isBlank());
    if (watermark.isPresent() && mode == Mode.SNAPSHOT) {
      r.problem(
          p + ".watermark-column",
          "a watermark reads only rows newer than the last run, but mode = snapshot replaces bronze "
              + "with each read",
          "Remove dataset.source.mode = snapshot (incremental is the default), or remove watermark-column");
    } else if (watermark.isEmpty() && mode == Mode.INCREMENTAL) {
      r.problem(
          p,
          "without watermark-column every run reads the whole "
              + (table.isPresent() ? "table" : "query")
              + ", which is a snapshot, not incremental ingestion",
          "Set watermark-column = <a column that grows with every insert and "
              + "update, e.g. updated_at> to ingest only new and changed rows, or set dataset.source.mode = snapshot");
    }
    int fetchSize = r.integer(p + ".fetch-size", 1000, 1);
    for (String key : options.keySet()) {
      if (RESERVED_OPTIONS.contains(key.toLowerCase(Locale.ROOT))) {
        r.problem(
            source + ".options." + key,
            "'" + key + "' is set by lakeml for JDBC sources",
            "Use the jdbc block instead (url, table, query, partition-column, lower-bound, upper-bound, partitions, fetch-size; "
                + "credentials via user-env/password-env or credentials-file)");
      }
    }
    Credentials credentials = credentials(r, p, projectDir, environment);
    if (r.problems().size() > before || url == null || credentials == null) {
      return Optional.empty();
    }
    return Optional.of(
        new Jdbc(url, driver, table, query, partitioning, watermark, fetchSize, credentials));
  }

  private static Optional<Partitioning> partitioning(ConfigReader r, String p) {
    List<String> keys = List.of("partition-column", "lower-bound", "upper-bound", "partitions");
    List<String> present = keys.stream().filter(k -> r.has(p + "." + k)).toList();
    String column = r.string(p + ".partition-column", null);
    String lower = r.string(p + ".lower-bound", null);
    String upper = r.string(p + ".upper-bound", null);
    int partitions = r.integer(p + ".partitions", 0, 1);
    if (present.isEmpty()) {
      return Optional.empty();
    }
    if (present.size() < keys.size()) {
      List<String> missing = keys.stream().filter(k -> !present.contains(k)).toList();
      r.problem(
          p,
          "a partitioned read needs all of " + keys + "; missing " + missing,
          "Add "
              + String.join(", ", missing)
              + ", or remove "
              + String.join(", ", present)
              + " to read with one connection");
      return Optional.empty();
    }
    if (column == null || lower == null || upper == null || partitions < 1) {
      return Optional.empty(); // already reported
    }
    Double lo = number(lower);
    Double hi = number(upper);
    if (lo != null && hi != null && lo >= hi) {
      r.problem(
          p + ".lower-bound",
          "lower-bound " + lower + " must be below upper-bound " + upper,
          "Set the bounds to about the smallest and largest value of "
              + column
              + " (they only decide the stride; no row is filtered out)");
      return Optional.empty();
    }
    if ((lo == null) != (hi == null)) {
      r.problem(
          p + ".lower-bound",
          "lower-bound and upper-bound must both be numbers, or both dates/timestamps",
          "Write e.g. lower-bound = 1, upper-bound = 100000, or lower-bound = \"2020-01-01\", upper-bound = \"2027-01-01\"");
      return Optional.empty();
    }
    return Optional.of(new Partitioning(column, lower, upper, partitions));
  }

  private static Double number(String s) {
    try {
      return Double.valueOf(s);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static Credentials credentials(
      ConfigReader r, String p, Path projectDir, Function<String, String> environment) {
    String userEnv = r.string(p + ".user-env", null);
    String passwordEnv = r.string(p + ".password-env", null);
    String file = r.string(p + ".credentials-file", null);
    boolean env = userEnv != null || passwordEnv != null;
    if (env && file != null) {
      r.problem(
          p + ".credentials-file",
          "both credentials-file and user-env/password-env are set",
          "Keep one of them");
      return null;
    }
    if (!env && file == null) {
      r.problem(p, "no credentials are configured", CREDENTIALS_FIX);
      return null;
    }
    if (env) {
      if (userEnv == null || passwordEnv == null) {
        r.problem(
            p + (userEnv == null ? ".user-env" : ".password-env"),
            "user-env and password-env go together",
            "Set both to the names of environment variables, e.g. user-env = LAKEML_PG_USER, password-env = LAKEML_PG_PASSWORD");
        return null;
      }
      String user = environment.apply(userEnv);
      String password = environment.apply(passwordEnv);
      if (user == null || password == null) {
        String missing =
            user == null && password == null
                ? userEnv + " and " + passwordEnv
                : user == null ? userEnv : passwordEnv;
        r.problem(
            p + (user == null ? ".user-env" : ".password-env"),
            "environment variable " + missing + " is not set",
            "Export it before running lakeml (e.g. from your scheduler's secret store), or use credentials-file");
        return null;
      }
      return new Credentials(
          user, password, "environment variables " + userEnv + "/" + passwordEnv);
    }
    Path path = Path.of(file);
    if (!path.isAbsolute() && projectDir != null) {
      path = projectDir.resolve(path);
    }
    if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
      r.problem(
          p + ".credentials-file",
          "credentials file " + path + " does not exist or is not readable",
          "Create it with the lines user=… and password=… (chmod 600), or fix the path (relative paths resolve against the project folder)");
      return null;
    }
    Properties props = new Properties();
    try (Reader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      props.load(in);
    } catch (IOException | IllegalArgumentException e) {
      r.problem(
          p + ".credentials-file",
          "credentials file " + path + " cannot be read as key=value lines",
          "Write it as user=… and password=… lines");
      return null;
    }
    String user = props.getProperty("user");
    String password = props.getProperty("password");
    if (user == null || user.isBlank() || password == null) {
      r.problem(
          p + ".credentials-file",
          "credentials file "
              + path
              + " lacks "
              + (user == null || user.isBlank() ? "a user=" : "a password=")
              + " line",
          "Write it as user=… and password=… lines");
      return null;
    }
    return new Credentials(user.strip(), password, "credentials-file " + path);
  }
}
