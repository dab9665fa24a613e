package org.triage.trainer.retrain;

import java.util.Set;

/**
 * A radiograph with a radiologist's confirmation, its image already on disk.
 *
 * @param imageId  file name (without .png) in the dataset's images folder
 * @param patient  the patient pseudonym (a keyed hash, never the patient id)
 * @param positives confirmed present labels that are known prototypes
 */
public record ConfirmedFilm(String sopInstanceUid, String imageId, String patient, Set<String> positives) {
    public ConfirmedFilm {
        positives = Set.copyOf(positives);
    }
}
