package org.triage.alerts.kafka;

import java.util.concurrent.CompletableFuture;
import org.triage.events.AlertAction;

/** Where the API records actions: the {@code alert-actions} topic in production. */
public interface ActionSink {
    /** Completes when the action is durably recorded (acks=all), exceptionally when it could not be. */
    CompletableFuture<Void> publish(AlertAction action);
}
