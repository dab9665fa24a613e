package org.triage.alerts.view;

/** Where an alert stands, derived from its actions (see {@link AlertView} for the rules). */
public enum AlertState {
    OPEN,
    ACKNOWLEDGED,
    RESOLVED
}
