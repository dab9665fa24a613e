package org.triage.results.kafka;

import java.util.List;
import org.triage.schemas.Topics;

/**
 * What a routine result is delivered per. Alerts always go out per film and at once: they are why someone should
 * look now, and waiting for a study's quiet time would delay them.
 */
public enum Granularity {
    /**
     * One result per study version (study-results), as a worklist expects: a PA + lateral study is one report. A
     * film without a study UID has no study result, so its finding is delivered on its own.
     */
    STUDY(List.of(Topics.ALERTS, Topics.STUDY_RESULTS, Topics.FINDINGS)),
    /** One result per film (findings). */
    FILM(List.of(Topics.ALERTS, Topics.FINDINGS));

    private final List<String> topics;

    Granularity(List<String> topics) {
        this.topics = topics;
    }

    public List<String> topics() {
        return topics;
    }
}
