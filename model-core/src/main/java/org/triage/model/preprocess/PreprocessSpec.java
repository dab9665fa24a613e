package org.triage.model.preprocess;

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
    public static PreprocessSpec imagenet(int resize, int crop) {
        return new PreprocessSpec(resize, crop, 3, new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});
    }
}
