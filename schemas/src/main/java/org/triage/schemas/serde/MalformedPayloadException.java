package org.triage.schemas.serde;

/**
 * The bytes after the wire-format header are not valid Avro for the writer schema they name
 * (invalid varint or boolean, a length larger than the record, bytes left over after the record).
 */
public class MalformedPayloadException extends AvroSerdeException {
    public MalformedPayloadException(String message, Throwable cause) {
        super(message, cause);
    }
}
