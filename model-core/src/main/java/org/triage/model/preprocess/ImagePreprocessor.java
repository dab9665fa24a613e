package org.triage.model.preprocess;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * The one implementation of image preprocessing, used by the trainer and by the inference
 * stream. Output is a CHW float array of length channels*crop*crop.
 *
 * <p>Steps: grayscale in [0,1] (8- or 16-bit aware) -> resize so the shorter side is
 * {@code resize} (separable triangle filter widened by the scale factor when shrinking, i.e.
 * antialiased bilinear as PIL does, so a 1024 px radiograph does not alias) -> square crop of
 * {@code crop} (center at inference; random, optionally flipped, in training) -> the gray value
 * repeated on every channel, minus mean, divided by std.
 *
 * <p>The trainer caches {@link #resize(BufferedImage)} once per image and crops per epoch with
 * {@link #cropNormalize}; {@link #preprocess(BufferedImage)} is exactly that composition with a
 * center crop, so both sides produce the same tensor from the same image.
 */
public final class ImagePreprocessor {
    private final PreprocessSpec spec;
    private final float[] mean;
    private final float[] invStd;

    public ImagePreprocessor(PreprocessSpec spec) {
        this.spec = spec;
        this.mean = spec.mean();
        float[] std = spec.std();
        this.invStd = new float[std.length];
        for (int c = 0; c < std.length; c++) {
            invStd[c] = 1f / std[c];
        }
    }

    public PreprocessSpec spec() {
        return spec;
    }

    /** A grayscale image in [0,1], row-major, after the resize step. */
    public record Resized(float[] pixels, int width, int height) {}

    /** Decodes PNG (8- or 16-bit grayscale) or JPEG bytes and preprocesses them for inference (center crop). */
    public float[] preprocess(byte[] encodedImage) {
        return preprocess(decode(encodedImage));
    }

    /** Decodes an encoded image; a clear IllegalArgumentException when it is not a readable image. */
    public static BufferedImage decode(byte[] encodedImage) {
        if (encodedImage == null || encodedImage.length == 0) {
            throw new IllegalArgumentException("empty image bytes");
        }
        try {
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(encodedImage));
            if (img == null) {
                throw new IllegalArgumentException("not a decodable PNG/JPEG image (" + encodedImage.length + " bytes)");
            }
            return img;
        } catch (IOException e) {
            throw new IllegalArgumentException("corrupt image: " + e.getMessage(), e);
        }
    }

    /** Inference preprocessing of a decoded image: resize, center crop, normalise. */
    public float[] preprocess(BufferedImage image) {
        return centerCrop(resize(image));
    }

    /** Center crop + normalise of an already resized image (inference). */
    public float[] centerCrop(Resized r) {
        return cropNormalize(r, (r.width() - spec.crop()) / 2, (r.height() - spec.crop()) / 2, false);
    }

    /** Training preprocessing: resize, random crop, optional horizontal flip, normalise. */
    public float[] preprocessTraining(BufferedImage image, Random rng, boolean allowFlip) {
        return preprocessTraining(resize(image), rng, allowFlip);
    }

    /** Random crop (uniform offset) and, when allowed, a horizontal flip with probability 1/2. */
    public float[] preprocessTraining(Resized r, Random rng, boolean allowFlip) {
        int x0 = rng.nextInt(r.width() - spec.crop() + 1);
        int y0 = rng.nextInt(r.height() - spec.crop() + 1);
        boolean flip = allowFlip && rng.nextBoolean();
        return cropNormalize(r, x0, y0, flip);
    }

    /** Crops a crop x crop window at (x0, y0), optionally mirrored, and normalises it into CHW. */
    public float[] cropNormalize(Resized r, int x0, int y0, boolean flip) {
        int crop = spec.crop();
        if (x0 < 0 || y0 < 0 || x0 + crop > r.width() || y0 + crop > r.height()) {
            throw new IllegalArgumentException("crop window outside the image");
        }
        int channels = spec.channels();
        int plane = crop * crop;
        float[] out = new float[channels * plane];
        float[] px = r.pixels();
        for (int y = 0; y < crop; y++) {
            int src = (y0 + y) * r.width() + x0;
            int dst = y * crop;
            for (int x = 0; x < crop; x++) {
                float v = px[src + (flip ? crop - 1 - x : x)];
                for (int c = 0; c < channels; c++) {
                    out[c * plane + dst + x] = (v - mean[c]) * invStd[c];
                }
            }
        }
        return out;
    }

    /** Grayscale + resize of the shorter side to spec.resize(). */
    public Resized resize(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        if (w < 1 || h < 1) {
            throw new IllegalArgumentException("image has no pixels");
        }
        int target = spec.resize();
        int nw;
        int nh;
        if (w <= h) {
            nw = target;
            nh = Math.max(target, (int) Math.round((double) h * target / w));
        } else {
            nh = target;
            nw = Math.max(target, (int) Math.round((double) w * target / h));
        }
        float[] gray = gray(image);
        float[] horiz = resample(gray, w, h, nw, true);
        float[] both = resample(horiz, nw, h, nh, false);
        return new Resized(both, nw, nh);
    }

    /** Luminance in [0,1]; 16-bit grayscale keeps its full precision. */
    static float[] gray(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        float[] out = new float[w * h];
        Raster raster = image.getRaster();
        int bands = raster.getNumBands();
        boolean grayModel = image.getColorModel().getColorSpace().getType() == java.awt.color.ColorSpace.TYPE_GRAY;
        if (grayModel && bands <= 2) {
            int bits = raster.getSampleModel().getSampleSize(0);
            float scale = (float) (1.0 / ((1L << bits) - 1));
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    out[y * w + x] = row[x] * scale;
                }
            }
            return out;
        }
        int[] rgb = new int[w];
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, rgb, 0, w);
            for (int x = 0; x < w; x++) {
                int p = rgb[x];
                int r = (p >> 16) & 0xff;
                int g = (p >> 8) & 0xff;
                int b = p & 0xff;
                out[y * w + x] = (0.299f * r + 0.587f * g + 0.114f * b) / 255f;
            }
        }
        return out;
    }

    /** One separable pass: resamples along x (horizontal) or y to outLen with an antialiased triangle filter. */
    private static float[] resample(float[] src, int w, int h, int outLen, boolean horizontal) {
        int inLen = horizontal ? w : h;
        int ow = horizontal ? outLen : w;
        int oh = horizontal ? h : outLen;
        float[] dst = new float[ow * oh];
        if (inLen == outLen) {
            System.arraycopy(src, 0, dst, 0, src.length);
            return dst;
        }
        double scale = (double) inLen / outLen;
        double support = Math.max(scale, 1.0);
        int[] start = new int[outLen];
        float[][] weights = new float[outLen][];
        for (int i = 0; i < outLen; i++) {
            double center = (i + 0.5) * scale;
            int lo = Math.max(0, (int) Math.floor(center - support));
            int hi = Math.min(inLen - 1, (int) Math.ceil(center + support));
            float[] wts = new float[hi - lo + 1];
            double sum = 0;
            for (int j = lo; j <= hi; j++) {
                double t = Math.abs((j + 0.5 - center) / support);
                double wt = t < 1 ? 1 - t : 0;
                wts[j - lo] = (float) wt;
                sum += wt;
            }
            for (int k = 0; k < wts.length; k++) {
                wts[k] = (float) (wts[k] / sum);
            }
            start[i] = lo;
            weights[i] = wts;
        }
        if (horizontal) {
            for (int y = 0; y < h; y++) {
                int rowIn = y * w;
                int rowOut = y * ow;
                for (int i = 0; i < outLen; i++) {
                    float[] wts = weights[i];
                    int s = rowIn + start[i];
                    float acc = 0;
                    for (int k = 0; k < wts.length; k++) {
                        acc += wts[k] * src[s + k];
                    }
                    dst[rowOut + i] = acc;
                }
            }
        } else {
            for (int i = 0; i < outLen; i++) {
                float[] wts = weights[i];
                int rowOut = i * w;
                for (int k = 0; k < wts.length; k++) {
                    float wk = wts[k];
                    int rowIn = (start[i] + k) * w;
                    for (int x = 0; x < w; x++) {
                        dst[rowOut + x] += wk * src[rowIn + x];
                    }
                }
            }
        }
        return dst;
    }
}
