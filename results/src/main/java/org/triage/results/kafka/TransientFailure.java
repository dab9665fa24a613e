package org.triage.results.kafka;

/**
 * A record could not be handled for a reason that passes (schema registry, re-identification store or the DLQ's broker unavailable):
 * it is read again after a pause, never dead-lettered, so an outage of our own infrastructure loses nothing.
 */
public final class TransientFailure extends Exception {
    private final String causeTag;

    public TransientFailure(String causeTag, Throwable error) {
        super(causeTag + ": " + error.getClass().getSimpleName(), error);
        this.causeTag = causeTag;
    }

    /** A bounded name for metrics: {@code registry}, {@code reid-store} or {@code kafka-dlq}. */
    public String causeTag() {
        return causeTag;
    }
}
