package org.triage.ingest.pipeline;

/**
 * Outcome of one instance. {@code status} is a DICOM status (0x0000 success). {@code sopInstanceUid} is the Kafka key:
 * the replacement UID events carry, never the sender's. {@code senderSopInstanceUid} is the UID as the sender sent it,
 * for the answer to that sender only (STOW-RS's ReferencedSOPInstanceUID). Any of the UIDs may be null when the input
 * could not be parsed far enough to know them.
 */
public record IngestResult(int status, String sopInstanceUid, String sopClassUid, String error, String senderSopInstanceUid) {
    public boolean ok() {
        return status == 0;
    }
}
