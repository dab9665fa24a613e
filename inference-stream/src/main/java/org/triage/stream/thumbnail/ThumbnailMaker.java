package org.triage.stream.thumbnail;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * A film's preview: at most {@value #MAX_SIDE} px on the long side, 8-bit grayscale PNG, contrast
 * stretched between the darkest and brightest preview pixel (a 16-bit film shown linearly would be
 * almost uniformly grey). Cheap on purpose: the reader subsamples while decoding, so the full
 * raster of a multi-megapixel film is never allocated.
 */
public final class ThumbnailMaker {
    public static final int MAX_SIDE = 128;
    /** Decode at up to this multiple of the target, then box-average: enough to avoid aliasing, far less than the full film. */
    private static final int OVERSAMPLE = 2;

    private ThumbnailMaker() {
    }

    /** @throws IllegalArgumentException when the bytes are not a readable PNG/JPEG */
    public static byte[] make(byte[] encodedImage) {
        BufferedImage decoded = decodeSubsampled(encodedImage);
        int w = decoded.getWidth();
        int h = decoded.getHeight();
        int[] src = gray(decoded);
        double scale = Math.min(1.0, (double) MAX_SIDE / Math.max(w, h));
        int tw = Math.max(1, (int) Math.round(w * scale));
        int th = Math.max(1, (int) Math.round(h * scale));
        double[] avg = boxAverage(src, w, h, tw, th);
        double lo = Double.MAX_VALUE;
        double hi = -Double.MAX_VALUE;
        for (double v : avg) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        double range = hi > lo ? hi - lo : 1;
        BufferedImage out = new BufferedImage(tw, th, BufferedImage.TYPE_BYTE_GRAY);
        int[] px = new int[avg.length];
        for (int i = 0; i < avg.length; i++) px[i] = (int) Math.round((avg[i] - lo) * 255 / range);
        out.getRaster().setSamples(0, 0, tw, th, 0, px);
        ByteArrayOutputStream png = new ByteArrayOutputStream(8 * 1024);
        try {
            ImageIO.write(out, "png", png);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return png.toByteArray();
    }

    private static BufferedImage decodeSubsampled(byte[] encoded) {
        if (encoded == null || encoded.length == 0) throw new IllegalArgumentException("empty image bytes");
        // In memory: ImageIO.createImageInputStream may cache through a temporary file.
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(encoded))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) throw new IllegalArgumentException("not a decodable PNG/JPEG image (" + encoded.length + " bytes)");
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int longSide = Math.max(reader.getWidth(0), reader.getHeight(0));
                int step = Math.max(1, longSide / (MAX_SIDE * OVERSAMPLE));
                ImageReadParam param = reader.getDefaultReadParam();
                param.setSourceSubsampling(step, step, 0, 0);
                return reader.read(0, param);
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("corrupt image: " + e.getMessage(), e);
        }
    }

    /** Band 0 of a grayscale raster at its own bit depth; luminance (0-255) otherwise. */
    private static int[] gray(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        Raster raster = image.getRaster();
        boolean grayModel = image.getColorModel().getColorSpace().getType() == java.awt.color.ColorSpace.TYPE_GRAY;
        if (grayModel && raster.getNumBands() <= 2) return raster.getSamples(0, 0, w, h, 0, new int[w * h]);
        int[] rgb = image.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < rgb.length; i++) {
            int p = rgb[i];
            rgb[i] = (299 * ((p >> 16) & 0xff) + 587 * ((p >> 8) & 0xff) + 114 * (p & 0xff)) / 1000;
        }
        return rgb;
    }

    private static double[] boxAverage(int[] src, int w, int h, int tw, int th) {
        double[] out = new double[tw * th];
        for (int ty = 0; ty < th; ty++) {
            int y0 = ty * h / th;
            int y1 = Math.max(y0 + 1, (ty + 1) * h / th);
            for (int tx = 0; tx < tw; tx++) {
                int x0 = tx * w / tw;
                int x1 = Math.max(x0 + 1, (tx + 1) * w / tw);
                long sum = 0;
                for (int y = y0; y < y1; y++) {
                    for (int x = x0; x < x1; x++) sum += src[y * w + x];
                }
                out[ty * tw + tx] = (double) sum / ((long) (y1 - y0) * (x1 - x0));
            }
        }
        return out;
    }
}
