package org.triage.trainer.data;

/** A dataset on disk does not have the expected layout or content; the message says what and where. */
public final class DatasetFormatException extends RuntimeException {
    public DatasetFormatException(String message) {
        super(message);
    }

    public DatasetFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
