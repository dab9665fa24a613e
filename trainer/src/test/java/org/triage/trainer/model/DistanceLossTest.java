package org.triage.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.triage.model.distance.DistanceFunction;

class DistanceLossTest {

    private static float[][] random(Random r, int n, int k) {
        float[][] a = new float[n][k];
        for (float[] row : a) {
            for (int i = 0; i < k; i++) {
                row[i] = (float) r.nextGaussian();
            }
        }
        return a;
    }

    private static float[] flat(float[][] a) {
        float[] f = new float[a.length * a[0].length];
        for (int i = 0; i < a.length; i++) {
            System.arraycopy(a[i], 0, f, i * a[0].length, a[0].length);
        }
        return f;
    }

    @Test
    void ndArrayDistancesEqualTheStreamsFloatDistances() {
        Random r = new Random(3);
        float[][] a = random(r, 4, 7);
        float[][] b = random(r, 3, 7);
        b[2] = a[1].clone(); // an exact match: d near 0
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray na = m.create(flat(a), new Shape(4, 7));
            NDArray nb = m.create(flat(b), new Shape(3, 7));
            for (DistanceFunction fn : DistanceFunction.values()) {
                float[] d = NdDistances.pairwise(fn, na, nb).toFloatArray();
                for (int i = 0; i < 4; i++) {
                    for (int j = 0; j < 3; j++) {
                        float expected = fn.compute(a[i], b[j]);
                        assertEquals(expected, d[i * 3 + j], 1e-5 + 1e-5 * Math.abs(expected), fn + " at " + i + "," + j);
                    }
                }
            }
        }
    }

    /** Analytic gradient (autograd, float64) against central finite differences of the same function. */
    private static void checkGradient(NDManager m, double[] x, Shape shape, Function<NDArray, NDArray> f, String what) {
        NDArray in = m.create(x, shape);
        in.setRequiresGradient(true);
        double[] grad;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray y = f.apply(in);
            gc.backward(y);
        }
        grad = in.getGradient().toDoubleArray();
        double h = 1e-6;
        for (int i = 0; i < x.length; i++) {
            double[] plus = x.clone();
            double[] minus = x.clone();
            plus[i] += h;
            minus[i] -= h;
            double fp = f.apply(m.create(plus, shape)).toDoubleArray()[0];
            double fm = f.apply(m.create(minus, shape)).toDoubleArray()[0];
            double numeric = (fp - fm) / (2 * h);
            assertTrue(Double.isFinite(grad[i]), what + ": gradient " + i + " is " + grad[i]);
            assertEquals(numeric, grad[i], 1e-5 + 1e-4 * Math.abs(numeric), what + ": d/dx" + i);
        }
    }

    @Test
    void distanceGradientsMatchFiniteDifferences() {
        Random r = new Random(5);
        double[] x = new double[2 * 5];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextGaussian();
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray others = m.create(new double[] {0.3, -1.2, 0.5, 2.0, -0.7, 1.1, 0.4, -0.2, 0.9, 0.05}, new Shape(2, 5));
            for (DistanceFunction fn : DistanceFunction.values()) {
                checkGradient(m, x, new Shape(2, 5), a -> NdDistances.pairwise(fn, a, others).sum(), fn.id());
            }
        }
    }

    @Test
    void noNanAtZeroDistanceInValueOrGradient() {
        try (NDManager m = NDManager.newBaseManager()) {
            double[] v = {0.5, -1.0, 2.0};
            for (DistanceFunction fn : DistanceFunction.values()) {
                NDArray a = m.create(v, new Shape(1, 3));
                a.setRequiresGradient(true);
                NDArray b = m.create(v, new Shape(1, 3));
                NDArray d;
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    d = NdDistances.pairwise(fn, a, b);
                    NDArray loss = new CmDmlLoss(2, 0.03f, 1f).compute(d.concat(d.add(1.0), 1), m.create(new double[] {1, 0}, new Shape(1, 2)), 0);
                    gc.backward(loss);
                }
                assertTrue(d.toDoubleArray()[0] < 1e-5, fn + " distance " + d.toDoubleArray()[0]);
                for (double g : a.getGradient().toDoubleArray()) {
                    assertTrue(Double.isFinite(g), fn + " gradient " + g);
                }
            }
        }
    }

    @Test
    void lossMatchesHandComputedValue() {
        // One image, S = 3 seen classes, positive {0}, negatives {1, 2}; alpha = 2, beta = 0.03, delta = 1, epoch 25 -> E = 2.
        // g(d) = log10(e) * d^3; D_pn = 1 - 0.06 + g(d_p) - g(d_n)
        double lg = Math.log10(Math.E);
        double[] d = {0.5, 0.8, 2.0};
        double margin = 1 - 0.03 * 2;
        double d01 = Math.max(0, margin + lg * Math.pow(0.5, 3) - lg * Math.pow(0.8, 3));
        double d02 = Math.max(0, margin + lg * Math.pow(0.5, 3) - lg * Math.pow(2.0, 3));
        double expected = (d01 + d02) / 3.0;
        try (NDManager m = NDManager.newBaseManager()) {
            CmDmlLoss loss = new CmDmlLoss(2, 0.03f, 1f);
            assertEquals(margin, loss.margin(25), 1e-6);
            NDArray l = loss.compute(m.create(d, new Shape(1, 3)), m.create(new double[] {1, 0, 0}, new Shape(1, 3)), 25);
            assertEquals(expected, l.toDoubleArray()[0], 1e-6);
            // the N average: two identical images give the same loss
            NDArray l2 = loss.compute(m.create(new double[] {0.5, 0.8, 2.0, 0.5, 0.8, 2.0}, new Shape(2, 3)),
                    m.create(new double[] {1, 0, 0, 1, 0, 0}, new Shape(2, 3)), 25);
            assertEquals(expected, l2.toDoubleArray()[0], 1e-6);
            assertEquals(DataType.FLOAT64, l2.getDataType());
        }
    }

    @Test
    void lossGradientMatchesFiniteDifferences() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray pos = m.create(new double[] {1, 0, 1, 0, 0, 1, 0, 0}, new Shape(2, 4));
            for (float alpha : new float[] {0, 1, 2, 3}) {
                CmDmlLoss loss = new CmDmlLoss(alpha, 0.03f, 0.5f);
                double[] d = {0.3, 0.9, 1.4, 0.2, 1.1, 0.6, 0.75, 1.6};
                checkGradient(m, d, new Shape(2, 4), x -> loss.compute(x, pos, 3), "loss alpha=" + alpha);
            }
        }
    }
}
