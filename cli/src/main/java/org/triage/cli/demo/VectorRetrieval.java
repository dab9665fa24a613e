package org.triage.cli.demo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import org.triage.stream.calibration.ThresholdCalibrator;
import org.triage.trainer.eval.Auroc;

/**
 * Scores a class vector against stored embeddings in the demo's process, calibrated the way
 * {@code prototypes add} calibrates: what a rescan with that vector finds, and its AUROC. Used
 * for the control (random vectors of the same norm: what finding "something" by chance looks
 * like) and as a cross-check of the stream's own rescan.
 */
final class VectorRetrieval {
    /** What one vector finds among the films. */
    record Outcome(double threshold, Retrieval retrieval, double auroc) {
    }

    /** The mean over random draws. */
    record Control(int draws, double precision, double recall, double auroc) {
        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("draws", draws);
            m.put("precision", DemoNumbers.round(precision));
            m.put("recall", DemoNumbers.round(recall));
            m.put("auroc", DemoNumbers.round(auroc));
            return m;
        }
    }

    private final InProcessCalibrator model;
    private final List<String> sops;
    private final List<float[]> embeddings;
    private final Predicate<String> positive;

    /** @param embeddings the stored embeddings of {@code sops}, same order: the rescan's population and the calibration's reference */
    VectorRetrieval(InProcessCalibrator model, List<String> sops, List<float[]> embeddings, Predicate<String> positive) {
        this.model = model;
        this.sops = sops;
        this.embeddings = embeddings;
        this.positive = positive;
    }

    Outcome score(float[] classVector) {
        float[] projection = model.project(classVector);
        ThresholdCalibrator.Result cal = model.calibrate(projection, embeddings);
        List<String> flagged = new ArrayList<>();
        float[] scores = new float[sops.size()];
        boolean[] truth = new boolean[sops.size()];
        for (int i = 0; i < sops.size(); i++) {
            float d = model.distance(embeddings.get(i), projection);
            scores[i] = -d;
            truth[i] = positive.test(sops.get(i));
            if (d <= cal.threshold()) flagged.add(sops.get(i));
        }
        return new Outcome(cal.threshold(), Retrieval.of(flagged, sops, positive), Auroc.auroc(scores, truth));
    }

    /** Random Gaussian vectors rescaled to the norm of {@code like}, each scored as {@link #score} would. */
    Control control(float[] like, int draws, long seed) {
        double norm = norm(like);
        Random rnd = new Random(seed);
        double p = 0, r = 0, a = 0;
        int withAlerts = 0;
        for (int k = 0; k < draws; k++) {
            float[] v = new float[like.length];
            for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextGaussian();
            double scale = norm / norm(v);
            for (int i = 0; i < v.length; i++) v[i] *= (float) scale;
            Outcome o = score(v);
            if (Double.isFinite(o.retrieval().precision())) {
                p += o.retrieval().precision();
                withAlerts++;
            }
            r += o.retrieval().recall();
            a += o.auroc();
        }
        return new Control(draws, withAlerts == 0 ? Double.NaN : p / withAlerts, r / draws, a / draws);
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float x : v) s += (double) x * x;
        return Math.sqrt(s);
    }
}
