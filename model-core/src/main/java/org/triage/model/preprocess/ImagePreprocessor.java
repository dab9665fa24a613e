package org.triage.model.preprocess;

import java.awt.image.BufferedImage;
import java.util.Random;

/**
 * The one implementation of image preprocessing, used by the trainer and by the inference
 * stream. Output is a CHW float array of length channels*crop*crop.
 */
public final class ImagePreprocessor {
    private final PreprocessSpec spec;

    public ImagePreprocessor(PreprocessSpec spec) {
        this.spec = spec;
    }

    public PreprocessSpec spec() {
        return spec;
    }

    /** Decodes PNG (8- or 16-bit grayscale) or JPEG bytes and preprocesses them for inference (center crop). */
    public float[] preprocess(byte[] encodedImage) {
        throw new UnsupportedOperationException("TODO");
    }

    /** Inference preprocessing of a decoded image: resize, center crop, normalise. */
    public float[] preprocess(BufferedImage image) {
        throw new UnsupportedOperationException("TODO");
    }

    /** Training preprocessing: resize, random crop, optional horizontal flip, normalise. */
    public float[] preprocessTraining(BufferedImage image, Random rng, boolean allowFlip) {
        throw new UnsupportedOperationException("TODO");
    }
}
