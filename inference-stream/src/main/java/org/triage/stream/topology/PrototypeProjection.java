package org.triage.stream.topology;

import java.util.List;
import java.util.Optional;
import org.triage.events.LabelPrototype;
import org.triage.stream.model.BatchEmbedder;

/**
 * Where a prototype lies in a model's shared space: its class vector through the model's
 * semantic branch, or, for a shared-space prototype (a novelty cluster's centroid), the point it
 * carries, usable only by the model it was taken from. The one place that decides, so live
 * scoring, calibration and rescans agree.
 */
public final class PrototypeProjection {
    private PrototypeProjection() {
    }

    /** True when the prototype carries its own point in a model's space. */
    public static boolean isSharedSpace(LabelPrototype p) {
        return p.getEmbedding() != null;
    }

    /** Why {@code model} cannot score a shared-space prototype, or empty when it can (always empty for class-vector prototypes). */
    public static Optional<String> unusableBy(LabelPrototype p, BatchEmbedder model) {
        if (!isSharedSpace(p)) {
            return Optional.empty();
        }
        String ref = model.info().ref();
        if (!p.getEmbedding().getModel().toString().equals(ref)) {
            return Optional.of("prototype '" + p.getLabelId() + "' is a point in the space of model " + p.getEmbedding().getModel()
                    + ", not of " + ref + ": re-add it from a cluster of " + ref + " or give it a class vector");
        }
        if (p.getEmbedding().getVector().size() != model.info().embeddingDim()) {
            return Optional.of("prototype '" + p.getLabelId() + "' has a shared-space point of dimension " + p.getEmbedding().getVector().size()
                    + "; model " + ref + " embeds in " + model.info().embeddingDim());
        }
        return Optional.empty();
    }

    /** The prototype's point for this model; throws {@link IllegalArgumentException} with {@link #unusableBy}'s reason. */
    public static float[] project(LabelPrototype p, BatchEmbedder model) {
        Optional<String> problem = unusableBy(p, model);
        if (problem.isPresent()) {
            throw new IllegalArgumentException(problem.get());
        }
        if (isSharedSpace(p)) {
            return point(p);
        }
        return model.project(new float[][] {PrototypeValidator.vector(p)})[0];
    }

    static float[] point(LabelPrototype p) {
        List<Float> v = p.getEmbedding().getVector();
        float[] out = new float[v.size()];
        for (int i = 0; i < out.length; i++) {
            Float f = v.get(i);
            out[i] = f == null ? Float.NaN : f;
        }
        return out;
    }
}
