package io.lakeml.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Headless Chromium for page checks: dumps a page's DOM after its scripts ran, and takes
 * screenshots. Tests call {@link #binary()} in a JUnit assumption, so they skip where no Chromium
 * is installed ({@code apt-get install chromium}; {@code LAKEML_CHROMIUM} names another binary).
 */
public final class Chromium {
  private Chromium() {}

  /**
   * The Chromium binary: {@code $LAKEML_CHROMIUM}, else chromium / chromium-browser / google-chrome
   * on the PATH.
   */
  public static Optional<Path> binary() {
    String env = System.getenv("LAKEML_CHROMIUM");
    if (env != null && Files.isExecutable(Path.of(env))) {
      return Optional.of(Path.of(env));
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
        Path p = Path.of(dir, name);
        if (!dir.isEmpty() && Files.isExecutable(p)) {
          return Optional.of(p);
        }
      }
    }
    return Optional.empty();
  }

  /** The DOM of a local page once loaded (its load handlers have run). */
  public static String dumpDom(Path page) {
    return run(page, "--dump-dom");
  }

  /** A PNG of the page at 1280 px wide and {@code height} px tall. */
  public static void screenshot(Path page, Path png, int height) {
    run(
        page,
        "--screenshot=" + png.toAbsolutePath(),
        "--window-size=1280," + height,
        "--hide-scrollbars");
  }

  private static String run(Path page, String... extra) {
    try {
      Path profile =
          Files.createTempDirectory(
              TestProject.projectDir().resolve("target").toAbsolutePath(), "chromium-profile");
      List<String> cmd =
          new ArrayList<>(
              List.of(
                  binary().orElseThrow().toString(),
                  "--headless",
                  "--no-sandbox",
                  "--disable-gpu",
                  "--disable-dev-shm-usage",
                  "--no-first-run",
                  "--user-data-dir=" + profile,
                  "--virtual-time-budget=5000"));
      cmd.addAll(List.of(extra));
      cmd.add(page.toAbsolutePath().toUri().toString());
      Path out = profile.resolve("stdout.txt");
      Process p =
          new ProcessBuilder(cmd)
              .redirectOutput(out.toFile())
              .redirectError(profile.resolve("stderr.txt").toFile())
              .start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("chromium did not finish within 120 s: " + cmd);
      }
      if (p.exitValue() != 0) {
        throw new AssertionError(
            "chromium exited with "
                + p.exitValue()
                + ": "
                + Files.readString(profile.resolve("stderr.txt")));
      }
      return Files.readString(out, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
