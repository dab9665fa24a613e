package org.triage.alerts.view;

import java.time.Instant;
import java.util.Set;
import org.triage.events.AlertType;
import org.triage.events.Severity;

/**
 * Filters and paging for listing alerts. An empty set or null means "any".
 *
 * @param states     states to include
 * @param types      alert types to include
 * @param labelId    only this label
 * @param severities severities to include
 * @param since      only alerts created at or after this instant
 * @param offset     alerts to skip (newest first)
 * @param limit      maximum alerts returned
 */
public record AlertQuery(Set<AlertState> states, Set<AlertType> types, String labelId, Set<Severity> severities,
        Instant since, int offset, int limit) {
    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;

    public AlertQuery {
        states = states == null ? Set.of() : Set.copyOf(states);
        types = types == null ? Set.of() : Set.copyOf(types);
        severities = severities == null ? Set.of() : Set.copyOf(severities);
        if (offset < 0) throw new IllegalArgumentException("offset must be >= 0");
        if (limit < 1 || limit > MAX_LIMIT) throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT);
    }

    public static AlertQuery all() {
        return new AlertQuery(null, null, null, null, null, 0, DEFAULT_LIMIT);
    }

    boolean matches(AlertSnapshot s) {
        if (!states.isEmpty() && !states.contains(s.state())) return false;
        if (!types.isEmpty() && !types.contains(s.alert().getType())) return false;
        if (labelId != null && !labelId.equals(s.alert().getLabelId())) return false;
        if (!severities.isEmpty() && !severities.contains(s.alert().getSeverity())) return false;
        return since == null || s.createdAtMillis() >= since.toEpochMilli();
    }

    /** One page of results and the number of alerts that matched in all. */
    public record Page(java.util.List<AlertSnapshot> alerts, int total) {
    }
}
