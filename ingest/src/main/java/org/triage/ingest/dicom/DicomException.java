package org.triage.ingest.dicom;

/** Input that is not acceptable DICOM (malformed, over a limit, or not decodable). The message is safe to show. */
public class DicomException extends Exception {
    /** DICOM status a storage SCP should return for this failure. */
    private final int status;

    public DicomException(String message) {
        this(message, Status.CANNOT_UNDERSTAND);
    }

    public DicomException(String message, int status) {
        super(message);
        this.status = status;
    }

    public DicomException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    public int status() {
        return status;
    }

    /** DIMSE status codes used by ingest (PS3.4 Annex B, PS3.7 Annex C). */
    public static final class Status {
        public static final int SUCCESS = 0x0000;
        public static final int SOP_CLASS_NOT_SUPPORTED = 0x0122;
        /** Refused: not authorized (PS3.7 C.4): the site's de-identification policy does not let this instance in. */
        public static final int NOT_AUTHORIZED = 0x0124;
        public static final int PROCESSING_FAILURE = 0x0110;
        public static final int OUT_OF_RESOURCES = 0xA700;
        public static final int DATASET_DOES_NOT_MATCH = 0xA900;
        public static final int CANNOT_UNDERSTAND = 0xC000;
        public static final int TRANSFER_SYNTAX_NOT_SUPPORTED = 0xC122;

        private Status() {
        }
    }
}
