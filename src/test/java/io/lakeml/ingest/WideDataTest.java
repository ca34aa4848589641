package io.lakeml.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakeml.testing.TestProject;
import io.lakeml.testing.TestSpark;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.junit.jupiter.api.Test;

/**
 * A generated 1,000-column CSV through ingest and etl, the stages that touch every value: under the
 * wide-input session settings, with an unparsable value quarantined and every other value typed.
 */
class WideDataTest {
  private static final int ROWS = 120;
  private static final int COLUMNS = 1000;

  private static String csv() {
    StringBuilder sb = new StringBuilder("id");
    for (int j = 0; j < COLUMNS; j++) {
      sb.append(String.format(",f%04d", j));
    }
    sb.append(",y\n");
    for (int i = 0; i < ROWS; i++) {
      sb.append(i);
      for (int j = 0; j < COLUMNS; j++) {
        String v = String.valueOf((i * 7 + j) % 256);
        if (i == 5 && j == 500) {
          v = "x5";
        } else if (i == 6 && j == 0) {
          v = " 12 ";
        } else if (i == 7 && j == 999) {
          v = "NA";
        }
        sb.append(',').append(v);
      }
      sb.append(',').append(i % 3 == 0 ? "yes" : "no").append('\n');
    }
    return sb.toString();
  }

  /** The codecs and encodings of every column chunk in the table's data files. */
  private static Set<String> encodings(Path table) {
    Set<String> seen = new TreeSet<>();
    try (Stream<Path> files = Files.list(table)) {
      for (Path f : files.filter(f -> f.toString().endsWith(".parquet")).toList()) {
        try (ParquetFileReader r =
            ParquetFileReader.open(
                HadoopInputFile.fromPath(
                    new org.apache.hadoop.fs.Path(f.toUri()), new Configuration()))) {
          for (BlockMetaData block : r.getFooter().getBlocks()) {
            for (ColumnChunkMetaData c : block.getColumns()) {
              seen.add(c.getCodec().name());
              c.getEncodings().forEach(e -> seen.add(e.name()));
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertThat(seen).as("data files in " + table).isNotEmpty();
    return seen;
  }

  @Test
  void aThousandColumnsAreIngestedTypedAndQuarantinedUnderTheWideInputSettings() {
    TestProject p =
        TestProject.create("wide-data")
            .dataset(
                "wide",
                """
        dataset {
          source { format = csv, mode = snapshot }
          schema = [ { name = id, type = int }, { name = "f{0000..0999}", type = int }, { name = y, type = string } ]
          key = [id]
          label { column = y, positive = "yes" }
          features { numeric = ["f*"] }
        }
        """);
    p.land("wide", "wide.csv", csv());
    String batchSize = "spark.sql.parquet.columnarReaderBatchSize";
    String before = TestSpark.session().conf().get(batchSize);

    TestProject.Result ingest =
        p.run("ingest", "--dataset", "wide", "--run-date", "2026-11-20").expectExit(0);
    assertThat(((Map<?, ?>) ingest.summary().get("timings")).get("wideInput")).isEqualTo(true);
    assertThat(ingest.metric("rowsBronze")).isEqualTo(ROWS - 1);
    assertThat(ingest.metric("rowsQuarantined")).isEqualTo(1);
    assertThat(p.sql("select reason from _system.quarantine").get(0).get("reason").toString())
        .isEqualTo("unparsable value: f0500='x5' is not a valid int");

    TestProject.Result etl =
        p.run("etl", "--dataset", "wide", "--run-date", "2026-11-20").expectExit(0);
    assertThat(((Map<?, ?>) etl.summary().get("timings")).get("wideInput")).isEqualTo(true);
    assertThat(etl.metric("silverRows")).isEqualTo(ROWS - 1);
    // the settings were the stage's only: the session has its own value back
    assertThat(TestSpark.session().conf().get(batchSize)).isEqualTo(before);
    assertThat(TestSpark.session().conf().getOption("parquet.enable.dictionary").isDefined())
        .isFalse();
    // bronze's text and silver's ints written without dictionaries, compressed with zstd
    for (String table : List.of("bronze/wide", "silver/wide")) {
      assertThat(encodings(p.lake().resolve(table)))
          .as(table)
          .contains("ZSTD")
          .doesNotContain("SNAPPY", "PLAIN_DICTIONARY", "RLE_DICTIONARY");
    }

    long sum = 0;
    for (int i = 0; i < ROWS; i++) {
      sum += i == 5 ? 0 : i == 6 ? 12 : (i * 7) % 256;
    }
    List<Map<String, Object>> r =
        p.sql(
            "select sum(f0000) as s0, count(f0999) as n999, max(typeof(f0500)) as t, count(*) as n from silver.wide");
    assertThat(((Number) r.get(0).get("s0")).longValue()).isEqualTo(sum);
    assertThat(((Number) r.get(0).get("n999")).longValue())
        .as("row 7's NA is null")
        .isEqualTo(ROWS - 2);
    assertThat(((Number) r.get(0).get("n")).longValue()).isEqualTo(ROWS - 1);
    assertThat(r.get(0)).containsEntry("t", "int");
    assertThat(p.sql("select f0000, f0999 from silver.wide where id = 6").get(0))
        .containsEntry("f0000", 12);
  }
}
