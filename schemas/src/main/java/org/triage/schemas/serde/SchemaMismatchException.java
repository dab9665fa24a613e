package org.triage.schemas.serde;

/**
 * The record cannot be read with the reader schema (writer and reader are not compatible), or a
 * record handed to a serializer does not fit the schema it claims.
 */
public class SchemaMismatchException extends AvroSerdeException {
    public SchemaMismatchException(String message) {
        super(message);
    }

    public SchemaMismatchException(String message, Throwable cause) {
        super(message, cause);
    }
}
