package org.triage.trainer.train;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.ArrayList;
import java.util.concurrent.ExecutionException;
import org.triage.model.preprocess.ImagePreprocessor;
import org.triage.model.preprocess.ImagePreprocessor.Resized;
import org.triage.trainer.data.Sample;

/**
 * Decoded and resized images of a list of samples, through the stream's {@link ImagePreprocessor}.
 * Small datasets (the phantom) are decoded once and kept in memory (decoding dominates a
 * 64 px step otherwise); large ones (ChestX-ray14) are decoded on demand in each batch.
 */
final class ImageSource {
    /** Keep resized images in memory up to this many bytes. */
    static final long CACHE_LIMIT_BYTES = 1L << 30;

    private final List<Sample> samples;
    private final ImagePreprocessor pre;
    private final Resized[] cache;

    ImageSource(List<Sample> samples, ImagePreprocessor pre, ExecutorService pool) {
        this.samples = samples;
        this.pre = pre;
        long perImage = 4L * pre.spec().resize() * pre.spec().resize() * 5 / 4;
        if (perImage * samples.size() <= CACHE_LIMIT_BYTES) {
            cache = new Resized[samples.size()];
            List<Future<?>> jobs = new ArrayList<>();
            int chunk = Math.max(1, samples.size() / 64);
            for (int start = 0; start < samples.size(); start += chunk) {
                int s = start;
                int e = Math.min(samples.size(), start + chunk);
                jobs.add(pool.submit(() -> {
                    for (int i = s; i < e; i++) {
                        cache[i] = decode(i);
                    }
                }));
            }
            for (Future<?> f : jobs) {
                await(f);
            }
        } else {
            cache = null;
        }
    }

    int size() {
        return samples.size();
    }

    Sample sample(int i) {
        return samples.get(i);
    }

    Resized resized(int i) {
        return cache != null ? cache[i] : decode(i);
    }

    ImagePreprocessor preprocessor() {
        return pre;
    }

    private Resized decode(int i) {
        Path p = samples.get(i).imagePath();
        try {
            BufferedImage img = ImagePreprocessor.decode(Files.readAllBytes(p));
            return pre.resize(img);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read image " + p, e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot decode image " + p + ": " + e.getMessage(), e);
        }
    }

    static void await(Future<?> f) {
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        }
    }
}
