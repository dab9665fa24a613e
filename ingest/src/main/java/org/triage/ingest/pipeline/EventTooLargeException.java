package org.triage.ingest.pipeline;

/**
 * The event is larger than the configured maximum: a property of this input, not a Kafka
 * failure, so the sender is told it failed for good (and the original goes to the DLQ) instead
 * of being asked to retry something that can never fit.
 */
public final class EventTooLargeException extends PublishException {
    private final long size;
    private final long max;

    public EventTooLargeException(long size, long max) {
        super(String.format("event of %.2f MiB is over the configured maximum of %.2f MiB (--max-event-mb): lower --max-side, "
                + "or use --reference-dir so the image travels by reference", size / 1048576.0, max / 1048576.0), null);
        this.size = size;
        this.max = max;
    }

    public long size() {
        return size;
    }

    public long max() {
        return max;
    }
}
