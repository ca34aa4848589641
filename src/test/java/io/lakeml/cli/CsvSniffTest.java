package io.lakeml.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** How new-dataset tells a CSV sample's delimiter and whether its first line is a header. */
class CsvSniffTest {
  @Test
  void valuesBetweenSingleSpacesOnEveryLineAreSpaceSeparated() {
    assertThat(
            NewDataset.spaceSeparated(
                "A11 6 A34 1169 1", List.of("A12 48 A32 5951 2", "A14 12 A34 2096 1")))
        .isTrue();
    // one line only, or lines of other lengths (free text), or too few fields: not a table
    assertThat(NewDataset.spaceSeparated("A11 6 A34", List.of())).isFalse();
    assertThat(NewDataset.spaceSeparated("the first line", List.of("and a longer second one")))
        .isFalse();
    assertThat(NewDataset.spaceSeparated("a b", List.of("c d"))).isFalse();
  }

  @Test
  void aFirstLineWhoseWordsAreValuesOfTheirColumnsIsARecord() {
    String[] first = NewDataset.headerFields("A11 6 A34 1169 1", ' ');
    assertThat(
            NewDataset.valuesOfItsColumns(
                first, List.of("A12 48 A32 5951 2", "A11 12 A34 2096 1"), ' '))
        .isTrue();
    // a header: its names are not values of their columns
    String[] header = NewDataset.headerFields("status,duration,history,amount,class", ',');
    assertThat(
            NewDataset.valuesOfItsColumns(
                header, List.of("A12,48,A32,5951,2", "A11,12,A34,2096,1"), ','))
        .isFalse();
    // files concatenated with their headers: a repeated header line is not a record
    assertThat(
            NewDataset.valuesOfItsColumns(
                header, List.of("A12,48,A32,5951,2", "status,duration,history,amount,class"), ','))
        .isFalse();
  }
}
