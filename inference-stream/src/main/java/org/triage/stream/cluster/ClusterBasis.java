package org.triage.stream.cluster;

/** Which films the batcher sends to the clusterer, and which cluster centres may raise NOVELTY_CLUSTER ({@link Explanation}). */
public enum ClusterBasis {
    /**
     * Films that no active label explains: not within any label's threshold in force (times the explained margin),
     * nor, for a label without a threshold, closer than the NOVELTY rule's distance. Meant for a new class that lies
     * between known ones (not NOVELTY: some prototype is near) when the labels fire on their own films; where they
     * miss many of them, those misses are unexplained too and cluster (measured on the demo's model: README).
     */
    UNEXPLAINED,
    /** NOVELTY films only (nearest prototype at least --novelty-threshold x the reference away); thresholds are not consulted. The default. */
    NOVELTY
}
