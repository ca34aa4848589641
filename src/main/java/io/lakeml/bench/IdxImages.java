package io.lakeml.bench;

import com.univocity.parsers.csv.CsvWriter;
import com.univocity.parsers.csv.CsvWriterSettings;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Turns an image set in the IDX format of MNIST and Fashion-MNIST (an images file of unsigned
 * bytes, rows × height × width, and a labels file of one byte per image; gzipped or not) into a
 * landing CSV: {@code image} (a key: the set's name and the image's index), {@code label} (a class
 * name, or the label byte), then one column per pixel, {@code pixel1} … {@code pixelN}, valued 0 to
 * 255 — the layout of Zalando's own CSV release. Written under a hidden name and renamed when
 * complete, so ingest never sees half a file.
 */
public final class IdxImages {
  private static final int IMAGES_MAGIC = 0x00000803;
  private static final int LABELS_MAGIC = 0x00000801;

  /** Column names of the landing file. */
  public static final String KEY = "image";

  public static final String LABEL = "label";
  public static final String PIXEL = "pixel";

  /** What was written. */
  public record Result(String path, long images, int pixels, int classes) {}

  private IdxImages() {}

  /**
   * Writes {@code images} and their {@code labels} as {@code <folder>/<name>.csv}.
   *
   * @param classes class names by label byte, or empty to write the label byte itself
   */
  public static Result land(
      String images,
      String labels,
      List<String> classes,
      String folder,
      String name,
      Configuration hadoop)
      throws IOException {
    Path target = new Path(folder, name + ".csv");
    Path partial = new Path(folder, "_" + name + ".csv.partial");
    FileSystem fs = target.getFileSystem(hadoop);
    try (DataInputStream img = open(images, hadoop);
        DataInputStream lab = open(labels, hadoop)) {
      int n = header(img, IMAGES_MAGIC, images);
      int rows = img.readInt();
      int cols = img.readInt();
      int labelCount = header(lab, LABELS_MAGIC, labels);
      if (labelCount != n) {
        throw new IOException(
            images
                + " holds "
                + n
                + " images but "
                + labels
                + " holds "
                + labelCount
                + " labels: the two files are not a pair.");
      }
      int pixels = rows * cols;
      String[] header = new String[pixels + 2];
      header[0] = KEY;
      header[1] = LABEL;
      for (int p = 0; p < pixels; p++) {
        header[p + 2] = PIXEL + (p + 1);
      }
      byte[] image = new byte[pixels];
      String[] row = new String[pixels + 2];
      int width = String.valueOf(n - 1).length();
      boolean[] seen = new boolean[256];
      try (FSDataOutputStream os = fs.create(partial, true);
          Writer w = new OutputStreamWriter(os, StandardCharsets.UTF_8)) {
        CsvWriter csv = new CsvWriter(w, new CsvWriterSettings());
        csv.writeHeaders(header);
        for (int i = 0; i < n; i++) {
          img.readFully(image);
          int label = lab.readUnsignedByte();
          if (!classes.isEmpty() && label >= classes.size()) {
            throw new IOException(
                labels
                    + ": image "
                    + i
                    + " has label "
                    + label
                    + " but only "
                    + classes.size()
                    + " class names were given (--classes).");
          }
          seen[label] = true;
          row[0] = name + "-" + String.format("%0" + width + "d", i);
          row[1] = classes.isEmpty() ? String.valueOf(label) : classes.get(label);
          for (int p = 0; p < pixels; p++) {
            row[p + 2] = PIXELS[image[p] & 0xff];
          }
          csv.writeRow((Object[]) row);
        }
        csv.flush();
      } catch (EOFException e) {
        fs.delete(partial, false);
        throw new IOException(
            images + " or " + labels + " ends before the " + n + " records its header announces",
            e);
      } catch (IOException | RuntimeException e) {
        fs.delete(partial, false); // never leave half a file behind, even under a hidden name
        throw e;
      }
      if (fs.exists(target)) {
        fs.delete(target, false);
      }
      if (!fs.rename(partial, target)) {
        throw new IOException("could not rename " + partial + " to " + target);
      }
      int distinct = 0;
      for (boolean s : seen) {
        distinct += s ? 1 : 0;
      }
      return new Result(target.toString(), n, pixels, distinct);
    }
  }

  private static final String[] PIXELS = new String[256];

  static {
    for (int v = 0; v < 256; v++) {
      PIXELS[v] = String.valueOf(v);
    }
  }

  private static DataInputStream open(String file, Configuration hadoop) throws IOException {
    Path p = new Path(file);
    InputStream in = new BufferedInputStream(p.getFileSystem(hadoop).open(p), 1 << 16);
    in.mark(2);
    int b1 = in.read();
    int b2 = in.read();
    in.reset();
    if (b1 == 0x1f && b2 == 0x8b) { // gzip's magic
      in = new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
    }
    return new DataInputStream(in);
  }

  /** Reads and checks an IDX header; returns the first dimension (the record count). */
  private static int header(DataInputStream in, int magic, String file) throws IOException {
    int m = in.readInt();
    if (m != magic) {
      throw new IOException(
          file
              + " is not an IDX "
              + (magic == IMAGES_MAGIC ? "images" : "labels")
              + " file of unsigned bytes: its magic number is 0x"
              + Integer.toHexString(m)
              + ", expected 0x"
              + Integer.toHexString(magic)
              + ".");
    }
    return in.readInt();
  }
}
