package io.lakeml.core;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** lakeml's own version, from the build. */
public final class Version {
  private static final Properties PROPS = load();
  private static final String VERSION = PROPS.getProperty("version", "dev");

  private Version() {}

  public static String get() {
    return VERSION;
  }

  /** When this build was made: tells two builds of the same version apart. */
  public static String build() {
    return PROPS.getProperty("build", "dev");
  }

  private static Properties load() {
    Properties p = new Properties();
    try (InputStream in = Version.class.getResourceAsStream("/lakeml-version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // no version file: "dev"
    }
    return p;
  }
}
