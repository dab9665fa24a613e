package org.triage.stream.alerting;

import java.util.ArrayList;
import java.util.List;
import org.triage.events.Alert;
import org.triage.events.AlertType;
import org.triage.events.LabelPrototype;
import org.triage.events.LabelScore;
import org.triage.events.PrototypeKind;
import org.triage.stream.topology.ActivePrototype;

/**
 * A film within a label's threshold: one alert per (film, label), whatever else is true of it.
 * An unseen label raises UNSEEN_CLASS; a seen label raises RARE_FINDING when its policy marks it
 * rare, and nothing otherwise (seen, common findings are the worklist's business, not an alert's).
 * Rarity and severity are attributes of that one alert, never a second alert for the same fact.
 */
public final class LabelMatchRule implements AlertRule {
    @Override
    public List<Alert> alerts(ScoredFilm film) {
        List<Alert> out = new ArrayList<>();
        for (LabelScore ls : film.scored().labels()) {
            if (!ls.getAboveThreshold()) {
                continue;
            }
            ActivePrototype ap = film.prototypes().get(ls.getLabelId());
            if (ap == null) {
                continue;
            }
            LabelPrototype p = ap.prototype();
            boolean rare = p.getAlertPolicy() != null && p.getAlertPolicy().getRare();
            AlertType type = ls.getKind() == PrototypeKind.UNSEEN ? AlertType.UNSEEN_CLASS : rare ? AlertType.RARE_FINDING : null;
            if (type != null) {
                out.add(Alerts.of(film, type, ls.getLabelId(), ls.getDistance(), ls.getThreshold(), p.getSeverity(), rare));
            }
        }
        return out;
    }
}
