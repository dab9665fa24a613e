package org.triage.model.preprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ImagePreprocessorTest {
    private static final PreprocessSpec GRAY = new PreprocessSpec(8, 6, 1, new float[] {0f}, new float[] {1f});

    private static BufferedImage ramp(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.getRaster().setSample(x, y, 0, x * 255 / (w - 1));
            }
        }
        return img;
    }

    @Test
    void outputShapeAndNormalisation() {
        ImagePreprocessor p = new ImagePreprocessor(PreprocessSpec.imagenet(16, 12));
        BufferedImage img = new BufferedImage(20, 40, BufferedImage.TYPE_BYTE_GRAY);
        float[] out = p.preprocess(img);
        assertEquals(3 * 12 * 12, out.length);
        // black pixels: (0 - mean) / std per channel
        assertEquals(-0.485f / 0.229f, out[0], 1e-5);
        assertEquals(-0.456f / 0.224f, out[144], 1e-5);
        assertEquals(-0.406f / 0.225f, out[288], 1e-5);
    }

    @Test
    void sixteenBitGrayKeepsPrecision() {
        BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_USHORT_GRAY);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                img.getRaster().setSample(x, y, 0, 1000);
            }
        }
        float[] out = new ImagePreprocessor(GRAY).preprocess(img);
        assertEquals(1000f / 65535f, out[0], 1e-6);
    }

    @Test
    void identityResizeAndCenterCropAreExact() {
        BufferedImage img = ramp(8, 8);
        float[] out = new ImagePreprocessor(GRAY).preprocess(img);
        // center crop starts at x=1: ramp value (x*255/7)/255
        assertEquals((1 * 255 / 7) / 255f, out[0], 1e-6);
    }

    @Test
    void flipMirrorsAndEncodedBytesMatchDecodedImage() throws Exception {
        ImagePreprocessor p = new ImagePreprocessor(GRAY);
        BufferedImage img = ramp(8, 8);
        ImagePreprocessor.Resized r = p.resize(img);
        float[] plain = p.cropNormalize(r, 1, 1, false);
        float[] flipped = p.cropNormalize(r, 1, 1, true);
        assertEquals(plain[0], flipped[5], 0f);
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        ImageIO.write(img, "png", bos);
        assertArrayEquals(p.preprocess(img), p.preprocess(bos.toByteArray()), 0f);
        float[] a = p.preprocessTraining(img, new Random(3), true);
        float[] b = p.preprocessTraining(img, new Random(3), true);
        assertArrayEquals(a, b, 0f);
    }

    @Test
    void downscalingAveragesInsteadOfAliasing() {
        // A 1-pixel checkerboard shrunk 4x must come out mid-gray, not black or white.
        BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                img.getRaster().setSample(x, y, 0, ((x + y) & 1) * 255);
            }
        }
        float[] out = new ImagePreprocessor(GRAY).preprocess(img);
        for (float v : out) {
            assertEquals(0.5f, v, 0.05f);
        }
    }

    @Test
    void trainerCachePathEqualsStreamPath() {
        // the trainer caches resize() and center-crops per evaluation; the stream calls preprocess(): same tensor
        ImagePreprocessor p = new ImagePreprocessor(PreprocessSpec.imagenet(24, 20));
        BufferedImage img = ramp(50, 37);
        assertArrayEquals(p.preprocess(img), p.centerCrop(p.resize(img)), 0f);
    }

    @Test
    void badInputIsAClearError() {
        ImagePreprocessor p = new ImagePreprocessor(GRAY);
        assertThrows(IllegalArgumentException.class, () -> p.preprocess(new byte[] {1, 2, 3}));
        assertThrows(IllegalArgumentException.class, () -> new PreprocessSpec(4, 8, 1, new float[] {0}, new float[] {1}));
    }
}
