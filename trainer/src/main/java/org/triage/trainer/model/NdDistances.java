package org.triage.trainer.model;

import ai.djl.ndarray.NDArray;
import org.triage.model.distance.DistanceFunction;

/**
 * The distances of {@link DistanceFunction} on NDArrays, differentiable, computed pairwise
 * between every row of {@code a} (N x K) and every row of {@code b} (C x K), giving N x C.
 * Same formulas and the same {@link DistanceFunction#EPS} as the float[] versions the stream
 * uses (a test holds them equal).
 *
 * <p>Gradients: the weighted Euclidean's weights w_i = (r/2)|x_i-y_i|^2 are part of the
 * distance function of eq. 1-3, so gradient flows through them too (no stop-gradient: the paper
 * writes none, and detaching them would train a different distance than the one evaluated).
 * With t = x - y the distance is sqrt(sum t^4 / (sum t^2 + EPS) + EPS): finite with a zero
 * gradient at t = 0, and d/dt_i = (2 t_i^3 S2 - t_i S4) / (S2^2 d) elsewhere.
 */
public final class NdDistances {
    private NdDistances() {}

    public static NDArray pairwise(DistanceFunction fn, NDArray a, NDArray b) {
        NDArray t = a.expandDims(1).sub(b.expandDims(0)); // N x C x K
        return switch (fn) {
            case WEIGHTED_EUCLIDEAN -> {
                NDArray t2 = t.square();
                NDArray s2 = t2.sum(new int[] {2});
                NDArray s4 = t2.square().sum(new int[] {2});
                yield s4.div(s2.add(DistanceFunction.EPS)).add(DistanceFunction.EPS).sqrt();
            }
            case EUCLIDEAN -> t.square().sum(new int[] {2}).add(DistanceFunction.EPS).sqrt();
            case MANHATTAN -> t.abs().sum(new int[] {2});
            case CHEBYSHEV -> t.abs().max(new int[] {2});
            case LANCE_WILLIAMS -> {
                NDArray num = t.abs().sum(new int[] {2});
                NDArray den = a.abs().sum(new int[] {1}).expandDims(1).add(b.abs().sum(new int[] {1}).expandDims(0));
                yield num.div(den.add(DistanceFunction.EPS));
            }
        };
    }
}
