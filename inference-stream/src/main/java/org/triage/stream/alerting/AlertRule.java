package org.triage.stream.alerting;

import java.util.List;
import org.triage.events.Alert;

/**
 * Decides the alerts one scored film raises. A rule is pure (no state, no I/O) so it can be
 * tested on its own, and ids are deterministic so a replay raises the same alerts.
 */
public interface AlertRule {
    List<Alert> alerts(ScoredFilm film);
}
