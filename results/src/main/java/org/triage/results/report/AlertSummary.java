package org.triage.results.report;

/** Why an alert was raised about the film: what a worklist shows next to the scores. */
public record AlertSummary(String type, String labelId, String severity, double score, double threshold, boolean rare) {
}
