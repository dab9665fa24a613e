package org.triage.results.report;

import java.io.IOException;
import java.util.Optional;
import org.triage.ingest.deid.ReidentificationStore;

/** Maps a film's replacement SOP Instance UID back to its originals through ingest's re-identification store. */
public final class Reidentifier {
    private final ReidentificationStore store;

    public Reidentifier(ReidentificationStore store) {
        this.store = store;
    }

    /**
     * The originals of the film, or empty when the store does not know it as an instance. The store also answers for
     * study and series UIDs; a finding names an instance, so anything else is a miss rather than a guess.
     *
     * @throws IOException when the store cannot be read: an infrastructure failure, to retry, never a miss
     */
    public Optional<OriginalFilm> film(String replacementSopInstanceUid) throws IOException {
        return store.lookup(replacementSopInstanceUid)
                .filter(e -> replacementSopInstanceUid.equals(e.replacementSopInstanceUid()))
                .map(e -> new OriginalFilm(e.replacementSopInstanceUid(), e.studyInstanceUid(), e.seriesInstanceUid(),
                        e.sopInstanceUid(), e.accessionNumber(), e.patientId(), e.issuerOfPatientId(), e.sopClassUid()));
    }
}
