package org.triage.stream.study;

import org.triage.events.ModelRef;

/**
 * The key a study's films are grouped under and its result is published with: the study and the model that scored
 * it, since a study scored again by a new model is a new result, not a new version of the old one.
 */
public final class StudyGroupKey {
    private StudyGroupKey() {
    }

    public static String of(String studyInstanceUid, ModelRef model) {
        return studyInstanceUid + "|" + model.getName() + ":" + model.getVersion();
    }
}
