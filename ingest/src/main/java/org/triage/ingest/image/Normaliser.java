package org.triage.ingest.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferUShort;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * Downscales to at most {@code maxSide} pixels on the long side (area averaging, so no aliasing) and
 * encodes once as a lossless 16-bit grayscale PNG.
 */
public final class Normaliser {
    /** The encoded result with its hashes. */
    public record Normalised(Gray16 image, byte[] png, String pngSha256, String pixelSha256) {
    }

    /** ImageIO PNG "quality" 0.9 selects deflate level 1 in the JDK writer. */
    private static final float PNG_QUALITY = 0.9f;

    private final int maxSide;

    public Normaliser(int maxSide) {
        if (maxSide < 1) {
            throw new IllegalArgumentException("max side must be positive");
        }
        this.maxSide = maxSide;
    }

    public Normalised normalise(Gray16 in) {
        Gray16 img = downscale(in, maxSide);
        byte[] png = encodePng(img);
        return new Normalised(img, png, sha256(png), pixelSha256(img));
    }

    public static Gray16 downscale(Gray16 in, int maxSide) {
        int longSide = Math.max(in.width(), in.height());
        if (longSide <= maxSide) {
            return in;
        }
        double scale = (double) maxSide / longSide;
        int w = Math.max(1, (int) Math.round(in.width() * scale));
        int h = Math.max(1, (int) Math.round(in.height() * scale));
        // Separable area average: horizontal pass into floats, then vertical.
        float[] tmp = new float[w * in.height()];
        for (int y = 0; y < in.height(); y++) {
            resampleLine(in.pixels(), y * in.width(), 1, in.width(), tmp, y * w, 1, w);
        }
        float[] outF = new float[w * h];
        for (int x = 0; x < w; x++) {
            resampleLineF(tmp, x, w, in.height(), outF, x, w, h);
        }
        short[] out = new short[w * h];
        for (int i = 0; i < out.length; i++) {
            out[i] = (short) PixelDecoder.clamp16(Math.round(outF[i]));
        }
        return new Gray16(w, h, out);
    }

    private static void resampleLine(short[] src, int srcOff, int srcStride, int srcLen, float[] dst, int dstOff, int dstStride, int dstLen) {
        double ratio = (double) srcLen / dstLen;
        for (int o = 0; o < dstLen; o++) {
            double s0 = o * ratio;
            double s1 = s0 + ratio;
            double sum = 0;
            for (int i = (int) s0; i < Math.min(srcLen, (int) Math.ceil(s1)); i++) {
                double wgt = Math.min(s1, i + 1) - Math.max(s0, i);
                sum += wgt * (src[srcOff + i * srcStride] & 0xFFFF);
            }
            dst[dstOff + o * dstStride] = (float) (sum / ratio);
        }
    }

    private static void resampleLineF(float[] src, int srcOff, int srcStride, int srcLen, float[] dst, int dstOff, int dstStride, int dstLen) {
        double ratio = (double) srcLen / dstLen;
        for (int o = 0; o < dstLen; o++) {
            double s0 = o * ratio;
            double s1 = s0 + ratio;
            double sum = 0;
            for (int i = (int) s0; i < Math.min(srcLen, (int) Math.ceil(s1)); i++) {
                double wgt = Math.min(s1, i + 1) - Math.max(s0, i);
                sum += wgt * src[srcOff + i * srcStride];
            }
            dst[dstOff + o * dstStride] = (float) (sum / ratio);
        }
    }

    public static byte[] encodePng(Gray16 img) {
        BufferedImage bi = new BufferedImage(img.width(), img.height(), BufferedImage.TYPE_USHORT_GRAY);
        short[] data = ((DataBufferUShort) bi.getRaster().getDataBuffer()).getData();
        System.arraycopy(img.pixels(), 0, data, 0, data.length);
        ByteArrayOutputStream bos = new ByteArrayOutputStream(img.pixels().length);
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(bos)) {
            ImageWriteParam param = writer.getDefaultWriteParam();
            // Fast deflate: the JDK default level costs 2-4x the time for a few percent on radiographs,
            // and encoding sits on the C-STORE round trip.
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(PNG_QUALITY);
            writer.setOutput(ios);
            writer.write(null, new IIOImage(bi, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return bos.toByteArray();
    }

    public static String pixelSha256(Gray16 img) {
        MessageDigest md = sha();
        byte[] row = new byte[img.width() * 2];
        short[] p = img.pixels();
        for (int y = 0; y < img.height(); y++) {
            for (int x = 0; x < img.width(); x++) {
                int v = p[y * img.width() + x];
                row[2 * x] = (byte) (v >>> 8);
                row[2 * x + 1] = (byte) v;
            }
            md.update(row);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    public static String sha256(byte[] b) {
        return HexFormat.of().formatHex(sha().digest(b));
    }

    static MessageDigest sha() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
