package org.triage.stream.testing;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.triage.stream.model.BatchEmbedder;
import org.triage.stream.model.ModelInfo;

/**
 * A deterministic model for topology tests: an "image" is the text "x1,x2,..."; its embedding is
 * the vector itself; prototypes project to themselves; the distance is Euclidean. Images that
 * start with BAD fail to decode; a first component of -999 fails inference.
 */
public final class FakeEmbedder implements BatchEmbedder {
    private final ModelInfo info;
    public final AtomicInteger batches = new AtomicInteger();
    public final AtomicInteger projections = new AtomicInteger();
    public final AtomicBoolean closed = new AtomicBoolean();

    public FakeEmbedder(String version, int dim, Map<String, Float> thresholds, List<String> seen) {
        this.info = new ModelInfo("fake", version, dim, dim, "euclidean", thresholds, seen, "cpu");
    }

    public FakeEmbedder(String version, int dim) {
        this(version, dim, Map.of(), List.of());
    }

    public static byte[] image(float... v) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
            sb.append(i == 0 ? "" : ",").append(v[i]);
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    @Override
    public float[] preprocess(byte[] encodedImage) {
        String s = new String(encodedImage, StandardCharsets.UTF_8);
        if (s.startsWith("BAD")) {
            throw new IllegalArgumentException("not an image");
        }
        String[] parts = s.split(",");
        float[] out = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = Float.parseFloat(parts[i]);
        }
        return out;
    }

    @Override
    public float[][] embed(float[][] batch) {
        if (closed.get()) {
            throw new IllegalStateException("model closed");
        }
        batches.incrementAndGet();
        float[][] out = new float[batch.length][];
        for (int i = 0; i < batch.length; i++) {
            if (batch[i][0] == -999f) {
                throw new IllegalStateException("poison tensor");
            }
            out[i] = batch[i].clone();
        }
        return out;
    }

    @Override
    public float[][] project(float[][] classVectors) {
        projections.addAndGet(classVectors.length);
        float[][] out = new float[classVectors.length][];
        for (int i = 0; i < out.length; i++) {
            out[i] = classVectors[i].clone();
        }
        return out;
    }

    @Override
    public float distance(float[] x, float[] y) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            double d = x[i] - y[i];
            s += d * d;
        }
        return (float) Math.sqrt(s);
    }

    @Override
    public void close() {
        closed.set(true);
    }
}
