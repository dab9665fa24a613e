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
        if (p.getLabelId() == null || p.getLabelId().toString().isBlank()) {
            return Optional.of("prototype has an empty label id");
        }
        if (p.getLabelId().toString().chars().anyMatch(Character::isISOControl)) {
            return Optional.of("prototype label id has a control character (tab, newline, ...): use letters, digits, '-', '_'");
        }
        if (p.getEmbedding() != null) {
            return sharedSpaceProblem(p).or(() -> policyProblem(p));
        }
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
        return policyProblem(p);
    }

    /** A shared-space prototype: its point must be finite and non-zero; its model is checked where a model is at hand. */
    private static Optional<String> sharedSpaceProblem(LabelPrototype p) {
        var e = p.getEmbedding();
        if (!p.getVector().isEmpty()) {
            return Optional.of("prototype '" + p.getLabelId() + "' has both a class vector and a shared-space point; give one");
        }
        if (e.getVector().isEmpty()) {
            return Optional.of("prototype '" + p.getLabelId() + "' has an empty shared-space point");
        }
        double norm = 0;
        for (Float f : e.getVector()) {
            if (f == null || !Float.isFinite(f)) {
                return Optional.of("prototype '" + p.getLabelId() + "' has a NaN or infinite component");
            }
            norm += (double) f * f;
        }
        if (norm == 0) {
            return Optional.of("prototype '" + p.getLabelId() + "' has a zero-norm shared-space point");
        }
        return Optional.empty();
    }

    private static Optional<String> policyProblem(LabelPrototype p) {
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
