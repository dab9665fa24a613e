package org.triage.ingest.pipeline;

import org.triage.events.RadiographEvent;

/** Where ingest puts accepted events and rejected input. */
public interface EventSink extends AutoCloseable {
    /** Publishes and returns only once the event is durably acknowledged; returns the bytes published (the record value). */
    int publish(String key, RadiographEvent event) throws PublishException;

    /**
     * Records rejected input with its cause. {@code original} is the input as received, PHI included: a sink
     * that leaves the process must not publish it (KafkaSink quarantines it and publishes a pointer).
     * Returns false when even that failed (the caller then reports a failure to the sender, who keeps the data).
     */
    boolean deadLetter(String key, byte[] original, String error, String stage, String source);

    @Override
    void close();
}
