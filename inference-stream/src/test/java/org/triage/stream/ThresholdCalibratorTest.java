package org.triage.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.triage.stream.calibration.ThresholdCalibrator;

class ThresholdCalibratorTest {
    static float euclid(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return (float) Math.sqrt(s);
    }

    /** Films around (1,1); a share {@code share} of them of the new class, around (0,1). */
    static List<float[]> population(int n, double share, long seed) {
        Random rng = new Random(seed);
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean ofClass = rng.nextDouble() < share;
            float cx = ofClass ? 0f : 1f;
            float sd = ofClass ? 0.1f : 0.25f;
            out.add(new float[] {cx + (float) (rng.nextGaussian() * sd), 1f + (float) (rng.nextGaussian() * sd)});
        }
        return out;
    }

    @Test
    void theShareIsTheSeenLabelsMedianRateAndTheThresholdItsQuantile() {
        List<float[]> ref = population(2000, 0.0, 1);
        Map<String, float[]> seen = Map.of("A", new float[] {1, 1}, "B", new float[] {1.5f, 1}, "C", new float[] {3, 3});
        Map<String, Float> thresholds = Map.of("A", 0.2f, "B", 0.3f, "C", 0.1f);
        ThresholdCalibrator.Result r = ThresholdCalibrator.calibrate(new float[] {0, 1}, ref, seen, thresholds,
                ThresholdCalibratorTest::euclid, null);
        double median = r.seenRates().values().stream().sorted().toList().get(1);
        assertEquals(Math.max(ThresholdCalibrator.MIN_RATE, median), r.targetRate(), 1e-12);
        long within = ref.stream().filter(x -> euclid(x, new float[] {0, 1}) <= r.threshold()).count();
        assertTrue(within >= Math.ceil(r.targetRate() * ref.size()), "at least the share is within the threshold");
        assertEquals(2000, r.referenceFilms());
    }

    @Test
    void tooFewFilmsNoSeenRatesOrABadRateAreRefusedWithWhatToDo() {
        var few = ThresholdCalibratorTest.population(10, 0, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ThresholdCalibrator.calibrate(new float[] {0, 1}, few,
                Map.of(), Map.of(), ThresholdCalibratorTest::euclid, 0.01));
        assertTrue(e.getMessage().contains("--lookback-days"), e.getMessage());
        var many = population(100, 0, 3);
        e = assertThrows(IllegalArgumentException.class, () -> ThresholdCalibrator.calibrate(new float[] {0, 1}, many, Map.of(), Map.of(),
                ThresholdCalibratorTest::euclid, null));
        assertTrue(e.getMessage().contains("--target-rate"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ThresholdCalibrator.calibrate(new float[] {0, 1}, many, Map.of(), Map.of(),
                ThresholdCalibratorTest::euclid, 0.9));
        assertTrue(e.getMessage().contains("outside"), e.getMessage());
    }
}
