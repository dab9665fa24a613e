package org.triage.alerts.studies;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.triage.events.StudyResult;

/**
 * The latest study result of each study, for the page: keyed by study UID (the topic's key also names the model, and a
 * study scored by a new model has a result per model: the one emitted last wins, which is the model in service).
 * Bounded by entries, least recently updated out first.
 */
public final class StudyResultCache {
    public static final int DEFAULT_MAX_ENTRIES = 20_000;

    private final int maxEntries;
    private final LinkedHashMap<String, StudyResult> entries = new LinkedHashMap<>(16, 0.75f, false);
    private long evicted;

    public StudyResultCache(int maxEntries) {
        if (maxEntries < 1) throw new IllegalArgumentException("study cache bound must be positive");
        this.maxEntries = maxEntries;
    }

    /** A record of study-results; a tombstone (null) is ignored: its key names a model's result, not the study's latest. */
    public synchronized void put(String topicKey, StudyResult r) {
        if (r == null) return;
        String study = r.getStudyInstanceUid();
        StudyResult old = entries.get(study);
        if (old != null && old.getEmittedAt().isAfter(r.getEmittedAt())) return; // an older version read late
        entries.remove(study);
        entries.put(study, r);
        while (entries.size() > maxEntries) {
            entries.remove(entries.keySet().iterator().next());
            evicted++;
        }
    }

    public synchronized Optional<StudyResult> get(String studyInstanceUid) {
        return Optional.ofNullable(entries.get(studyInstanceUid));
    }

    public synchronized Map<String, Number> metrics() {
        return Map.of("study_results_cached", entries.size(), "study_results_evicted_total", evicted);
    }
}
