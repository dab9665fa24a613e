package org.triage.trainer.eval;

import java.util.Arrays;

/**
 * Exact area under the ROC curve, computed as scikit-learn's {@code roc_auc_score} does: the ROC
 * points are taken at every distinct score (tied scores move FPR and TPR together, i.e. a
 * diagonal segment, which equals counting ties as one half) and the area is the trapezoid sum.
 */
public final class Auroc {
    private Auroc() {}

    /** One ROC curve: false and true positive rates at decreasing thresholds, starting at (0,0). */
    public record Curve(double[] fpr, double[] tpr) {}

    /**
     * AUROC of the scores (higher = more likely positive). Returns NaN when the positives are all
     * true or all false (AUROC is undefined then; sklearn raises an error), so callers can report
     * such classes instead of silently averaging a made-up value.
     */
    public static double auroc(float[] scores, boolean[] positives) {
        Curve c = curve(scores, positives);
        if (c == null) {
            return Double.NaN;
        }
        double[] x = c.fpr();
        double[] y = c.tpr();
        double area = 0;
        for (int i = 1; i < x.length; i++) {
            area += (x[i] - x[i - 1]) * (y[i] + y[i - 1]) / 2.0;
        }
        return area;
    }

    /** The ROC curve, or null when there are no positives or no negatives. */
    public static Curve curve(float[] scores, boolean[] positives) {
        if (scores.length != positives.length) {
            throw new IllegalArgumentException("scores (" + scores.length + ") and truth (" + positives.length + ") differ in length");
        }
        int n = scores.length;
        int pos = 0;
        for (int i = 0; i < n; i++) {
            if (Float.isNaN(scores[i])) {
                throw new IllegalArgumentException("score " + i + " is NaN");
            }
            if (positives[i]) {
                pos++;
            }
        }
        int neg = n - pos;
        if (pos == 0 || neg == 0) {
            return null;
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(scores[b], scores[a]));
        double[] fpr = new double[n + 1];
        double[] tpr = new double[n + 1];
        int points = 1;
        long tp = 0;
        long fp = 0;
        int i = 0;
        while (i < n) {
            float s = scores[order[i]];
            // Consume the whole tie group before emitting a point.
            while (i < n && Float.compare(scores[order[i]], s) == 0) {
                if (positives[order[i]]) {
                    tp++;
                } else {
                    fp++;
                }
                i++;
            }
            fpr[points] = (double) fp / neg;
            tpr[points] = (double) tp / pos;
            points++;
        }
        return new Curve(Arrays.copyOf(fpr, points), Arrays.copyOf(tpr, points));
    }
}
