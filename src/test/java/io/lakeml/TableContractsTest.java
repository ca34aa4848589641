package io.lakeml;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakeml.tables.BiasTable;
import io.lakeml.tables.ChampionsTable;
import io.lakeml.tables.ModelsTable;
import io.lakeml.tables.MonitorTable;
import io.lakeml.tables.PredictionsTable;
import io.lakeml.tables.ProfileTable;
import io.lakeml.tables.QualityTable;
import io.lakeml.tables.QuarantineTable;
import io.lakeml.tables.RunsTable;
import io.lakeml.tables.TrialsTable;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * A {@code _system} table's columns are named in its class under {@code io.lakeml.tables} and
 * nowhere else: no string literal elsewhere in the main sources (a column, a SQL text, a {@code
 * getAs}) spells one of its column names. Checked for the names with an underscore, which read as
 * nothing but a column; one-word names ("job", "status", "at") are also JSON keys and English. The
 * same holds for the fixed columns of the predictions tables ({@link PredictionsTable}).
 */
class TableContractsTest {
  /** Every {@code _system} table's class. */
  static final List<Class<?>> TABLES =
      List.of(
          RunsTable.class,
          QuarantineTable.class,
          QualityTable.class,
          ProfileTable.class,
          ModelsTable.class,
          TrialsTable.class,
          BiasTable.class,
          ChampionsTable.class,
          MonitorTable.class);

  /**
   * Tables of every dataset whose classes are also guarded (their data columns are the dataset's
   * own).
   */
  static final List<Class<?>> DATASET_TABLES = List.of(PredictionsTable.class);

  private static final Pattern LITERAL = Pattern.compile("\"(?:[^\"\\\\\\n]|\\\\.)*\"");
  private static final Pattern WORD = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  static List<String> columns(Class<?> table) throws IllegalAccessException {
    StructType schema = null;
    List<String> names = new ArrayList<>();
    for (Field f : table.getFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == StructType.class) {
        schema = (StructType) f.get(null);
      }
    }
    assertThat(schema).as(table.getSimpleName() + " declares its SCHEMA").isNotNull();
    for (String c : schema.fieldNames()) {
      names.add(c);
    }
    return names;
  }

  @Test
  void everySchemaColumnHasItsConstantAndNoOtherMainSourceSpellsIt() throws Exception {
    Path main = io.lakeml.testing.TestProject.projectDir().resolve("src/main/java");
    List<String> offences = new ArrayList<>();
    int checked = 0;
    for (Class<?> table :
        java.util.stream.Stream.concat(TABLES.stream(), DATASET_TABLES.stream()).toList()) {
      List<String> columns = columns(table);
      List<String> constants = new ArrayList<>();
      for (Field f : table.getFields()) {
        if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
          constants.add((String) f.get(null));
        }
      }
      assertThat(constants)
          .as(table.getSimpleName() + ": a constant per schema column")
          .containsAll(columns);
      Path own = main.resolve(table.getName().replace('.', '/') + ".java");
      assertThat(own).exists();
      // a column two tables share (dataset, config_hash) is declared in each table class
      Path tables = own.getParent();
      List<String> guarded = columns.stream().filter(c -> c.contains("_")).toList();
      checked += guarded.size();
      try (Stream<Path> files = Files.walk(main)) {
        for (Path f :
            files
                .filter(p -> p.toString().endsWith(".java") && !p.getParent().equals(tables))
                .toList()) {
          offences.addAll(spellings(f, main, Set.copyOf(guarded), table.getSimpleName()));
        }
      }
    }
    assertThat(checked)
        .as("guarded columns summed over the tables (53 distinct names on 2026-12-03)")
        .isGreaterThanOrEqualTo(53);
    assertThat(offences)
        .as("column names spelled outside their table class (use the class's constants)")
        .isEmpty();
  }

  @Test
  void everySystemTableOfTheCatalogHasItsClass() throws Exception {
    io.lakeml.core.LakeCatalog cat = new io.lakeml.core.LakeCatalog("/lake");
    List<String> fromClasses = new ArrayList<>();
    for (Class<?> table : TABLES) {
      fromClasses.add("_system." + table.getField("TABLE").get(null));
    }
    assertThat(cat.systemTables().stream().map(io.lakeml.core.LakeCatalog.Table::name).toList())
        .containsExactlyElementsOf(fromClasses);
  }

  @Test
  void aLedgerRowWrittenFromItsRecordReadsBackAsTheSameRecord() {
    RunsTable.Run run =
        new RunsTable.Run(
            "r-1",
            "etl",
            "titanic",
            java.sql.Date.valueOf("2026-12-03"),
            "SUCCEEDED",
            null,
            java.sql.Timestamp.valueOf("2026-12-03 02:00:00"),
            java.sql.Timestamp.valueOf("2026-12-03 02:00:07"),
            7000L,
            new java.util.TreeMap<>(java.util.Map.of("bronze.titanic", 3L)),
            new java.util.TreeMap<>(java.util.Map.of("silver.titanic", 4L)),
            "{\"silverRows\":1309}",
            "abc",
            "0.1");
    RunsTable.Run dead =
        new RunsTable.Run(
            "r-2",
            "prepare",
            null,
            java.sql.Date.valueOf("2026-12-03"),
            "FAILED",
            "its JVM died",
            java.sql.Timestamp.valueOf("2026-12-03 02:01:00"),
            java.sql.Timestamp.valueOf("2026-12-03 02:01:00"),
            0L,
            null,
            null,
            "{}",
            "abc",
            "0.1");
    // bounded: two rows
    List<RunsTable.Run> back =
        io.lakeml.testing.TestSpark.session()
            .createDataFrame(List.of(run.toRow(), dead.toRow()), RunsTable.SCHEMA)
            .collectAsList()
            .stream()
            .map(RunsTable.Run::fromRow)
            .toList();
    assertThat(back).containsExactly(run, dead);
  }

  @Test
  void theCheckFindsAPlantedSpelling() throws IOException {
    Path dir = Files.createTempDirectory("table-contracts");
    Path f = dir.resolve("Planted.java");
    Files.writeString(
        f,
        "class Planted {\n  String ok = \"duration\";\n  String sql = \"SELECT max(duration_ms) FROM _system.runs\";\n}\n");
    assertThat(spellings(f, dir, Set.of("duration_ms"), "RunsTable"))
        .containsExactly("Planted.java:3 spells RunsTable's duration_ms");
  }

  /**
   * Where a file's string literals spell one of the columns (as a whole word), as "file:line spells
   * …".
   */
  static List<String> spellings(Path file, Path root, Set<String> columns, String table)
      throws IOException {
    List<String> found = new ArrayList<>();
    List<String> lines = Files.readAllLines(file);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.strip().startsWith("//") || line.strip().startsWith("*")) {
        continue;
      }
      Matcher lit = LITERAL.matcher(line);
      while (lit.find()) {
        Matcher w = WORD.matcher(lit.group());
        while (w.find()) {
          if (columns.contains(w.group())) {
            found.add(
                root.relativize(file) + ":" + (i + 1) + " spells " + table + "'s " + w.group());
          }
        }
      }
    }
    return found;
  }
}
