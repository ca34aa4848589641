package io.lakeml.core;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What an etl run that wrote silver reports in its summary's {@code metrics}, in the order the
 * summary line prints them. The merge's three counts are there only when silver was merged into,
 * not rebuilt.
 *
 * @param bronzeRows rows of the bronze version read
 * @param rowsQuarantined rows that failed typing and arrived since the last run (to quarantine)
 * @param rowsInvalid every row of that bronze version that fails typing
 * @param duplicatesRemoved valid rows left out because a later row has the same key
 * @param silverRows rows silver holds after the run
 * @param mode {@code rebuild} or {@code merge}
 * @param inserted rows the merge inserted
 * @param updated rows the merge updated
 * @param deleted rows the merge deleted (keys no longer in bronze)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record EtlMetrics(
    long bronzeRows,
    long rowsQuarantined,
    long rowsInvalid,
    long duplicatesRemoved,
    long silverRows,
    String mode,
    @JsonInclude(JsonInclude.Include.NON_NULL) Long inserted,
    @JsonInclude(JsonInclude.Include.NON_NULL) Long updated,
    @JsonInclude(JsonInclude.Include.NON_NULL) Long deleted) {}
