package org.triage.results.kafka;

/**
 * A record could not be handled for a reason that passes (schema registry, re-identification store or the DLQ's broker unavailable):
 * it is read again after a pause, never dead-lettered, so an outage of our own infrastructure loses nothing.
 */
public final class TransientFailure extends Exception {
    private final String cause;

    public TransientFailure(String cause, Throwable error) {
        super(cause + ": " + error.getClass().getSimpleName(), error);
        this.cause = cause;
    }

    /** A bounded name for metrics: {@code registry}, {@code reid-store} or {@code kafka-dlq}. */
    public String causeTag() {
        return cause;
    }
}
