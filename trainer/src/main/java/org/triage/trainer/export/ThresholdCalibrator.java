package org.triage.trainer.export;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-label operating thresholds on distance (positive when distance &lt;= threshold), chosen on
 * validation data so that the specificity on that data is at least the target: the threshold
 * sits just below the (k+1)-th smallest negative distance, k = floor((1 - target) * negatives),
 * so at most k negatives fall at or under it. Labels without a validation negative get none.
 */
public final class ThresholdCalibrator {
    private ThresholdCalibrator() {
    }

    /** One label's operating point on the validation data it was chosen on. */
    public record OperatingPoint(float threshold, double specificity, double sensitivity, int positives, int negatives) {
    }

    /**
     * @param distances [image][label] distances
     * @param truth     [image][label] ground truth
     */
    public static Map<String, OperatingPoint> calibrate(List<String> labels, float[][] distances, boolean[][] truth, double targetSpecificity) {
        if (targetSpecificity < 0 || targetSpecificity > 1) {
            throw new IllegalArgumentException("target specificity must be in [0,1], is " + targetSpecificity);
        }
        Map<String, OperatingPoint> out = new LinkedHashMap<>();
        for (int j = 0; j < labels.size(); j++) {
            int nNeg = 0;
            int nPos = 0;
            for (int i = 0; i < distances.length; i++) {
                if (truth[i][j]) nPos++; else nNeg++;
            }
            if (nNeg == 0) {
                continue;
            }
            float[] neg = new float[nNeg];
            float[] pos = new float[nPos];
            int a = 0;
            int b = 0;
            for (int i = 0; i < distances.length; i++) {
                if (truth[i][j]) pos[b++] = distances[i][j]; else neg[a++] = distances[i][j];
            }
            Arrays.sort(neg);
            int k = (int) Math.floor((1 - targetSpecificity) * nNeg + 1e-9);
            float t = k >= nNeg ? neg[nNeg - 1] : Math.nextDown(neg[k]);
            int fp = 0;
            for (float d : neg) {
                if (d <= t) fp++;
            }
            int tp = 0;
            for (float d : pos) {
                if (d <= t) tp++;
            }
            out.put(labels.get(j), new OperatingPoint(t, 1.0 - (double) fp / nNeg, nPos == 0 ? Double.NaN : (double) tp / nPos, nPos, nNeg));
        }
        return out;
    }
}
