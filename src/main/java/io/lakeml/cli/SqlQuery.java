package io.lakeml.cli;

import io.lakeml.core.LakeCatalog;
import java.io.PrintStream;
import java.util.Iterator;
import org.apache.spark.sql.SparkSession;

/** Runs Spark SQL over the lake with tables named {@code <layer>.<dataset>} and {@code _system.<table>}. */
final class SqlQuery {
  private SqlQuery() {}

  private static final java.util.regex.Pattern TABLE_REF =
      java.util.regex.Pattern.compile("(?i)(?<![\\w.`])`?(bronze|silver|gold|_system|predictions)`?\\.`?(\\w+)`?");

  /**
   * Registers the lake tables a query names (e.g. {@code silver.titanic}) in the session catalog;
   * registering only those keeps a query from paying for every table in the lake.
   */
  static int registerTables(SparkSession spark, LakeCatalog catalog, String query) {
    java.util.Set<String> referenced = new java.util.HashSet<>();
    java.util.regex.Matcher m = TABLE_REF.matcher(query);
    while (m.find()) {
      referenced.add((m.group(1) + "." + m.group(2)).toLowerCase(java.util.Locale.ROOT));
    }
    int n = 0;
    for (String name : referenced) {
      LakeCatalog.Table t = catalog.byName(name).orElse(null);
      if (t == null) {
        continue;
      }
      String db = t.name().substring(0, t.name().indexOf('.'));
      String table = t.name().substring(t.name().indexOf('.') + 1);
      spark.sql("CREATE DATABASE IF NOT EXISTS `" + db + "`");
      // External tables (LOCATION): dropping the registration never touches the data. Re-registering
      // keeps names pointing at this lake when a session is reused.
      spark.sql("DROP TABLE IF EXISTS `" + db + "`.`" + table + "`");
      if (!io.lakeml.core.DeltaTables.exists(spark, t.path())) {
        continue; // not written yet: Spark reports the missing table itself
      }
      spark.sql("CREATE TABLE `" + db + "`.`" + table + "` USING delta LOCATION '" + t.path().replace("'", "\\'") + "'");
      n++;
    }
    return n;
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
