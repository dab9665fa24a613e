package org.triage.stream.alerting;

import java.util.List;
import org.triage.events.Alert;
import org.triage.events.AlertType;
import org.triage.events.Severity;

/**
 * A film far from every prototype (its nearest distance at least {@code threshold} times the
 * recent median) raises one NOVELTY alert, once enough films have been scored to know the median.
 */
public final class NoveltyRule implements AlertRule {
    private final double threshold;
    private final Severity severity;

    public NoveltyRule(double threshold, Severity severity) {
        this.threshold = threshold;
        this.severity = severity;
    }

    @Override
    public List<Alert> alerts(ScoredFilm film) {
        if (!Float.isFinite(film.noveltyRef()) || film.novelty() < threshold) {
            return List.of();
        }
        return List.of(Alerts.of(film, AlertType.NOVELTY, null, film.novelty(), (float) threshold, severity, false));
    }
}
