package org.triage.ingest.pipeline;

/**
 * Outcome of one instance. {@code status} is a DICOM status (0x0000 success); {@code sopInstanceUid} and
 * {@code sopClassUid} may be null when the input could not be parsed far enough to know them.
 */
public record IngestResult(int status, String sopInstanceUid, String sopClassUid, String error) {
    public boolean ok() {
        return status == 0;
    }
}
