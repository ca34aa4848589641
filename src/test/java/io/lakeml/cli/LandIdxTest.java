package io.lakeml.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakeml.testing.TestProject;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/**
 * {@code land-idx} turns an IDX image set (the MNIST / Fashion-MNIST format) into a landing CSV
 * that ingest and etl type with the dataset's pixel range, and refuses mismatched files without
 * landing anything.
 */
class LandIdxTest {
  private static final String CONF =
      """
      dataset {
        source { format = csv, mode = snapshot }
        schema = [ { name = image, type = string }, { name = label, type = string }, { name = "pixel{1..6}", type = int } ]
        key = [image]
        label { column = label }
        features { numeric = ["pixel*"] }
      }
      """;

  /** Writes an IDX file: magic, dimensions, then unsigned bytes; gzipped when asked. */
  private static Path idx(Path file, int magic, int[] dims, int[] bytes, boolean gzip)
      throws IOException {
    try (OutputStream raw = Files.newOutputStream(file);
        OutputStream os = gzip ? new GZIPOutputStream(raw) : raw;
        DataOutputStream out = new DataOutputStream(os)) {
      out.writeInt(magic);
      for (int d : dims) {
        out.writeInt(d);
      }
      for (int b : bytes) {
        out.writeByte(b);
      }
    }
    return file;
  }

  @Test
  void landsImagesAsPixelColumnsThatIngestAndEtlType() throws IOException {
    TestProject p = TestProject.create("land-idx").dataset("tiny", CONF);
    Path dir = Files.createDirectories(p.dir().resolve("idx"));
    // three 2 x 3 images; pixel values span 0..255
    Path images =
        idx(
            dir.resolve("imgs.gz"),
            0x803,
            new int[] {3, 2, 3},
            new int[] {0, 1, 2, 3, 4, 5, 255, 254, 253, 252, 251, 250, 9, 0, 9, 0, 9, 0},
            true);
    Path labels = idx(dir.resolve("labels"), 0x801, new int[] {3}, new int[] {1, 0, 1}, false);

    TestProject.Result r =
        p.run(
                "land-idx",
                "--dataset",
                "tiny",
                "--name",
                "train",
                "--images",
                images.toString(),
                "--labels",
                labels.toString(),
                "--classes",
                "shoe,bag")
            .expectExit(0);
    assertThat(r.summary())
        .containsEntry("rows", 3)
        .containsEntry("pixels", 6)
        .containsEntry("classes", 2);
    Path csv = p.lake().resolve("landing/tiny/train.csv");
    assertThat(Files.readAllLines(csv))
        .containsExactly(
            "image,label,pixel1,pixel2,pixel3,pixel4,pixel5,pixel6",
            "train-0,bag,0,1,2,3,4,5",
            "train-1,shoe,255,254,253,252,251,250",
            "train-2,bag,9,0,9,0,9,0");
    assertThat(Files.list(csv.getParent()).map(f -> f.getFileName().toString()))
        .noneMatch(n -> n.contains("partial"));

    p.run("ingest", "--dataset", "tiny").expectExit(0);
    p.run("etl", "--dataset", "tiny").expectExit(0);
    assertThat(p.sql("select image, label, pixel1, pixel6 from silver.tiny order by image"))
        .containsExactly(
            java.util.Map.of("image", "train-0", "label", "bag", "pixel1", 0, "pixel6", 5),
            java.util.Map.of("image", "train-1", "label", "shoe", "pixel1", 255, "pixel6", 250),
            java.util.Map.of("image", "train-2", "label", "bag", "pixel1", 9, "pixel6", 0));
  }

  @Test
  void mismatchedOrForeignFilesAreRefusedAndNothingLands() throws IOException {
    TestProject p = TestProject.create("land-idx-bad").dataset("tiny", CONF);
    Path dir = Files.createDirectories(p.dir().resolve("idx"));
    Path images = idx(dir.resolve("imgs"), 0x803, new int[] {2, 1, 1}, new int[] {7, 8}, false);
    Path threeLabels =
        idx(dir.resolve("labels3"), 0x801, new int[] {3}, new int[] {0, 1, 0}, false);
    TestProject.Result r =
        p.run(
                "land-idx",
                "--dataset",
                "tiny",
                "--name",
                "x",
                "--images",
                images.toString(),
                "--labels",
                threeLabels.toString())
            .expectExit(1);
    assertThat(r.summary().get("message").toString())
        .contains("holds 2 images but")
        .contains("holds 3 labels");
    // labels given as images: the magic number says so
    r =
        p.run(
                "land-idx",
                "--dataset",
                "tiny",
                "--name",
                "x",
                "--images",
                threeLabels.toString(),
                "--labels",
                threeLabels.toString())
            .expectExit(1);
    assertThat(r.summary().get("message").toString())
        .contains("is not an IDX images file")
        .contains("0x801");
    // a missing file and a name ingest would skip are usage errors
    p.run(
            "land-idx",
            "--dataset",
            "tiny",
            "--name",
            "x",
            "--images",
            dir.resolve("nope").toString(),
            "--labels",
            threeLabels.toString())
        .expectExit(2);
    p.run(
            "land-idx",
            "--dataset",
            "tiny",
            "--name",
            "_hidden",
            "--images",
            images.toString(),
            "--labels",
            threeLabels.toString())
        .expectExit(2);
    Path landing = p.lake().resolve("landing/tiny");
    assertThat(
            !Files.exists(landing)
                || List.of(landing.toFile().list()).stream().noneMatch(n -> n.endsWith(".csv")))
        .isTrue();
  }
}
