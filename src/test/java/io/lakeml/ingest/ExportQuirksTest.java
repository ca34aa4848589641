package io.lakeml.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakeml.testing.TestProject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Exports as other tools write them, from a new user's second round of samples: RFC 4180 quoting (a
 * quote inside a quoted field doubled, as Excel, pandas and Python's csv module write it).
 */
class ExportQuirksTest {
  @Test
  void doubledQuotesInsideQuotedFieldsLandAsOneQuoteAndNoRowIsQuarantined() throws Exception {
    TestProject p = TestProject.create("rfc4180");
    Path sample = p.dir().resolve("samples/tickets.csv");
    Files.createDirectories(sample.getParent());
    Files.writeString(
        sample,
        "ticket_id,notes,priority,escalated\n"
            + "1,\"slow, very slow, app crashes on \"\"save\"\"\",high,yes\n"
            + "2,plain note,low,no\n"
            + "3,\"\"\"quoted\"\" at the start\",low,no\n"
            + "4,\"commas, only\",high,yes\n");
    p.run("new-dataset", "tickets", "--sample", sample.toString()).expectExit(0);
    TestProject.Result ingest = p.run("ingest", "--dataset", "tickets").expectExit(0);
    assertThat(ingest.metric("rowsBronze")).isEqualTo(4);
    assertThat(ingest.metric("rowsQuarantined")).isEqualTo(0);
    p.run("etl", "--dataset", "tickets").expectExit(0);
    assertThat(p.sql("SELECT ticket_id, notes FROM silver.tickets ORDER BY ticket_id"))
        .containsExactly(
            Map.of("ticket_id", 1, "notes", "slow, very slow, app crashes on \"save\""),
            Map.of("ticket_id", 2, "notes", "plain note"),
            Map.of("ticket_id", 3, "notes", "\"quoted\" at the start"),
            Map.of("ticket_id", 4, "notes", "commas, only"));
  }
}
