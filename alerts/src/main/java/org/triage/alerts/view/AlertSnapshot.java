package org.triage.alerts.view;

import java.util.List;
import org.triage.events.Alert;
import org.triage.events.AlertAction;

/**
 * An immutable picture of one alert at a moment: the alert as raised, its state and the actions
 * taken on it, oldest first. Handed to HTTP handlers, the SSE hub and webhooks, so none of
 * them can see the view change under them.
 *
 * @param alert     the alert event (do not mutate: Avro records are mutable)
 * @param state     current state
 * @param escalated whether anyone escalated it
 * @param actions   actions applied, in the order they were folded in
 * @param updatedAt epoch millis of the last applied action, or the alert's creation time
 */
public record AlertSnapshot(Alert alert, AlertState state, boolean escalated, List<AlertAction> actions, long updatedAt) {
    public AlertSnapshot {
        actions = List.copyOf(actions);
    }

    public String id() {
        return alert.getAlertId();
    }

    public long createdAtMillis() {
        return alert.getCreatedAt().toEpochMilli();
    }
}
