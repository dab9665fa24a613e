package org.triage.schemas.serde;

/** The record ends before its header or its Avro body is complete. */
public class TruncatedPayloadException extends AvroSerdeException {
    public TruncatedPayloadException(String message) {
        super(message);
    }

    public TruncatedPayloadException(String message, Throwable cause) {
        super(message, cause);
    }
}
