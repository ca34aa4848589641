package io.lakeml.ingest;

import com.fasterxml.jackson.core.type.TypeReference;
import io.lakeml.config.Json;
import io.lakeml.core.JobFailure;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The length of every landing file an incremental ingest took in, as the stream listed it, kept
 * beside the stream's checkpoint (deleting the checkpoint to start over forgets it too). A file is
 * ingested once, by name: one that was still being written, or that an upstream appends to, would
 * lose the rows it gains afterwards without a word. Each ingest first compares the files' lengths
 * with this record and stops on a file that changed.
 */
final class IngestedFiles {
  static final String FILE = "lakeml-ingested-files.json";

  private final Path file;
  private final FileSystem fs;
  private final Map<String, Long> lengths;

  private IngestedFiles(Path file, FileSystem fs, Map<String, Long> lengths) {
    this.file = file;
    this.fs = fs;
    this.lengths = lengths;
  }

  /** The record of the stream whose checkpoint is {@code checkpoint}; empty before its first. */
  static IngestedFiles of(String checkpoint, Configuration hadoop) throws IOException {
    Path file = new Path(checkpoint, FILE);
    FileSystem fs = file.getFileSystem(hadoop);
    Map<String, Long> lengths = new TreeMap<>();
    if (fs.exists(file)) {
      try (InputStream in = fs.open(file)) {
        lengths.putAll(Json.MAPPER.readValue(in, new TypeReference<Map<String, Long>>() {}));
      }
    }
    return new IngestedFiles(file, fs, lengths);
  }

  /**
   * Fails when a file ingested before now has another length ({@code now}: the landing files by
   * relative path). A file no longer there is no concern: moved out, or renamed to be ingested
   * again.
   */
  void requireUnchanged(Map<String, Long> now, String landing, String dataset) {
    List<String> changed = new ArrayList<>();
    for (Map.Entry<String, Long> e : lengths.entrySet()) {
      Long current = now.get(e.getKey());
      if (current != null && !current.equals(e.getValue())) {
        changed.add(e.getKey() + " (" + e.getValue() + " bytes then, " + current + " now)");
      }
    }
    if (changed.isEmpty()) {
      return;
    }
    throw new JobFailure(
        changed.size()
            + " landing file(s) of "
            + dataset
            + " in "
            + landing
            + " changed after ingest took them in: "
            + String.join(", ", changed.subList(0, Math.min(5, changed.size())))
            + (changed.size() > 5 ? ", …" : "")
            + ". A file is ingested once, by name, so what it gained since is not in bronze: it was"
            + " still being written, or something appends to it. Write each file under a name"
            + " starting with '.' or '_' and rename it when complete (ingest skips such names), and"
            + " land new rows as new files. Then either move the file out of the landing folder"
            + " (keeping what was ingested), or give it a new name to ingest it whole again (its"
            + " first rows then come twice into bronze: with dataset.key, etl keeps one row per"
            + " key). Nothing was ingested in this run.");
  }

  /** Records files of a committed batch with the lengths the stream listed (replaces older). */
  void record(Map<String, Long> batch) throws IOException {
    lengths.putAll(batch);
    // written whole under another name, then renamed into place: a crash between the delete and
    // the rename loses the record, which only forgoes the check for files taken in before
    Path tmp = new Path(file.getParent(), "." + FILE + ".tmp");
    try (OutputStream out = fs.create(tmp, true)) {
      Json.MAPPER.writeValue(out, lengths);
    }
    if (fs.exists(file) && !fs.delete(file, false)) {
      throw new IOException("cannot replace " + file);
    }
    if (!fs.rename(tmp, file)) {
      throw new IOException("cannot rename " + tmp + " to " + file);
    }
  }
}
