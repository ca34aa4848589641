package io.lakeml.core;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.type.TypeReference;
import io.delta.kernel.Scan;
import io.delta.kernel.Snapshot;
import io.delta.kernel.Table;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.exceptions.TableNotFoundException;
import io.delta.kernel.expressions.Column;
import io.delta.kernel.expressions.Literal;
import io.delta.kernel.expressions.Predicate;
import io.delta.kernel.internal.InternalScanFileUtils;
import io.delta.kernel.internal.data.ScanStateRow;
import io.delta.kernel.internal.util.Utils;
import io.delta.kernel.types.ArrayType;
import io.delta.kernel.types.BinaryType;
import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.ByteType;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.DecimalType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.FloatType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.MapType;
import io.delta.kernel.types.ShortType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampNTZType;
import io.delta.kernel.types.TimestampType;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.spark.sql.SparkSession;

/**
 * Reads the small {@code _system} tables on the driver with Delta Kernel: no query plan, no Spark
 * job. Through Spark, each read of a table a stage has just written costs two jobs (rebuilding the
 * new version's file list, then filtering it) and the analysis of a plan, 0.25-0.8 s on a titanic
 * nightly; here it is a listing of the log, the log's few JSON files and the data's Parquet files.
 *
 * <p>Rows come back shaped as Spark's {@code toJSON} writes them, parsed by {@code Json.MAPPER}:
 * null fields absent, dates as {@code yyyy-MM-dd}, timestamps as {@code
 * yyyy-MM-dd'T'HH:mm:ss.SSSXXX} in the session's time zone, numbers as Jackson reads them back.
 * Callers written against Spark's rows therefore read the same maps ({@code SmallTablesTest}
 * compares both readers on every column type, a checkpoint and a deletion vector; {@code
 * QuickStartTest} on every {@code _system} table of a nightly's lake).
 *
 * <p>For tables of thousands of rows, not data tables: every row of the read partition passes
 * through the driver. Not for use by several threads at once.
 */
public final class SmallTables {
  private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {};
  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
  private static final DateTimeFormatter TIMESTAMP_NTZ =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS");

  private final Engine engine;
  private final ZoneId zone;

  /**
   * Snapshots this reader loaded, by path and version: a caller that asks for a table's latest
   * version and then reads it at that version (the report) loads its log once.
   */
  private final Map<String, Snapshot> loaded = new java.util.HashMap<>();

  private SmallTables(Engine engine, ZoneId zone) {
    this.engine = engine;
    this.zone = zone;
  }

  /** A reader over the session's file systems (its Hadoop configuration) and time zone. */
  public static SmallTables of(SparkSession spark) {
    return new SmallTables(
        DefaultEngine.create(spark.sparkContext().hadoopConfiguration()),
        ZoneId.of(spark.conf().get("spark.sql.session.timeZone")));
  }

  /** The table's latest version, or empty when there is no table at {@code path}. */
  public OptionalLong latestVersion(String path) {
    try {
      Snapshot latest = Table.forPath(engine, path).getLatestSnapshot(engine);
      loaded.put(path + "@" + latest.getVersion(), latest);
      return OptionalLong.of(latest.getVersion());
    } catch (TableNotFoundException e) {
      return OptionalLong.empty();
    }
  }

  /**
   * The rows of one dataset in the table at {@code version} (its latest when empty), in file order.
   * A table partitioned by {@value DeltaTables#DATASET} is read in that partition only; any other
   * is read whole and its rows of other datasets left out. No table: no rows.
   */
  public List<Map<String, Object>> rows(String path, OptionalLong version, String dataset) {
    return rows(path, version, dataset, null);
  }

  /**
   * As {@link #rows(String, OptionalLong, String)}, reading only {@code columns} (those the table
   * has; null for all): Parquet then skips the others' pages, e.g. the registry's curves.
   */
  public List<Map<String, Object>> rows(
      String path, OptionalLong version, String dataset, List<String> columns) {
    Table table = Table.forPath(engine, path);
    Snapshot snapshot;
    try {
      if (version.isEmpty()) {
        snapshot = table.getLatestSnapshot(engine);
      } else {
        snapshot = loaded.get(path + "@" + version.getAsLong());
        if (snapshot == null) {
          snapshot = table.getSnapshotAsOfVersion(engine, version.getAsLong());
        }
      }
    } catch (TableNotFoundException e) {
      return List.of();
    }
    StructType schema = snapshot.getSchema();
    if (columns != null) {
      StructType pruned = new StructType();
      for (StructField f : schema.fields()) {
        if (columns.contains(f.getName()) || f.getName().equals(DeltaTables.DATASET)) {
          pruned = pruned.add(f);
        }
      }
      schema = pruned;
    }
    int datasetField = schema.indexOf(DeltaTables.DATASET);
    var builder = snapshot.getScanBuilder().withReadSchema(schema);
    if (datasetField >= 0 && snapshot.getPartitionColumnNames().contains(DeltaTables.DATASET)) {
      builder =
          builder.withFilter(
              new Predicate("=", new Column(DeltaTables.DATASET), Literal.ofString(dataset)));
    }
    Scan scan = builder.build();
    Row state = scan.getScanState(engine);
    StructType physical = ScanStateRow.getPhysicalDataReadSchema(engine, state);
    List<Map<String, Object>> out = new ArrayList<>();
    try (CloseableIterator<FilteredColumnarBatch> files = scan.getScanFiles(engine)) {
      while (files.hasNext()) {
        try (CloseableIterator<Row> fileRows = files.next().getRows()) {
          while (fileRows.hasNext()) {
            Row file = fileRows.next();
            FileStatus status = InternalScanFileUtils.getAddFileStatus(file);
            try (CloseableIterator<ColumnarBatch> physicalData =
                    engine
                        .getParquetHandler()
                        .readParquetFiles(
                            Utils.singletonCloseableIterator(status), physical, Optional.empty());
                CloseableIterator<FilteredColumnarBatch> data =
                    Scan.transformPhysicalData(engine, state, file, physicalData)) {
              while (data.hasNext()) {
                collect(data.next(), datasetField, dataset, out);
              }
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not read the Delta table at " + path, e);
    }
    return out;
  }

  private void collect(
      FilteredColumnarBatch batch, int datasetField, String dataset, List<Map<String, Object>> out)
      throws IOException {
    ColumnarBatch data = batch.getData();
    Optional<ColumnVector> selected = batch.getSelectionVector();
    StructType schema = data.getSchema();
    ColumnVector datasets = datasetField >= 0 ? data.getColumnVector(datasetField) : null;
    for (int r = 0; r < data.getSize(); r++) {
      if (selected.isPresent() && (selected.get().isNullAt(r) || !selected.get().getBoolean(r))) {
        continue; // deleted by a deletion vector
      }
      if (datasets != null && (datasets.isNullAt(r) || !dataset.equals(datasets.getString(r)))) {
        continue;
      }
      StringWriter json = new StringWriter();
      try (JsonGenerator gen = io.lakeml.config.Json.MAPPER.getFactory().createGenerator(json)) {
        gen.writeStartObject();
        for (int f = 0; f < schema.length(); f++) {
          ColumnVector v = data.getColumnVector(f);
          if (!v.isNullAt(r)) {
            gen.writeFieldName(schema.at(f).getName());
            write(gen, v, r);
          }
        }
        gen.writeEndObject();
      }
      out.add(io.lakeml.config.Json.MAPPER.readValue(json.toString(), MAP));
    }
  }

  /** One value as Spark's JSON writer writes it (JacksonGenerator, default options). */
  private void write(JsonGenerator gen, ColumnVector v, int i) throws IOException {
    if (v.isNullAt(i)) {
      gen.writeNull();
      return;
    }
    DataType t = v.getDataType();
    if (t instanceof StringType) {
      gen.writeString(v.getString(i));
    } else if (t instanceof IntegerType) {
      gen.writeNumber(v.getInt(i));
    } else if (t instanceof LongType) {
      gen.writeNumber(v.getLong(i));
    } else if (t instanceof DoubleType) {
      gen.writeNumber(v.getDouble(i));
    } else if (t instanceof BooleanType) {
      gen.writeBoolean(v.getBoolean(i));
    } else if (t instanceof DateType) {
      gen.writeString(LocalDate.ofEpochDay(v.getInt(i)).toString());
    } else if (t instanceof TimestampType) {
      gen.writeString(TIMESTAMP.format(micros(v.getLong(i)).atZone(zone)));
    } else if (t instanceof TimestampNTZType) {
      gen.writeString(
          TIMESTAMP_NTZ.format(LocalDateTime.ofInstant(micros(v.getLong(i)), ZoneOffset.UTC)));
    } else if (t instanceof FloatType) {
      gen.writeNumber(v.getFloat(i));
    } else if (t instanceof ShortType) {
      gen.writeNumber(v.getShort(i));
    } else if (t instanceof ByteType) {
      gen.writeNumber(v.getByte(i));
    } else if (t instanceof DecimalType) {
      gen.writeNumber(v.getDecimal(i));
    } else if (t instanceof BinaryType) {
      gen.writeString(Base64.getEncoder().encodeToString(v.getBinary(i)));
    } else if (t instanceof ArrayType) {
      var array = v.getArray(i);
      gen.writeStartArray();
      for (int e = 0; e < array.getSize(); e++) {
        write(gen, array.getElements(), e);
      }
      gen.writeEndArray();
    } else if (t instanceof MapType) {
      var map = v.getMap(i);
      gen.writeStartObject();
      for (int e = 0; e < map.getSize(); e++) {
        gen.writeFieldName(String.valueOf(plain(map.getKeys(), e)));
        write(gen, map.getValues(), e);
      }
      gen.writeEndObject();
    } else if (t instanceof StructType s) {
      gen.writeStartObject();
      for (int f = 0; f < s.length(); f++) {
        ColumnVector child = v.getChild(f);
        if (!child.isNullAt(i)) {
          StructField field = s.at(f);
          gen.writeFieldName(field.getName());
          write(gen, child, i);
        }
      }
      gen.writeEndObject();
    } else {
      throw new IllegalStateException("no JSON form for Delta type " + t);
    }
  }

  /** A map key as Spark writes it: its text. */
  private Object plain(ColumnVector keys, int i) {
    DataType t = keys.getDataType();
    if (t instanceof StringType) {
      return keys.getString(i);
    } else if (t instanceof IntegerType) {
      return keys.getInt(i);
    } else if (t instanceof LongType) {
      return keys.getLong(i);
    } else if (t instanceof DateType) {
      return LocalDate.ofEpochDay(keys.getInt(i));
    }
    throw new IllegalStateException("no JSON key form for Delta type " + t);
  }

  private static Instant micros(long us) {
    return Instant.ofEpochSecond(
        Math.floorDiv(us, 1_000_000L), Math.floorMod(us, 1_000_000L) * 1000);
  }
}
