package org.triage.trainer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triage.trainer.testing.DebianPython;

class AurocTest {

    @Test
    void perfectInverseAndConstantScores() {
        boolean[] t = {true, true, false, false};
        assertEquals(1.0, Auroc.auroc(new float[] {0.9f, 0.8f, 0.2f, 0.1f}, t), 0);
        assertEquals(0.0, Auroc.auroc(new float[] {0.1f, 0.2f, 0.8f, 0.9f}, t), 0);
        assertEquals(0.5, Auroc.auroc(new float[] {0.3f, 0.3f, 0.3f, 0.3f}, t), 0);
    }

    @Test
    void handComputedCaseWithTies() {
        // positives {0.8, 0.4, 0.4}, negatives {0.4, 0.2}: pairs won 1+1 (0.8) + 0.5+1 (0.4) + 0.5+1 (0.4) = 5 of 6.
        float[] s = {0.8f, 0.4f, 0.4f, 0.4f, 0.2f};
        boolean[] t = {true, true, true, false, false};
        assertEquals(5.0 / 6.0, Auroc.auroc(s, t), 1e-15);
    }

    @Test
    void handComputedCaseWithoutTies() {
        // positives {0.1, 0.4}, negatives {0.35, 0.8}: only 0.4 > 0.35 wins, 1 of 4 pairs.
        assertEquals(0.25, Auroc.auroc(new float[] {0.1f, 0.4f, 0.35f, 0.8f}, new boolean[] {true, true, false, false}), 1e-15);
    }

    @Test
    void undefinedWithoutBothClasses() {
        assertTrue(Double.isNaN(Auroc.auroc(new float[] {0.1f, 0.2f}, new boolean[] {true, true})));
        assertTrue(Double.isNaN(Auroc.auroc(new float[] {0.1f, 0.2f}, new boolean[] {false, false})));
        assertNull(Auroc.curve(new float[] {0.1f}, new boolean[] {true}));
    }

    @Test
    void rejectsBadInput() {
        assertThrows(IllegalArgumentException.class, () -> Auroc.auroc(new float[] {0.1f}, new boolean[] {true, false}));
        assertThrows(IllegalArgumentException.class, () -> Auroc.auroc(new float[] {Float.NaN, 1f}, new boolean[] {true, false}));
    }

    @Test
    void curveStartsAtOriginAndEndsAtOne() {
        Auroc.Curve c = Auroc.curve(new float[] {0.9f, 0.5f, 0.5f, 0.1f}, new boolean[] {true, false, true, false});
        assertEquals(0, c.fpr()[0]);
        assertEquals(0, c.tpr()[0]);
        assertEquals(1, c.fpr()[c.fpr().length - 1]);
        assertEquals(1, c.tpr()[c.tpr().length - 1]);
        assertEquals(4, c.fpr().length); // origin + 3 distinct thresholds
    }

    @Test
    void matchesScikitLearn(@TempDir Path dir) throws Exception {
        DebianPython.assumeModules("sklearn.metrics", "apt-get install python3-sklearn runs the sklearn cross-check");
        Random rng = new Random(42);
        int cases = 20;
        StringBuilder csv = new StringBuilder();
        double[] ours = new double[cases];
        for (int k = 0; k < cases; k++) {
            int n = 50 + rng.nextInt(400);
            float[] s = new float[n];
            boolean[] t = new boolean[n];
            t[0] = true;
            t[1] = false;
            for (int i = 0; i < n; i++) {
                // Coarse quantisation on half the cases forces many ties.
                float x = (float) (rng.nextGaussian() + (i > 1 && rng.nextDouble() < 0.3 ? 0.8 : 0));
                s[i] = k % 2 == 0 ? Math.round(x * 4) / 4f : x;
                if (i > 1) {
                    t[i] = rng.nextDouble() < 0.3 + 0.2 * Math.tanh(x);
                }
            }
            ours[k] = Auroc.auroc(s, t);
            for (int i = 0; i < n; i++) {
                csv.append(k).append(',').append(Float.toString(s[i])).append(',').append(t[i] ? 1 : 0).append('\n');
            }
        }
        Path data = dir.resolve("cases.csv");
        Files.writeString(data, csv, StandardCharsets.UTF_8);
        String script = "import sys,collections\n"
                + "from sklearn.metrics import roc_auc_score\n"
                + "c=collections.defaultdict(lambda:([],[]))\n"
                + "for line in open(sys.argv[1]):\n"
                + "  k,s,t=line.strip().split(',')\n"
                + "  c[int(k)][0].append(float(s)); c[int(k)][1].append(int(t))\n"
                + "for k in sorted(c): print(repr(roc_auc_score(c[k][1], c[k][0])))\n";
        DebianPython.Result r = DebianPython.run(60, null, List.of("-c", script, data.toString()));
        assertEquals(0, r.exitCode(), r.output());
        String[] lines = r.output().strip().split("\n");
        assertEquals(cases, lines.length, r.output());
        for (int k = 0; k < cases; k++) {
            assertEquals(Double.parseDouble(lines[k]), ours[k], 1e-9, "case " + k);
        }
    }
}
