package org.triage.trainer.model;

import ai.djl.ndarray.NDArray;

/**
 * The loss of eq. 9-10:
 * <pre>
 *   L = 1/N sum_x 1/S sum_{p in P(x)} sum_{n in N(x)} max(D, 0)
 *   D = delta - beta*E + d_p^alpha * log10(e^{d_p}) - d_n^alpha * log10(e^{d_n}),  E = floor(epoch/10)
 * </pre>
 * where d_c is the distance of image x to class c's projected vector, P(x) its positive and
 * N(x) its negative seen classes, S the number of seen classes.
 *
 * <p>log10(e^d) = d*log10(e), so each term is g(d) = log10(e) * d^(alpha+1); computing it that
 * way avoids exp overflow and keeps the gradient (alpha+1) d^alpha log10(e) finite at d = 0 for
 * every alpha >= 0 (alpha = 0 gives the plain hinge on d).
 *
 * @param alpha exponent (paper: 2)
 * @param beta  margin decay per 10 epochs (paper: 0.03)
 * @param delta initial margin (not given in the paper; a parameter, recorded in config.json)
 */
public record CmDmlLoss(float alpha, float beta, float delta) {
    public static final float LOG10_E = (float) Math.log10(Math.E);

    public CmDmlLoss {
        if (alpha < 0) {
            throw new IllegalArgumentException("alpha must be >= 0, got " + alpha);
        }
    }

    /** delta - beta * floor(epoch / 10); epoch counts from 0. */
    public float margin(int epoch) {
        return delta - beta * Math.floorDiv(epoch, 10);
    }

    /** g(d) = d^alpha * log10(e^d). */
    public NDArray weighted(NDArray d) {
        return d.pow(alpha + 1f).mul(LOG10_E);
    }

    /**
     * @param distances N x S distances to the seen classes
     * @param positives N x S, 1 where the class is a label of the image, else 0
     * @return the scalar loss
     */
    public NDArray compute(NDArray distances, NDArray positives, int epoch) {
        long n = distances.getShape().get(0);
        long s = distances.getShape().get(1);
        NDArray g = weighted(distances);
        // D[i, p, q] = margin + g[i, p] - g[i, q], kept only where p is positive and q negative.
        NDArray pairs = g.expandDims(2).sub(g.expandDims(1)).add(margin(epoch));
        NDArray negatives = positives.neg().add(1f);
        NDArray mask = positives.expandDims(2).mul(negatives.expandDims(1));
        return pairs.maximum(0f).mul(mask).sum().div((float) (n * s));
    }
}
