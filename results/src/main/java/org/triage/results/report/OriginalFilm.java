package org.triage.results.report;

/**
 * What a film was before ingest de-identified it, from the re-identification store. Holds PHI: it goes into the
 * deliveries and nowhere else (never a log line, a metric tag or a Kafka record); {@link #replacementSopInstanceUid}
 * is what logs may name.
 */
public record OriginalFilm(String replacementSopInstanceUid, String studyInstanceUid, String seriesInstanceUid,
                           String sopInstanceUid, String accessionNumber, String patientId, String issuerOfPatientId,
                           String sopClassUid) {
    /** A film whose SOP Class UID is not known (stored before ingest kept it): named by UIDs, not as an image reference. */
    public OriginalFilm(String replacementSopInstanceUid, String studyInstanceUid, String seriesInstanceUid, String sopInstanceUid,
                        String accessionNumber, String patientId, String issuerOfPatientId) {
        this(replacementSopInstanceUid, studyInstanceUid, seriesInstanceUid, sopInstanceUid, accessionNumber, patientId, issuerOfPatientId, null);
    }
}
