package org.triage.trainer.phantom;

import java.nio.file.Path;

/**
 * What {@code triage phantom} generates. The defaults ARE the benchmark configuration.
 *
 * @param size              output image side in pixels (rendered at twice that, then downsampled)
 * @param labelNoise        share of films whose labels are corrupted (a finding dropped or swapped)
 * @param unseenShareInTest share of test films whose primary finding is an unseen class
 */
public record PhantomConfig(Path out, long seed, int size, int train, int val, int test, int threads,
        double labelNoise, double unseenShareInTest, int vectorDim, boolean preview) {
    public static final long DEFAULT_SEED = 7;
    public static final int DEFAULT_SIZE = 64;
    public static final int DEFAULT_TRAIN = 3000;
    public static final int DEFAULT_VAL = 500;
    public static final int DEFAULT_TEST = 1200;
    public static final double DEFAULT_LABEL_NOISE = 0.03;
    public static final double DEFAULT_UNSEEN_SHARE = 0.35;
    public static final int DEFAULT_VECTOR_DIM = 1024;

    public PhantomConfig {
        if (size < 32 || size > 1024) {
            throw new IllegalArgumentException("--size must be between 32 and 1024 pixels, got " + size);
        }
        if (train < 1 || val < 1 || test < 1) {
            throw new IllegalArgumentException("--train, --val and --test must each be at least 1");
        }
        if ((long) train + val + test > 10_000_000L) {
            throw new IllegalArgumentException("at most 10,000,000 images in all");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be at least 1");
        }
        if (labelNoise < 0 || labelNoise > 0.5) {
            throw new IllegalArgumentException("--label-noise must be in [0, 0.5]");
        }
        if (unseenShareInTest <= 0 || unseenShareInTest >= 1) {
            throw new IllegalArgumentException("--unseen-share must be in (0, 1)");
        }
        if (vectorDim < 8 || vectorDim > 8192) {
            throw new IllegalArgumentException("--vector-dim must be in [8, 8192]");
        }
    }

    public static PhantomConfig defaults(Path out) {
        return new PhantomConfig(out, DEFAULT_SEED, DEFAULT_SIZE, DEFAULT_TRAIN, DEFAULT_VAL, DEFAULT_TEST,
                Math.max(1, Runtime.getRuntime().availableProcessors()), DEFAULT_LABEL_NOISE, DEFAULT_UNSEEN_SHARE,
                DEFAULT_VECTOR_DIM, true);
    }

    public int total() {
        return train + val + test;
    }
}
