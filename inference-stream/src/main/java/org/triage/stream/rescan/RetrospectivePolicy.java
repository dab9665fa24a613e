package org.triage.stream.rescan;

import java.util.List;
import java.util.Map;
import org.triage.events.AlertPolicy;
import org.triage.events.LabelPrototype;
import org.triage.events.PrototypeKind;
import org.triage.events.ThresholdMode;
import org.triage.stream.model.ModelInfo;
import org.triage.stream.topology.ActivePrototype;
import org.triage.stream.topology.Scorer;

/**
 * Whether a prototype version can be applied to stored embeddings, and with which threshold.
 * Only a fixed threshold can: an ABSOLUTE distance, the threshold recorded on the version for the
 * model in service ({@code AlertPolicy.calibration}), or a seen label's release threshold. A
 * QUANTILE threshold is a quantile of the label's live distances and has no value for the past;
 * NEVER never alerts. The same alerting rule as live scoring ({@code LabelMatchRule}): an unseen
 * label, or a seen one marked rare; a seen, common label raises no alert live, so none
 * retrospectively. Pure.
 */
public final class RetrospectivePolicy {
    private RetrospectivePolicy() {
    }

    /** Either a threshold (reason null) or why no rescan runs (threshold NaN). */
    public record Decision(float threshold, PrototypeKind kind, boolean rare, String reason) {
        public boolean scans() {
            return reason == null;
        }
    }

    public static Decision decide(LabelPrototype p, ModelInfo info) {
        AlertPolicy policy = p.getAlertPolicy();
        ThresholdMode mode = policy == null ? ThresholdMode.CALIBRATED : policy.getMode();
        boolean rare = policy != null && policy.getRare();
        PrototypeKind kind = Scorer.kind(p, info);
        if (mode == ThresholdMode.NEVER) {
            return no(kind, rare, "policy NEVER (scored, never alerts)");
        }
        if (kind == PrototypeKind.SEEN && !rare) {
            return no(kind, rare, "seen label not marked rare (it raises no alerts live either)");
        }
        if (mode == ThresholdMode.QUANTILE) {
            return no(kind, rare, "QUANTILE threshold follows live distances; only an ABSOLUTE distance or a calibration recorded for "
                    + info.ref() + " can be applied to stored embeddings");
        }
        // The live thresholds with no sketches: what remains is exactly the fixed ones.
        Float t = Scorer.thresholds(List.of(new ActivePrototype(p, null)), info, Map.of(), 1).get(p.getLabelId());
        if (t == null) {
            String calibratedFor = policy == null || policy.getCalibration() == null ? null : policy.getCalibration().getModel();
            return no(kind, rare, calibratedFor == null ? "no calibration recorded (run triage prototypes calibrate)"
                    : "calibration recorded for " + calibratedFor + ", not for the model in service " + info.ref());
        }
        return new Decision(t, kind, rare, null);
    }

    private static Decision no(PrototypeKind kind, boolean rare, String why) {
        return new Decision(Float.NaN, kind, rare, why);
    }
}
