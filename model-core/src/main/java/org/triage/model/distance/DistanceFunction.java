package org.triage.model.distance;

/**
 * Distances of the paper (eq. 1-7) on plain float vectors, for scoring in the stream.
 * The trainer's NDArray versions (for autograd, {@code org.triage.trainer.model.NdDistances})
 * must agree with these; a test holds them equal. Smaller distance = more similar.
 *
 * <p>Numerical safety: {@link #EPS} is added inside every square root and every denominator,
 * identically here and in the trainer, so identical vectors give a finite distance (about
 * sqrt(EPS)) and finite gradients, and the two implementations agree bit-for-bit in intent.
 *
 * <ul>
 *   <li>weighted-euclidean (eq. 1-3): w_i = (r/2)|x_i-y_i|^2, W = sum w_i,
 *       d = sqrt(sum_i (w_i/W)(x_i-y_i)^2). r cancels, so d = sqrt(sum t_i^4 / (sum t_i^2 + EPS) + EPS),
 *       t = x - y; the weights are functions of the inputs and receive gradient (the paper
 *       defines the distance as this function, with no stop-gradient).</li>
 *   <li>euclidean (eq. 4): sqrt(sum t_i^2 + EPS)</li>
 *   <li>manhattan (eq. 5): sum |t_i|</li>
 *   <li>chebyshev (eq. 6): max |t_i|</li>
 *   <li>lance-williams (eq. 7): sum |x_i - y_i| / (sum (|x_i| + |y_i|) + EPS); the aggregate
 *       (Bray-Curtis) form of Lance and Williams, bounded in [0,1] and defined for the signed
 *       coordinates of an embedding, unlike the per-coordinate Canberra form.</li>
 * </ul>
 */
public enum DistanceFunction {
    WEIGHTED_EUCLIDEAN("weighted-euclidean"),
    EUCLIDEAN("euclidean"),
    MANHATTAN("manhattan"),
    CHEBYSHEV("chebyshev"),
    LANCE_WILLIAMS("lance-williams");

    /** Added inside square roots and to denominators; shared with the trainer's NDArray versions. */
    public static final float EPS = 1e-12f;

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
        if (x.length != y.length) {
            throw new IllegalArgumentException("vectors differ in dimension: " + x.length + " vs " + y.length);
        }
        // Accumulate in double: the stream compares distances across labels, so rounding noise
        // in a 100-term sum should not reorder near-ties; the trainer's float32 agrees to ~1e-6.
        switch (this) {
            case WEIGHTED_EUCLIDEAN: {
                double s2 = 0, s4 = 0;
                for (int i = 0; i < x.length; i++) {
                    double t = (double) x[i] - y[i];
                    double t2 = t * t;
                    s2 += t2;
                    s4 += t2 * t2;
                }
                return (float) Math.sqrt(s4 / (s2 + EPS) + EPS);
            }
            case EUCLIDEAN: {
                double s2 = 0;
                for (int i = 0; i < x.length; i++) {
                    double t = (double) x[i] - y[i];
                    s2 += t * t;
                }
                return (float) Math.sqrt(s2 + EPS);
            }
            case MANHATTAN: {
                double s = 0;
                for (int i = 0; i < x.length; i++) {
                    s += Math.abs((double) x[i] - y[i]);
                }
                return (float) s;
            }
            case CHEBYSHEV: {
                double m = 0;
                for (int i = 0; i < x.length; i++) {
                    m = Math.max(m, Math.abs((double) x[i] - y[i]));
                }
                return (float) m;
            }
            case LANCE_WILLIAMS: {
                double num = 0, den = 0;
                for (int i = 0; i < x.length; i++) {
                    num += Math.abs((double) x[i] - y[i]);
                    den += Math.abs((double) x[i]) + Math.abs((double) y[i]);
                }
                return (float) (num / (den + EPS));
            }
            default:
                throw new AssertionError(this);
        }
    }

    /** Distances from one vector to each of several (the stream's per-label scoring). */
    public float[] computeAll(float[] x, float[][] ys) {
        float[] out = new float[ys.length];
        for (int j = 0; j < ys.length; j++) {
            out[j] = compute(x, ys[j]);
        }
        return out;
    }
}
