package org.triage.labels;

import java.util.concurrent.CompletableFuture;
import org.triage.events.ConfirmedLabels;

/** Where confirmations are recorded: the {@code labels} topic in production, a list in tests. */
public interface LabelsSink {
    /** Completes when the record is durably stored (acks=all), exceptionally when it could not be. */
    CompletableFuture<Void> publish(ConfirmedLabels confirmation);
}
