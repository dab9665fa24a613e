package org.triage.model.distance;

/**
 * Distances of the paper (eq. 1-7) on plain float vectors, for scoring in the stream.
 * The trainer's NDArray versions (for autograd) must agree with these; a test holds them equal.
 */
public enum DistanceFunction {
    WEIGHTED_EUCLIDEAN("weighted-euclidean"),
    EUCLIDEAN("euclidean"),
    MANHATTAN("manhattan"),
    CHEBYSHEV("chebyshev"),
    LANCE_WILLIAMS("lance-williams");

    private final String id;

    DistanceFunction(String id) {
        this.id = id;
    }

    /** The name used in manifests, releases and flags. */
    public String id() {
        return id;
    }

    public static DistanceFunction fromId(String id) {
        for (DistanceFunction d : values()) {
            if (d.id.equalsIgnoreCase(id) || d.name().equalsIgnoreCase(id)) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown distance '" + id + "'; expected one of weighted-euclidean, euclidean, manhattan, chebyshev, lance-williams");
    }

    public float compute(float[] x, float[] y) {
        throw new UnsupportedOperationException("TODO");
    }
}
