package org.triage.stream.calibration;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Calibrates an unseen label's alert threshold once, against a reference population: the stored
 * embeddings of recent films under the model in service. The threshold is the distance within
 * which a chosen share of that population falls; by default that share is the median alert rate
 * of the seen labels at their own calibrated thresholds on the same population, so an unseen
 * label alerts as readily as a typical seen one. Fixed afterwards, the threshold makes the alert
 * count follow the prevalence: twice as many films of the class, about twice as many alerts
 * (a quantile of the label's own recent distances would raise the same share whatever happens).
 */
public final class ThresholdCalibrator {
    /** Bounds on the share: below, a few hundred films give no usable quantile; above, the label alerts on everything. */
    public static final double MIN_RATE = 0.001;
    public static final double MAX_RATE = 0.2;
    /** Fewer reference films than this and the quantile is noise: refuse. */
    public static final int MIN_REFERENCE = 50;

    private ThresholdCalibrator() {
    }

    /**
     * @param threshold   the distance at or below which a film matches
     * @param targetRate  the share of the reference population within it
     * @param referenceFilms how many films it was computed on
     * @param seenRates   the seen labels' alert rates on the same population (empty when a rate was given)
     */
    public record Result(double threshold, double targetRate, int referenceFilms, Map<String, Double> seenRates) {
    }

    /**
     * @param projection     the unseen prototype, projected into the embedding space by the model in service
     * @param reference      embeddings of recent films under that model
     * @param seen           seen labels' projections, with {@code seenThresholds} their release thresholds
     * @param distance       the model's distance (embedding, projection)
     * @param targetRate     the share to use; null = the seen labels' median rate
     * @throws IllegalArgumentException with what to change when the inputs cannot give a threshold
     */
    public static Result calibrate(float[] projection, List<float[]> reference, Map<String, float[]> seen,
                                   Map<String, Float> seenThresholds, BiFunction<float[], float[], Float> distance, Double targetRate) {
        if (reference.size() < MIN_REFERENCE) {
            throw new IllegalArgumentException("only " + reference.size() + " stored embeddings of the model in service; at least "
                    + MIN_REFERENCE + " are needed to calibrate (stream more films, or widen --lookback-days)");
        }
        Map<String, Double> seenRates = new java.util.TreeMap<>();
        double rate;
        if (targetRate != null) {
            if (!(targetRate >= MIN_RATE && targetRate <= MAX_RATE)) {
                throw new IllegalArgumentException("--target-rate " + targetRate + " is outside " + MIN_RATE + ".." + MAX_RATE);
            }
            rate = targetRate;
        } else {
            for (Map.Entry<String, float[]> e : seen.entrySet()) {
                Float t = seenThresholds.get(e.getKey());
                if (t == null || !Float.isFinite(t)) {
                    continue;
                }
                int within = 0;
                for (float[] x : reference) {
                    if (distance.apply(x, e.getValue()) <= t) {
                        within++;
                    }
                }
                seenRates.put(e.getKey(), within / (double) reference.size());
            }
            if (seenRates.isEmpty()) {
                throw new IllegalArgumentException("the model in service has no calibrated seen labels to take a rate from; give --target-rate");
            }
            rate = Math.min(MAX_RATE, Math.max(MIN_RATE, median(new ArrayList<>(seenRates.values()))));
        }
        float[] d = new float[reference.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = distance.apply(reference.get(i), projection);
        }
        Arrays.sort(d);
        // The k-th smallest distance with k = ceil(rate * n): at least that share of the population is within it.
        int k = Math.max(1, (int) Math.ceil(rate * d.length));
        double threshold = d[k - 1];
        if (!Double.isFinite(threshold)) {
            throw new IllegalArgumentException("the distances to this prototype are not finite: is its vector valid for this model?");
        }
        return new Result(threshold, rate, reference.size(), seenRates);
    }

    private static double median(List<Double> v) {
        v.sort(Double::compare);
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }
}
