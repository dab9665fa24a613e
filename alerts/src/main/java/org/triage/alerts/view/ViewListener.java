package org.triage.alerts.view;

/**
 * Told about every change to the view, on the consumer thread, after the change is visible.
 * Implementations must return quickly (hand work to their own queue): a slow listener would stall
 * the consumer.
 */
public interface ViewListener {
    /**
     * An alert the view had not seen before.
     *
     * @param live false while the service is still replaying history at start-up
     */
    void onNewAlert(AlertSnapshot alert, boolean live);

    /** An action changed an alert (its state, escalation or history). */
    void onAlertChanged(AlertSnapshot alert, boolean live);

    /** The start-up replay has caught up; {@code view} holds the replayed state. */
    default void onCaughtUp(AlertView view) {
    }
}
