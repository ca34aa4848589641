package io.lakeml.cli;

import io.lakeml.core.LakeCatalog;
import java.io.PrintStream;
import java.util.Iterator;
import org.apache.spark.sql.SparkSession;

/**
 * Runs Spark SQL over the lake with tables named {@code <layer>.<dataset>} and {@code
 * _system.<table>}.
 */
final class SqlQuery {
  private SqlQuery() {}

  private static final java.util.regex.Pattern TABLE_REF =
      java.util.regex.Pattern.compile(
          "(?i)(?<![\\w.`])`?(bronze|silver|gold|_system|predictions)`?\\.`?(\\w+)`?");

  /**
   * Registers the lake tables a query names (e.g. {@code silver.titanic}) in the session catalog;
   * registering only those keeps a query from paying for every table in the lake.
   */
  static int registerTables(SparkSession spark, LakeCatalog catalog, String query) {
    int n = 0;
    for (LakeCatalog.Table t : tablesNamed(catalog, query)) {
      String db = t.name().substring(0, t.name().indexOf('.'));
      String table = t.name().substring(t.name().indexOf('.') + 1);
      spark.sql("CREATE DATABASE IF NOT EXISTS `" + db + "`");
      // External tables (LOCATION): dropping the registration never touches the data.
      // Re-registering
      // keeps names pointing at this lake when a session is reused.
      spark.sql("DROP TABLE IF EXISTS `" + db + "`.`" + table + "`");
      if (!io.lakeml.core.DeltaTables.exists(spark, t.path())) {
        continue; // not written yet: Spark reports the missing table itself
      }
      spark.sql(
          "CREATE TABLE `"
              + db
              + "`.`"
              + table
              + "` USING delta LOCATION '"
              + t.path().replace("'", "\\'")
              + "'");
      n++;
    }
    return n;
  }

  /** The lake tables a statement names ({@code silver.titanic}, {@code _system.models} …). */
  static java.util.List<LakeCatalog.Table> tablesNamed(LakeCatalog catalog, String query) {
    java.util.Set<String> referenced = new java.util.LinkedHashSet<>();
    java.util.regex.Matcher m = TABLE_REF.matcher(query);
    while (m.find()) {
      referenced.add((m.group(1) + "." + m.group(2)).toLowerCase(java.util.Locale.ROOT));
    }
    java.util.List<LakeCatalog.Table> out = new java.util.ArrayList<>();
    for (String name : referenced) {
      catalog.byName(name).ifPresent(out::add);
    }
    return out;
  }

  /**
   * What a statement does, from its parsed plan: read-only, or the kind of change (e.g. DELETE).
   */
  record Statement(boolean readOnly, String kind) {}

  /**
   * Commands that only look: SHOW, DESCRIBE (Delta's DESCRIBE HISTORY / DETAIL too) and EXPLAIN,
   * which runs nothing.
   */
  private static final java.util.Set<String> LOOKING =
      java.util.Set.of(
          "ShowTables",
          "ShowTablesExtended",
          "ShowViews",
          "ShowColumns",
          "ShowNamespaces",
          "ShowFunctions",
          "ShowTableProperties",
          "ShowCreateTable",
          "ShowPartitions",
          "ShowCatalogs",
          "ShowCurrentNamespace",
          "DescribeRelation",
          "DescribeColumn",
          "DescribeNamespace",
          "DescribeFunction",
          "ExplainCommand",
          "DescribeDeltaHistory",
          "DescribeDeltaDetail",
          "DescribeDeltaDetailCommand",
          "DescribeDeltaHistoryCommand");

  private static final java.util.Map<String, String> KINDS =
      java.util.Map.ofEntries(
          java.util.Map.entry("DeleteFromTable", "DELETE"),
          java.util.Map.entry("UpdateTable", "UPDATE"),
          java.util.Map.entry("MergeIntoTable", "MERGE"),
          java.util.Map.entry("InsertIntoStatement", "INSERT"),
          java.util.Map.entry("InsertIntoDir", "INSERT OVERWRITE DIRECTORY"),
          java.util.Map.entry("TruncateTable", "TRUNCATE"),
          java.util.Map.entry("DropTable", "DROP TABLE"),
          java.util.Map.entry("CreateTable", "CREATE TABLE"),
          java.util.Map.entry("CreateTableAsSelect", "CREATE TABLE AS SELECT"),
          java.util.Map.entry("ReplaceTable", "REPLACE TABLE"),
          java.util.Map.entry("ReplaceTableAsSelect", "REPLACE TABLE AS SELECT"),
          java.util.Map.entry("CacheTable", "CACHE TABLE"),
          java.util.Map.entry("VacuumTableCommand", "VACUUM"),
          java.util.Map.entry("RestoreTableStatement", "RESTORE"),
          java.util.Map.entry("OptimizeTableCommand", "OPTIMIZE"),
          java.util.Map.entry("SetCommand", "SET"));

  /**
   * Parses {@code query} with the session's parser (Delta's statements included) without running
   * it: a query, SHOW, DESCRIBE or EXPLAIN is read-only; anything else — DML, DDL, a command — is
   * not.
   */
  static Statement classify(SparkSession spark, String query)
      throws org.apache.spark.sql.catalyst.parser.ParseException {
    org.apache.spark.sql.catalyst.plans.logical.LogicalPlan plan =
        ((org.apache.spark.sql.classic.SparkSession) spark)
            .sessionState()
            .sqlParser()
            .parsePlan(query);
    String name = plan.getClass().getSimpleName();
    if (LOOKING.contains(name)) {
      return new Statement(true, name);
    }
    // any statement or command anywhere in the tree (a CTE in front of an INSERT, say) is a change
    scala.Option<org.apache.spark.sql.catalyst.plans.logical.LogicalPlan> change =
        plan.find(
            scala.jdk.javaapi.FunctionConverters.asScalaFromFunction(
                n ->
                    (Object)
                        (n instanceof org.apache.spark.sql.catalyst.plans.logical.Command
                            || n
                                instanceof
                                org.apache.spark.sql.catalyst.plans.logical.ParsedStatement
                            || n
                                instanceof
                                org.apache.spark.sql.catalyst.plans.logical.InsertIntoDir)));
    if (change.isEmpty()) {
      return new Statement(true, "query");
    }
    String found = change.get().getClass().getSimpleName();
    return new Statement(false, KINDS.getOrDefault(found, found));
  }

  /** Prints up to {@code limit} result rows as JSON lines; returns the number printed. */
  static long print(SparkSession spark, String query, int limit, PrintStream out) {
    // bounded: limit --limit rows, streamed
    Iterator<String> rows = spark.sql(query).limit(limit).toJSON().toLocalIterator();
    long n = 0;
    while (rows.hasNext()) {
      out.println(rows.next());
      n++;
    }
    out.flush();
    return n;
  }
}
