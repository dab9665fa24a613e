package org.triage.stream.bench;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Random;
import javax.imageio.ImageIO;

/** Radiograph-like 16-bit grayscale PNGs (smooth field + noise) for benchmarks; no patient data. */
public final class SyntheticImages {
    private SyntheticImages() {
    }

    public static byte[] png(int size, long seed) {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_USHORT_GRAY);
        WritableRaster r = img.getRaster();
        Random rng = new Random(seed);
        double fx = 1 + rng.nextDouble() * 3;
        double fy = 1 + rng.nextDouble() * 3;
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                double v = 0.5 + 0.3 * Math.sin(fx * x * Math.PI / size) * Math.cos(fy * y * Math.PI / size) + 0.05 * rng.nextGaussian();
                r.setSample(x, y, 0, (int) Math.max(0, Math.min(65535, v * 65535)));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
