package org.triage.trainer.train;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.UnaryOperator;
import org.triage.model.distance.DistanceFunction;

/** Embedding of an image list in batches and scoring by distance (the stream's float[] distance). */
public final class Scoring {
    private Scoring() {}

    /** Embeds every image (center crop, inference mode); preprocessing of batch b+1 overlaps the forward pass of batch b. */
    static float[][] embed(ImageSource src, UnaryOperator<float[][]> embedBatch, int batchSize, ExecutorService pool) {
        int n = src.size();
        float[][] out = new float[n][];
        List<Integer> starts = new ArrayList<>();
        for (int s = 0; s < n; s += batchSize) {
            starts.add(s);
        }
        Future<float[][]> next = starts.isEmpty() ? null : pool.submit(() -> inputs(src, starts.get(0), batchSize));
        for (int b = 0; b < starts.size(); b++) {
            float[][] x;
            try {
                x = next.get();
            } catch (Exception e) {
                ImageSource.await(next);
                throw new IllegalStateException(e);
            }
            int s = starts.get(b);
            next = b + 1 < starts.size() ? pool.submit(() -> inputs(src, starts.get(s / batchSize + 1), batchSize)) : null;
            float[][] y = embedBatch.apply(x);
            System.arraycopy(y, 0, out, s, y.length);
        }
        return out;
    }

    private static float[][] inputs(ImageSource src, int start, int batchSize) {
        int end = Math.min(src.size(), start + batchSize);
        float[][] x = new float[end - start][];
        for (int i = start; i < end; i++) {
            x[i - start] = src.preprocessor().centerCrop(src.resized(i));
        }
        return x;
    }

    /** scores[i][j] = -distance(image i, class j): higher = more likely, as the evaluation expects. */
    public static float[][] scores(float[][] imageEmb, float[][] classEmb, DistanceFunction fn) {
        float[][] s = new float[imageEmb.length][classEmb.length];
        for (int i = 0; i < imageEmb.length; i++) {
            for (int j = 0; j < classEmb.length; j++) {
                s[i][j] = -fn.compute(imageEmb[i], classEmb[j]);
            }
        }
        return s;
    }
}
