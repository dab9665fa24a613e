package org.triage.trainer.eval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.triage.trainer.data.Sample;

/**
 * Generalized zero-shot evaluation as the paper reports it: every test image is scored for every
 * label (seen and unseen), AUROC per class over all images, then the seen mean, unseen mean and
 * their harmonic mean 2SU/(S+U).
 */
public final class GzslEvaluation {
    private GzslEvaluation() {}

    /**
     * @param samples the evaluated images; their labels are the truth
     * @param labels  column order of {@code scores}
     * @param unseen  which of {@code labels} are unseen (the rest are seen)
     * @param scores  scores[i][j] for image i and label j, HIGHER = more likely (negate distances)
     */
    public static EvaluationReport evaluate(List<Sample> samples, List<String> labels, Set<String> unseen, float[][] scores) {
        if (scores.length != samples.size()) {
            throw new IllegalArgumentException("scores has " + scores.length + " rows for " + samples.size() + " samples");
        }
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("nothing to evaluate: no samples");
        }
        for (String u : unseen) {
            if (!labels.contains(u)) {
                throw new IllegalArgumentException("unseen label '" + u + "' is not among the scored labels " + labels);
            }
        }
        int n = samples.size();
        int k = labels.size();
        boolean[][] truth = new boolean[n][k];
        for (int i = 0; i < n; i++) {
            if (scores[i].length != k) {
                throw new IllegalArgumentException("scores row " + i + " has " + scores[i].length + " columns for " + k + " labels");
            }
            Set<String> pos = samples.get(i).labels();
            for (int j = 0; j < k; j++) {
                truth[i][j] = pos.contains(labels.get(j));
            }
        }
        Map<String, Double> perClass = new LinkedHashMap<>();
        Map<String, Auroc.Curve> curves = new LinkedHashMap<>();
        Map<String, Integer> positives = new LinkedHashMap<>();
        for (int j = 0; j < k; j++) {
            float[] col = new float[n];
            boolean[] t = new boolean[n];
            int p = 0;
            for (int i = 0; i < n; i++) {
                col[i] = scores[i][j];
                t[i] = truth[i][j];
                if (t[i]) {
                    p++;
                }
            }
            String label = labels.get(j);
            perClass.put(label, Auroc.auroc(col, t));
            curves.put(label, Auroc.curve(col, t));
            positives.put(label, p);
        }
        return new EvaluationReport(samples, labels, unseen, scores, truth, perClass, curves, positives);
    }

    /** Mean of the finite values; NaN when there is none. */
    static double meanOfDefined(Iterable<Double> values) {
        double sum = 0;
        int count = 0;
        for (double v : values) {
            if (Double.isFinite(v)) {
                sum += v;
                count++;
            }
        }
        return count == 0 ? Double.NaN : sum / count;
    }

    /** 2SU/(S+U); 0 when both are 0, NaN when either is undefined. */
    public static double harmonic(double s, double u) {
        if (Double.isNaN(s) || Double.isNaN(u)) {
            return Double.NaN;
        }
        return s + u == 0 ? 0 : 2 * s * u / (s + u);
    }
}
