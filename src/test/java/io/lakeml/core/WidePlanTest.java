package io.lakeml.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakeml.config.ConfigLoader;
import io.lakeml.config.DatasetConfig;
import io.lakeml.testing.TestProject;
import io.lakeml.testing.TestSpark;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * Wide data: the typing check over a thousand columns is a plan of constant depth, not one nested
 * projection per column (that shape overflowed the analyzer's stack on Fashion-MNIST's 785 columns
 * and took minutes to plan on a thousand). Only plans are built; no Spark job runs.
 */
class WidePlanTest {
  private static int depth(LogicalPlan p) {
    int max = 0;
    for (LogicalPlan child : scala.jdk.javaapi.CollectionConverters.asJava(p.children())) {
      max = Math.max(max, depth(child));
    }
    return max + 1;
  }

  @Test
  void typingAThousandColumnsIsAPlanOfConstantDepth() {
    TestProject p = TestProject.create("wide-plan").dataset("wide", """
        dataset {
          schema = [ { name = id, type = int }, { name = "f{0000..0999}", type = double }, { name = y, type = string } ]
          key = [id]
        }
        """);
    DatasetConfig ds = ConfigLoader.load(p.confDir(), "local", "wide", List.of()).requireDataset();
    assertThat(ds.columnNames()).hasSize(1002);
    StructType schema = new StructType();
    for (String c : ds.columnNames()) {
      schema = schema.add(c, DataTypes.StringType);
    }
    Dataset<Row> raw = TestSpark.session().createDataFrame(List.of(), schema);
    int base = depth(raw.queryExecution().analyzed());
    Dataset<Row> checked = Typing.withProblems(raw, ds, ds.columnNames(), "_typing");
    assertThat(depth(checked.queryExecution().analyzed()) - base).as("plan nodes added by the typing check").isLessThanOrEqualTo(4);
    assertThat(checked.columns()).hasSize(1003).contains("_typing");
  }
}
