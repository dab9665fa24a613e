package org.triage.results.report;

import java.util.List;
import org.triage.events.Alert;
import org.triage.events.Finding;
import org.triage.events.LabelScore;
import org.triage.events.StudyResult;

/** Turns a finding or an alert, plus the film's originals, into the {@link ResultReport} every target delivers. */
public final class ReportFactory {
    private ReportFactory() {
    }

    public static ResultReport fromFinding(Finding f, OriginalFilm film) {
        return new ResultReport(f.getFindingId(), false, f.getModel().getName(), f.getModel().getVersion(),
                f.getScoredAt(), labels(f.getLabels()), null, film);
    }

    public static ResultReport fromAlert(Alert a, OriginalFilm film) {
        AlertSummary summary = new AlertSummary(a.getType().name(), a.getLabelId(), a.getSeverity().name(),
                a.getScore(), a.getThreshold(), a.getRare());
        return new ResultReport(a.getAlertId(), true, a.getModel().getName(), a.getModel().getVersion(),
                a.getCreatedAt(), labels(a.getEvidence()), summary, film);
    }

    /** A study's result; {@code films} are the originals of its films, in the study's order. */
    public static ResultReport fromStudy(StudyResult s, List<OriginalFilm> films) {
        List<LabelResult> labels = s.getLabels().stream()
                .map(l -> new LabelResult(l.getLabelId(), l.getScore(), l.getDistance(),
                        l.getThreshold() == null ? null : l.getThreshold().doubleValue(), l.getAboveThreshold(), l.getRank()))
                .toList();
        return new ResultReport(s.getStudyResultId(), false, s.getModel().getName(), s.getModel().getVersion(), s.getEmittedAt(),
                labels, null, films, s.getVersion());
    }

    private static List<LabelResult> labels(List<LabelScore> scores) {
        return scores.stream()
                .map(s -> new LabelResult(s.getLabelId(), s.getScore(), s.getDistance(),
                        s.getThreshold() == null ? null : s.getThreshold().doubleValue(), s.getAboveThreshold(), s.getRank()))
                .toList();
    }
}
