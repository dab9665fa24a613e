package org.triage.model.distance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DistanceFunctionTest {
    // x - y = (3, -4, 0): squares 9, 16, 0; fourth powers 81, 256, 0.
    private final float[] x = {4f, -1f, 2f};
    private final float[] y = {1f, 3f, 2f};

    @Test
    void handComputedValues() {
        assertEquals(Math.sqrt(337.0 / 25.0), DistanceFunction.WEIGHTED_EUCLIDEAN.compute(x, y), 1e-5);
        assertEquals(5.0, DistanceFunction.EUCLIDEAN.compute(x, y), 1e-6);
        assertEquals(7.0, DistanceFunction.MANHATTAN.compute(x, y), 1e-6);
        assertEquals(4.0, DistanceFunction.CHEBYSHEV.compute(x, y), 1e-6);
        // |x|+|y| sums: 5 + 4 + 4 = 13
        assertEquals(7.0 / 13.0, DistanceFunction.LANCE_WILLIAMS.compute(x, y), 1e-6);
    }

    @Test
    void weightedEuclideanFollowsEquationOneToThreeWithExplicitWeights() {
        float r = 1f;
        double[] w = new double[x.length];
        double total = 0;
        for (int i = 0; i < x.length; i++) {
            w[i] = r / 2 * Math.pow(Math.abs(x[i] - y[i]), 2);
            total += w[i];
        }
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += w[i] / total * Math.pow(x[i] - y[i], 2);
        }
        assertEquals(Math.sqrt(s), DistanceFunction.WEIGHTED_EUCLIDEAN.compute(x, y), 1e-5);
    }

    @Test
    void identicalVectorsGiveFiniteNearZeroDistance() {
        for (DistanceFunction d : DistanceFunction.values()) {
            float v = d.compute(x, x);
            assertTrue(Float.isFinite(v) && v >= 0 && v < 1e-5, d + " gave " + v);
        }
        float[] zero = new float[3];
        assertTrue(Float.isFinite(DistanceFunction.LANCE_WILLIAMS.compute(zero, zero)));
    }

    @Test
    void idsRoundTripAndMismatchIsAnError() {
        for (DistanceFunction d : DistanceFunction.values()) {
            assertEquals(d, DistanceFunction.fromId(d.id()));
        }
        assertThrows(IllegalArgumentException.class, () -> DistanceFunction.fromId("cosine"));
        assertThrows(IllegalArgumentException.class, () -> DistanceFunction.EUCLIDEAN.compute(x, new float[2]));
    }
}
