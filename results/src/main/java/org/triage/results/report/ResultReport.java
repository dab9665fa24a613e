package org.triage.results.report;

import java.time.Instant;
import java.util.List;

/**
 * One result, re-identified and ready to deliver: a film's finding (the scores of every label), an alert (with the
 * alert's reason and the labels that were its evidence), or a study's result (every film of the study taken
 * together). Every target builds its message from this alone.
 *
 * @param resultId     the finding, alert or study-result id: deterministic, so a redelivery carries the same message id
 *                     and the receiver can recognise it
 * @param urgent       an alert-bearing result: worklists put it first (HL7 priority S)
 * @param alert        null for a finding or a study result
 * @param films        the films the result is about: one for a finding or an alert, every film of the study for a study
 *                     result (in the study's order); all of one study
 * @param studyVersion for a study result, its version (1, then 2... as late films change it); null for a film's result
 */
public record ResultReport(String resultId, boolean urgent, String modelName, String modelVersion, Instant observedAt,
                           List<LabelResult> labels, AlertSummary alert, List<OriginalFilm> films, Integer studyVersion) {
    public ResultReport {
        labels = List.copyOf(labels);
        films = List.copyOf(films);
        if (films.isEmpty()) {
            throw new IllegalArgumentException("a result is about at least one film");
        }
    }

    /** A film's result. */
    public ResultReport(String resultId, boolean urgent, String modelName, String modelVersion, Instant observedAt,
                        List<LabelResult> labels, AlertSummary alert, OriginalFilm film) {
        this(resultId, urgent, modelName, modelVersion, observedAt, labels, alert, List.of(film), null);
    }

    /** The film that names the result's study, patient and accession number (the first film of a study). */
    public OriginalFilm film() {
        return films.get(0);
    }

    public boolean studyLevel() {
        return studyVersion != null;
    }
}
