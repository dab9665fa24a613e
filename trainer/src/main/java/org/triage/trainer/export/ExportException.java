package org.triage.trainer.export;

/** A model cannot be exported as asked; the message names the block path or file and the problem. */
public class ExportException extends RuntimeException {
    public ExportException(String message) {
        super(message);
    }

    public ExportException(String message, Throwable cause) {
        super(message, cause);
    }
}
