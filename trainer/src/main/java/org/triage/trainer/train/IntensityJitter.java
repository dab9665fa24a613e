package org.triage.trainer.train;

import java.util.Random;
import org.triage.model.preprocess.ImagePreprocessor.Resized;

/**
 * Photometric augmentation: a film's exposure (detector gain, offset, tone curve) varies between
 * patients and machines, while its findings do not; jittering them teaches the network that.
 * Works on the [0,1] luminance of a resized image, before the stream's crop and normalisation.
 */
final class IntensityJitter {
    private IntensityJitter() {}

    /**
     * @param strength s: gain in [1-s, 1+s], offset in [-s/2, s/2], gamma in [exp(-s), exp(s)]; 0 returns r untouched and
     *                 draws nothing from rng, so a run without jitter repeats a run made before this option existed
     */
    static Resized apply(Resized r, double strength, Random rng) {
        if (strength <= 0) {
            return r;
        }
        float gain = (float) (1 + strength * (2 * rng.nextDouble() - 1));
        float offset = (float) (strength * (rng.nextDouble() - 0.5));
        double gamma = Math.exp(strength * (2 * rng.nextDouble() - 1));
        float[] in = r.pixels();
        float[] out = new float[in.length];
        for (int i = 0; i < in.length; i++) {
            float v = gain * (float) Math.pow(Math.max(0f, in[i]), gamma) + offset;
            out[i] = Math.min(1f, Math.max(0f, v));
        }
        return new Resized(out, r.width(), r.height());
    }
}
