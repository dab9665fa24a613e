package org.triage.results.report;

/**
 * One label's score on one film.
 *
 * @param threshold the operating distance threshold in force, or null when the label has none
 * @param positive  the distance is within the threshold (the model calls the finding present)
 */
public record LabelResult(String labelId, double score, double distance, Double threshold, boolean positive, int rank) {
}
