package org.triage.labels.csv;

/** The file as a whole cannot be read as a labels import (missing, not UTF-8, wrong header, no rows). */
public final class MalformedFileException extends Exception {
    public MalformedFileException(String message) {
        super(message);
    }
}
