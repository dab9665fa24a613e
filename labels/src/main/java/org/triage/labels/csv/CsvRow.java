package org.triage.labels.csv;

import org.triage.events.ConfirmedLabels;

/** One data row of an import file and the 1-based line it came from (what error messages cite). */
public record CsvRow(int line, ConfirmedLabels confirmation) {
}
