package org.triage.ingest.dicom;

/** A protocol violation by the peer: the association is aborted with {@link #reason()}. */
public final class PduException extends Exception {
    private final int reason;

    public PduException(String message, int reason) {
        super(message);
        this.reason = reason;
    }

    /** A-ABORT reason/diag (PS3.8 9.3.8): 1 unrecognized PDU, 2 unexpected PDU, 6 invalid parameter value. */
    public int reason() {
        return reason;
    }
}
