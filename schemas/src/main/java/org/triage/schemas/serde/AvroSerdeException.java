package org.triage.schemas.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * Base of every error the Avro serdes raise. It is a Kafka {@link SerializationException}, so
 * producers, consumers and Kafka Streams' deserialization handlers treat it as a bad record
 * (DLQ it with {@link #getMessage()} as the reason) rather than as a broken client.
 * Thrown directly for registry failures (unreachable, 5xx after retries, refused registration).
 */
public class AvroSerdeException extends SerializationException {
    public AvroSerdeException(String message) {
        super(message);
    }

    public AvroSerdeException(String message, Throwable cause) {
        super(message, cause);
    }
}
