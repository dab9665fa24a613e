package org.triage.schemas.kafka;

/**
 * A Kafka client configuration the user gave cannot be used (missing file, unreadable, bad entry).
 * An IllegalArgumentException so that commands which already print those as one line keep doing so.
 */
public final class KafkaConfigException extends IllegalArgumentException {
    public KafkaConfigException(String message) {
        super(message);
    }

    public KafkaConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
