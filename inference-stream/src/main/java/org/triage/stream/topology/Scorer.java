package org.triage.stream.topology;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.triage.events.AlertPolicy;
import org.triage.events.LabelPrototype;
import org.triage.events.LabelScore;
import org.triage.events.PrototypeKind;
import org.triage.events.ThresholdMode;
import org.triage.stream.model.BatchEmbedder;
import org.triage.stream.model.ModelInfo;

/** Scores one image embedding against the prototypes in force. Pure: no state, no I/O. */
public final class Scorer {
    private Scorer() {
    }

    /** Labels ordered by rank (1 = closest), with the distance to the nearest prototype. */
    public record Scored(List<LabelScore> labels, float nearestDistance) {
    }

    /** Smaller distance = more likely; 1/(1+d) maps [0,inf) monotonically onto (0,1]. */
    public static float score(float distance) {
        return 1f / (1f + Math.max(0f, distance));
    }

    public static Scored score(float[] embedding, List<ActivePrototype> prototypes, BatchEmbedder model,
                               Map<String, Float> thresholds) {
        ModelInfo info = model.info();
        record D(ActivePrototype p, float d) {
        }
        List<D> ds = new ArrayList<>(prototypes.size());
        for (ActivePrototype p : prototypes) {
            ds.add(new D(p, model.distance(embedding, p.projection())));
        }
        ds.sort(Comparator.<D>comparingDouble(x -> Float.isNaN(x.d) ? Float.POSITIVE_INFINITY : x.d)
                .thenComparing(x -> x.p.labelId()));
        List<LabelScore> out = new ArrayList<>(ds.size());
        int rank = 1;
        for (D d : ds) {
            String label = d.p.labelId();
            Float threshold = thresholds.get(label);
            boolean above = threshold != null && d.d <= threshold;
            out.add(LabelScore.newBuilder().setLabelId(label).setDistance(d.d).setScore(score(d.d)).setRank(rank++)
                    .setThreshold(threshold).setAboveThreshold(above).setKind(kind(d.p.prototype(), info)).build());
        }
        float nearest = ds.isEmpty() ? Float.NaN : ds.get(0).d;
        return new Scored(out, nearest);
    }

    /** SEEN or UNSEEN for the model that scores: a retrained model may have learned a once-unseen label. */
    public static PrototypeKind kind(LabelPrototype p, ModelInfo info) {
        if (info.seenLabels().isEmpty()) {
            return p.getKind();
        }
        return info.seenLabels().contains(p.getLabelId()) ? PrototypeKind.SEEN : PrototypeKind.UNSEEN;
    }

    /**
     * The threshold recorded on an unseen prototype when it was calibrated, if it was calibrated
     * for this model: a threshold computed in another model's embedding space means nothing here.
     */
    static Float recorded(AlertPolicy policy, ModelInfo info) {
        org.triage.events.Calibration c = policy.getCalibration();
        return c != null && info.ref().equals(c.getModel()) ? (float) c.getThreshold() : null;
    }

    /**
     * Thresholds in force for a batch: the release's calibrated threshold for a seen label; for an
     * unseen CALIBRATED label the threshold recorded on its prototype version (fixed, so alerts follow
     * prevalence); otherwise the prototype's policy (an absolute distance, or, as an explicitly chosen
     * policy, a quantile of the label's own recent distances, which alerts on a fixed share of films
     * whatever the prevalence).
     *
     * @param sketches recent distances per label, for QUANTILE
     * @param minSamples a quantile needs at least this many samples, otherwise the label has no threshold yet
     */
    public static Map<String, Float> thresholds(List<ActivePrototype> prototypes, ModelInfo info,
                                                Map<String, DistanceSketch> sketches, int minSamples) {
        Map<String, Float> out = new HashMap<>();
        for (ActivePrototype ap : prototypes) {
            LabelPrototype p = ap.prototype();
            AlertPolicy policy = p.getAlertPolicy();
            ThresholdMode mode = policy == null ? ThresholdMode.CALIBRATED : policy.getMode();
            if (mode == ThresholdMode.NEVER) {
                continue;
            }
            Float calibrated = info.thresholds().get(p.getLabelId());
            Float t = null;
            if (kind(p, info) == PrototypeKind.SEEN && calibrated != null) {
                t = calibrated;
            } else if (mode == ThresholdMode.CALIBRATED) {
                t = calibrated != null ? calibrated : recorded(policy, info);
            } else if (mode == ThresholdMode.ABSOLUTE) {
                t = policy.getValue().floatValue();
            } else if (mode == ThresholdMode.QUANTILE) {
                DistanceSketch s = sketches.get(p.getLabelId());
                if (s != null && s.size() >= minSamples) {
                    t = s.quantile(policy.getValue());
                }
            }
            if (t != null && Float.isFinite(t)) {
                out.put(p.getLabelId(), t);
            }
        }
        return out;
    }
}
