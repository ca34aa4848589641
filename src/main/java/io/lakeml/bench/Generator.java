package io.lakeml.bench;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.randn;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.xxhash64;

import io.lakeml.config.DatasetConfig;
import io.lakeml.core.JobFailure;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Scales a real dataset to N rows: every generated row is a base row drawn uniformly with
 * replacement (a seeded hash of the row number picks it), so category frequencies and label rates
 * are the base's up to sampling error; numeric columns get Gaussian noise of {@code noise} × their
 * standard deviation, clipped to the base's range and kept in their type. An {@code id} column (the
 * row number) is added as a key. Fully distributed: the base (small) is broadcast, rows come from
 * {@code spark.range}; the driver only counts and aggregates.
 */
public final class Generator {
  /** The key column the generator adds. */
  public static final String ID = "id";

  /** Row index into the base set (internal). */
  private static final String PICK = "_pick";

  /** What was generated, with the base's and the output's label rate for the record. */
  public record Result(
      String path,
      long rows,
      long baseRows,
      int partitions,
      Map<String, Double> labelRate,
      double seconds) {}

  private Generator() {}

  /**
   * Reads the base CSV with the dataset's declared types (the {@code id} column excepted) and
   * writes {@code rows} generated rows as Parquet into {@code target} (staged next to it, then
   * renamed, so a landing folder never shows a half-written set).
   */
  public static Result generate(
      SparkSession spark,
      DatasetConfig ds,
      String baseCsv,
      long rows,
      long seed,
      double noise,
      String target)
      throws IOException {
    long t0 = System.nanoTime();
    if (rows <= 0) {
      throw new JobFailure("--rows must be positive, got " + rows + ".");
    }
    StructType schema = new StructType();
    for (DatasetConfig.Column c : ds.columns()) {
      if (!c.name().equals(ID)) {
        schema = schema.add(c.name(), c.type().sparkType(), true);
      }
    }
    Path basePath = new Path(baseCsv);
    FileSystem baseFs = basePath.getFileSystem(spark.sparkContext().hadoopConfiguration());
    if (!baseFs.exists(basePath)) {
      throw new JobFailure(
          "base file "
              + baseCsv
              + " does not exist. Pass --source with the path of the real dataset's CSV "
              + "(e.g. ../shared/data/"
              + ds.name()
              + ".csv).");
    }
    Dataset<Row> base =
        spark.read().option("header", "true").option("nullValue", "NA").schema(schema).csv(baseCsv);
    // a contiguous index 0..B-1 to draw from; the base is small, so one pass and a broadcast
    Dataset<Row> indexed =
        spark
            .createDataFrame(
                base.javaRDD()
                    .zipWithIndex()
                    .map(
                        t -> {
                          Object[] v = new Object[t._1().size() + 1];
                          for (int i = 0; i < t._1().size(); i++) {
                            v[i] = t._1().get(i);
                          }
                          v[v.length - 1] = t._2();
                          return org.apache.spark.sql.RowFactory.create(v);
                        }),
                schema.add(PICK, DataTypes.LongType, false))
            .cache();
    try {
      long baseRows = indexed.count();
      if (baseRows == 0) {
        throw new JobFailure("base file " + baseCsv + " has no rows.");
      }
      // numeric columns: standard deviation and range of the base, for noise and clipping
      List<String> numeric = new ArrayList<>();
      for (StructField f : schema.fields()) {
        if (f.dataType().equals(DataTypes.IntegerType)
            || f.dataType().equals(DataTypes.LongType)
            || f.dataType().equals(DataTypes.DoubleType)) {
          numeric.add(f.name());
        }
      }
      Map<String, double[]> stats = new LinkedHashMap<>();
      if (!numeric.isEmpty()) {
        List<Column> aggs = new ArrayList<>();
        for (String c : numeric) {
          aggs.add(org.apache.spark.sql.functions.stddev_pop(col(c)));
          aggs.add(org.apache.spark.sql.functions.min(col(c)).cast("double"));
          aggs.add(org.apache.spark.sql.functions.max(col(c)).cast("double"));
        }
        Row r =
            indexed.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0])).first();
        for (int i = 0; i < numeric.size(); i++) {
          stats.put(
              numeric.get(i),
              new double[] {
                r.isNullAt(3 * i) ? 0 : r.getDouble(3 * i),
                r.isNullAt(3 * i + 1) ? 0 : r.getDouble(3 * i + 1),
                r.isNullAt(3 * i + 2) ? 0 : r.getDouble(3 * i + 2)
              });
        }
      }
      // about 1M rows per partition (a few per core for small sets), so files stay a reasonable
      // size
      int partitions = (int) Math.max(2, Math.min(1000, (rows + 999_999) / 1_000_000 * 2));
      Dataset<Row> out =
          spark
              .range(0, rows, 1, partitions)
              .toDF(ID)
              .withColumn(PICK, pmod(xxhash64(col(ID), lit(seed)), lit(baseRows)))
              .join(broadcast(indexed), PICK);
      int k = 0;
      for (Map.Entry<String, double[]> e : stats.entrySet()) {
        String c = e.getKey();
        double[] s = e.getValue();
        Column noisy = col(c).cast("double").plus(randn(seed + 1 + k++).multiply(noise * s[0]));
        noisy = least(greatest(noisy, lit(s[1])), lit(s[2]));
        org.apache.spark.sql.types.DataType t = schema.apply(c).dataType();
        boolean integral = t.equals(DataTypes.IntegerType) || t.equals(DataTypes.LongType);
        out = out.withColumn(c, integral ? round(noisy).cast(t) : noisy);
      }
      List<Column> ordered = new ArrayList<>();
      ordered.add(col(ID));
      for (StructField f : schema.fields()) {
        ordered.add(col(f.name()));
      }
      out = out.select(ordered.toArray(new Column[0]));

      Path targetPath = new Path(target);
      FileSystem fs = targetPath.getFileSystem(spark.sparkContext().hadoopConfiguration());
      Path staging =
          new Path(targetPath.getParent().getParent(), "_generating-" + targetPath.getName());
      fs.delete(staging, true);
      out.write().mode("overwrite").parquet(staging.toString());
      fs.mkdirs(targetPath.getParent());
      fs.delete(targetPath, true);
      if (!fs.rename(staging, targetPath)) {
        throw new IOException("could not move " + staging + " to " + targetPath);
      }
      // rows written and label rates of the base and the output (one aggregation each), to show the
      // resampling kept them
      Map<String, Double> rates = new LinkedHashMap<>();
      Dataset<Row> written = spark.read().parquet(target);
      Column positive =
          ds.label()
              .flatMap(l -> l.positive().map(pos -> col(l.column()).equalTo(pos)))
              .orElse(null);
      Row w =
          written
              .agg(
                  org.apache.spark.sql.functions.count(lit(1)),
                  positive == null
                      ? lit(null)
                      : org.apache.spark.sql.functions.avg(
                          org.apache.spark.sql.functions.when(positive, 1.0).otherwise(0.0)))
              .first();
      if (positive != null) {
        rates.put("base", rate(indexed, positive));
        rates.put("generated", Math.round(w.getDouble(1) * 1e6) / 1e6);
      }
      return new Result(
          target, w.getLong(0), baseRows, partitions, rates, (System.nanoTime() - t0) / 1e9);
    } finally {
      indexed.unpersist();
    }
  }

  private static double rate(Dataset<Row> rows, Column positive) {
    Row r =
        rows.agg(
                org.apache.spark.sql.functions.avg(
                    org.apache.spark.sql.functions.when(positive, 1.0).otherwise(0.0)))
            .first();
    return Math.round(r.getDouble(0) * 1e6) / 1e6;
  }
}
