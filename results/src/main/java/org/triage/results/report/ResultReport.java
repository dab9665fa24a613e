package org.triage.results.report;

import java.time.Instant;
import java.util.List;

/**
 * One result for one film, re-identified and ready to deliver: a finding (the scores of every label) or an alert
 * (with the alert's reason and the labels that were its evidence). Every target builds its message from this alone.
 *
 * @param resultId the finding or alert id: deterministic, so a redelivery carries the same message id and the
 *                 receiver can recognise it
 * @param urgent   an alert-bearing result: worklists put it first (HL7 priority S)
 * @param alert    null for a finding
 */
public record ResultReport(String resultId, boolean urgent, String modelName, String modelVersion, Instant observedAt,
                           List<LabelResult> labels, AlertSummary alert, OriginalFilm film) {
    public ResultReport {
        labels = List.copyOf(labels);
    }
}
