package org.triage.model.preprocess;

import java.util.Arrays;

/**
 * How a radiograph becomes the model's input tensor. Recorded in the model manifest so the
 * stream preprocesses exactly as the trainer did (train/serve skew is a defect).
 *
 * @param resize  the shorter side is resized to this many pixels (paper: 256)
 * @param crop    square crop size fed to the network (paper: 224); center crop at inference
 * @param channels channels of the tensor (3: the grayscale image repeated, as ImageNet backbones expect)
 * @param mean    per-channel mean subtracted after scaling pixels to [0,1]
 * @param std     per-channel standard deviation divided by
 */
public record PreprocessSpec(int resize, int crop, int channels, float[] mean, float[] std) {
    public PreprocessSpec {
        if (crop < 1 || resize < crop) {
            throw new IllegalArgumentException("need 1 <= crop <= resize, got resize=" + resize + " crop=" + crop);
        }
        if (channels < 1 || mean == null || std == null || mean.length != channels || std.length != channels) {
            throw new IllegalArgumentException("mean and std need one value per channel (" + channels + ")");
        }
        for (float s : std) {
            if (!(s > 0)) {
                throw new IllegalArgumentException("std values must be > 0, got " + Arrays.toString(std));
            }
        }
        mean = mean.clone();
        std = std.clone();
    }

    public static PreprocessSpec imagenet(int resize, int crop) {
        return new PreprocessSpec(resize, crop, 3, new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});
    }

    /** Elements of one preprocessed image: channels*crop*crop. */
    public int tensorSize() {
        return channels * crop * crop;
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PreprocessSpec p && p.resize == resize && p.crop == crop && p.channels == channels
                && Arrays.equals(p.mean, mean) && Arrays.equals(p.std, std);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * resize + crop) + channels) + 17 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "PreprocessSpec[resize=" + resize + ", crop=" + crop + ", channels=" + channels
                + ", mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
    }
}
