package org.triage.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The control's replacement vectors: what each kind keeps of the class vectors and what it destroys. */
class ControlVectorsTest {
    private static List<float[]> seen(int n, int d, long seed) {
        Random r = new Random(seed);
        List<float[]> out = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            float[] v = new float[d];
            for (int i = 0; i < d; i++) {
                v[i] = (float) (r.nextGaussian() * 0.5 + (i % 3));
            }
            out.add(v);
        }
        return out;
    }

    @Test
    void permutedKeepsTheValuesAndTheNorm() {
        float[] v = seen(1, 50, 1).get(0);
        float[] p = Evaluator.permuted(v, new Random(3));
        float[] a = v.clone();
        float[] b = p.clone();
        Arrays.sort(a);
        Arrays.sort(b);
        assertArrayEquals(a, b);
    }

    /** A seen-gaussian draw is mean + a combination of the seen vectors' deviations: it lies in their affine span. */
    @Test
    void seenGaussianLiesInTheAffineSpanOfTheSeenVectors() {
        List<float[]> s = seen(4, 40, 2);
        float[] x = Evaluator.seenGaussian(s, new Random(5));
        // least squares of (x - s0) on (s_k - s0), k = 1..3; the residual must vanish
        int d = 40;
        double[][] basis = new double[3][d];
        double[] y = new double[d];
        for (int i = 0; i < d; i++) {
            y[i] = x[i] - s.get(0)[i];
            for (int k = 0; k < 3; k++) {
                basis[k][i] = s.get(k + 1)[i] - s.get(0)[i];
            }
        }
        double[][] g = new double[3][4];
        for (int a = 0; a < 3; a++) {
            for (int b = 0; b < 3; b++) {
                for (int i = 0; i < d; i++) {
                    g[a][b] += basis[a][i] * basis[b][i];
                }
            }
            for (int i = 0; i < d; i++) {
                g[a][3] += basis[a][i] * y[i];
            }
        }
        for (int c = 0; c < 3; c++) { // Gauss-Jordan
            int p = c;
            for (int r = c + 1; r < 3; r++) {
                if (Math.abs(g[r][c]) > Math.abs(g[p][c])) {
                    p = r;
                }
            }
            double[] t = g[c];
            g[c] = g[p];
            g[p] = t;
            for (int r = 0; r < 3; r++) {
                if (r != c) {
                    double f = g[r][c] / g[c][c];
                    for (int q = c; q < 4; q++) {
                        g[r][q] -= f * g[c][q];
                    }
                }
            }
        }
        double res = 0;
        double ny = 0;
        for (int i = 0; i < d; i++) {
            double fit = 0;
            for (int k = 0; k < 3; k++) {
                fit += g[k][3] / g[k][k] * basis[k][i];
            }
            res += (y[i] - fit) * (y[i] - fit);
            ny += y[i] * y[i];
        }
        assertEquals(0, Math.sqrt(res / ny), 1e-4);
    }

    @Test
    void seenAnalogyIsASumOfTwoSeenVectorsMinusAThird() {
        List<float[]> s = seen(5, 10, 4);
        float[] x = Evaluator.seenAnalogy(s, new Random(2));
        boolean found = false;
        for (int a = 0; a < 5; a++) {
            for (int b = 0; b < 5; b++) {
                for (int c = 0; c < 5; c++) {
                    if (a != b && b != c && a != c) {
                        float[] y = new float[10];
                        for (int i = 0; i < 10; i++) {
                            y[i] = s.get(a)[i] + s.get(b)[i] - s.get(c)[i];
                        }
                        found |= Arrays.equals(x, y);
                    }
                }
            }
        }
        assertEquals(true, found);
        int[] d = Evaluator.derangement(4, new Random(1));
        for (int i = 0; i < 4; i++) {
            assertEquals(true, d[i] != i);
        }
    }

    @Test
    void seenGaussianIsSeededAndNeedsTwoSeenVectors() {
        List<float[]> s = seen(5, 20, 3);
        assertArrayEquals(Evaluator.seenGaussian(s, new Random(9)), Evaluator.seenGaussian(s, new Random(9)));
        assertThrows(IllegalArgumentException.class, () -> Evaluator.seenGaussian(s.subList(0, 1), new Random(1)));
        assertEquals(Evaluator.ControlKind.SEEN_GAUSSIAN, Evaluator.ControlKind.fromId("seen-gaussian"));
        assertThrows(IllegalArgumentException.class, () -> Evaluator.ControlKind.fromId("nope"));
    }
}
