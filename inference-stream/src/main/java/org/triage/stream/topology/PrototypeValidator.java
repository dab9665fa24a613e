package org.triage.stream.topology;

import java.util.List;
import java.util.Optional;
import org.triage.events.AlertPolicy;
import org.triage.events.LabelPrototype;

/** Rejects prototypes that would poison scoring: wrong dimension, non-finite or zero vectors, bad policies. */
public final class PrototypeValidator {
    private PrototypeValidator() {
    }

    /**
     * @param expectedDim the model's class-vector dimension, or null when no model is loaded yet
     * @return the problem, or empty when the prototype is usable
     */
    public static Optional<String> problem(LabelPrototype p, Integer expectedDim) {
        List<Float> v = p.getVector();
        if (v == null || v.isEmpty()) {
            return Optional.of("prototype '" + p.getLabelId() + "' has an empty vector");
        }
        if (v.size() != p.getDimension()) {
            return Optional.of("prototype '" + p.getLabelId() + "' declares dimension " + p.getDimension() + " but its vector has "
                    + v.size() + " values");
        }
        if (expectedDim != null && v.size() != expectedDim) {
            return Optional.of("prototype '" + p.getLabelId() + "' has dimension " + v.size() + "; the model takes " + expectedDim);
        }
        double norm = 0;
        for (Float f : v) {
            if (f == null || !Float.isFinite(f)) {
                return Optional.of("prototype '" + p.getLabelId() + "' has a NaN or infinite component");
            }
            norm += (double) f * f;
        }
        if (norm == 0) {
            return Optional.of("prototype '" + p.getLabelId() + "' has a zero-norm vector");
        }
        AlertPolicy policy = p.getAlertPolicy();
        if (policy != null) {
            Double value = policy.getValue();
            switch (policy.getMode()) {
                case QUANTILE -> {
                    if (value == null || !(value > 0 && value < 1)) {
                        return Optional.of("prototype '" + p.getLabelId() + "' has QUANTILE policy without a quantile in (0,1)");
                    }
                }
                case ABSOLUTE -> {
                    if (value == null || !Double.isFinite(value) || value < 0) {
                        return Optional.of("prototype '" + p.getLabelId() + "' has ABSOLUTE policy without a distance >= 0");
                    }
                }
                default -> {
                }
            }
        }
        return Optional.empty();
    }

    public static float[] vector(LabelPrototype p) {
        List<Float> v = p.getVector();
        float[] out = new float[v.size()];
        for (int i = 0; i < out.length; i++) {
            Float f = v.get(i);
            out[i] = f == null ? Float.NaN : f;
        }
        return out;
    }
}
