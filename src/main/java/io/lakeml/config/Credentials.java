package io.lakeml.config;

import java.util.Objects;

/**
 * A database user and password, resolved from environment variables or a credentials file named in
 * the configuration (never from the configuration itself). {@link #toString} masks the password, so
 * a record holding it can be logged safely; only the JDBC connection code calls {@link #password}.
 */
public final class Credentials {
  private final String user;
  private final String password;
  private final String origin;

  /**
   * @param origin where they came from, for messages: "environment variables A/B" or
   *     "credentials-file /p"
   */
  public Credentials(String user, String password, String origin) {
    this.user = Objects.requireNonNull(user);
    this.password = Objects.requireNonNull(password);
    this.origin = Objects.requireNonNull(origin);
  }

  public String user() {
    return user;
  }

  /** The secret. Pass it to the driver only; never into a message, log line or table. */
  public String password() {
    return password;
  }

  /**
   * Where the credentials were read from (no secret), e.g. {@code credentials-file
   * /etc/lakeml/pg.properties}.
   */
  public String origin() {
    return origin;
  }

  /**
   * Replaces every occurrence of the password in a text (e.g. a driver's error message) with {@code
   * ***}.
   */
  public String mask(String text) {
    if (text == null || password.isEmpty()) {
      return text;
    }
    return text.replace(password, "***");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Credentials c
        && c.user.equals(user)
        && c.password.equals(password)
        && c.origin.equals(origin);
  }

  @Override
  public int hashCode() {
    return Objects.hash(user, password, origin);
  }

  @Override
  public String toString() {
    return "Credentials[user=" + user + ", password=***, from " + origin + "]";
  }
}
