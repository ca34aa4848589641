package io.lakeml.config;

import java.util.Locale;
import java.util.regex.Pattern;

/** JDBC URL helpers: spotting and removing credentials embedded in a URL. */
public final class JdbcUrls {
  /**
   * {@code user=…}/{@code password=…} parameters (PostgreSQL, MySQL style {@code ?a=b&c=d}, or SQL
   * Server's {@code ;a=b}).
   */
  private static final Pattern CREDENTIAL_PARAM =
      Pattern.compile("(?i)([?&;])(user|password)=[^&;]*");

  /** {@code //user:password@host} user info. */
  private static final Pattern USER_INFO = Pattern.compile("//[^/@?;]*@");

  private JdbcUrls() {}

  /** Whether the URL itself carries a password (a parameter or user info with a colon). */
  public static boolean hasPassword(String url) {
    String lower = url.toLowerCase(Locale.ROOT);
    return Pattern.compile("[?&;]password=").matcher(lower).find()
        || Pattern.compile("//[^/@?;]*:[^/@?;]*@").matcher(url).find();
  }

  /** The URL without user, password or user info: safe to show. */
  public static String redact(String url) {
    if (url == null) {
      return null;
    }
    String out = USER_INFO.matcher(url).replaceAll("//");
    out = CREDENTIAL_PARAM.matcher(out).replaceAll("$1");
    return out.replace("?&", "?").replaceAll("[?&;]$", "");
  }

  /** The driver class for well-known URL prefixes, or null. */
  public static String defaultDriver(String url) {
    return url != null && url.startsWith("jdbc:postgresql:") ? "org.postgresql.Driver" : null;
  }
}
