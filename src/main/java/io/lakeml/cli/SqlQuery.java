package io.lakeml.cli;

import io.lakeml.core.LakeCatalog;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Iterator;
import org.apache.spark.sql.SparkSession;

/** Runs Spark SQL over the lake with tables named {@code <layer>.<dataset>} and {@code _system.<table>}. */
final class SqlQuery {
  private SqlQuery() {}

  /** Registers every existing lake table in the session catalog under its catalog name. */
  static int registerTables(SparkSession spark, LakeCatalog catalog) throws IOException {
    int n = 0;
    for (LakeCatalog.Table t : catalog.existingTables(spark)) {
      String db = t.name().substring(0, t.name().indexOf('.'));
      String table = t.name().substring(t.name().indexOf('.') + 1);
      spark.sql("CREATE DATABASE IF NOT EXISTS `" + db + "`");
      // External tables (LOCATION): dropping the registration never touches the data. Re-registering
      // keeps names pointing at this lake when a session is reused.
      spark.sql("DROP TABLE IF EXISTS `" + db + "`.`" + table + "`");
      spark.sql("CREATE TABLE `" + db + "`.`" + table + "` USING delta LOCATION '" + t.path().replace("'", "\\'") + "'");
      n++;
    }
    return n;
  }

  /** Prints up to {@code limit} result rows as JSON lines; returns the number printed. */
  static long print(SparkSession spark, String query, int limit, PrintStream out) {
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
