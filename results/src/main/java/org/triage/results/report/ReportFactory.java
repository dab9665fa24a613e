package org.triage.results.report;

import java.util.List;
import org.triage.events.Alert;
import org.triage.events.Finding;
import org.triage.events.LabelScore;

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

    private static List<LabelResult> labels(List<LabelScore> scores) {
        return scores.stream()
                .map(s -> new LabelResult(s.getLabelId(), s.getScore(), s.getDistance(),
                        s.getThreshold() == null ? null : s.getThreshold().doubleValue(), s.getAboveThreshold(), s.getRank()))
                .toList();
    }
}
