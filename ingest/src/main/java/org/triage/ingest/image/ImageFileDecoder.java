package org.triage.ingest.image;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.triage.ingest.dicom.DicomException;
import org.triage.ingest.dicom.DicomLimits;

/**
 * Decodes PNG and JPEG files (dataset replays such as ChestX-ray14) to 16-bit MONOCHROME2.
 * Gray samples are scaled from their bit depth to 16 bits; colour becomes luminance.
 */
public final class ImageFileDecoder {
    private final DicomLimits limits;

    public ImageFileDecoder(DicomLimits limits) {
        this.limits = limits;
    }

    public static boolean isPng(byte[] b) {
        return b.length >= 8 && (b[0] & 0xFF) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G';
    }

    public static boolean isJpeg(byte[] b) {
        return b.length >= 3 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xD8 && (b[2] & 0xFF) == 0xFF;
    }

    public DecodedImage decode(byte[] bytes) throws DicomException {
        BufferedImage bi;
        try (ImageInputStream iis = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(iis);
            if (!readers.hasNext()) {
                throw new DicomException("not a PNG or JPEG image this build can decode");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(iis, true, true);
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                if (w <= 0 || h <= 0 || w > limits.maxColumns() || h > limits.maxRows()) {
                    throw new DicomException("image dimensions " + w + "x" + h + " exceed the limit of " + limits.maxColumns() + "x"
                            + limits.maxRows(), DicomException.Status.OUT_OF_RESOURCES);
                }
                if (8L * w * h > limits.maxDecompressedBytes()) {
                    throw new DicomException("decoded image would exceed " + limits.maxDecompressedBytes() + " bytes",
                            DicomException.Status.OUT_OF_RESOURCES);
                }
                bi = reader.read(0);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            throw new DicomException("cannot decode image: " + e.getMessage(), DicomException.Status.CANNOT_UNDERSTAND, e);
        }
        int w = bi.getWidth();
        int h = bi.getHeight();
        short[] out = new short[w * h];
        Raster r = bi.getRaster();
        boolean gray = bi.getColorModel().getNumColorComponents() == 1 && !(bi.getColorModel() instanceof java.awt.image.IndexColorModel);
        String photometric;
        int bits;
        if (gray) {
            bits = r.getSampleModel().getSampleSize(0);
            double max = (1L << bits) - 1;
            int[] s = r.getSamples(r.getMinX(), r.getMinY(), w, h, 0, (int[]) null);
            for (int i = 0; i < s.length; i++) {
                out[i] = (short) PixelDecoder.clamp16(Math.round(s[i] / max * 65535.0));
            }
            photometric = "MONOCHROME2";
        } else {
            bits = 8;
            int[] argb = bi.getRGB(0, 0, w, h, null, 0, w);
            for (int i = 0; i < argb.length; i++) {
                int p = argb[i];
                double y = PixelDecoder.luminance((p >> 16) & 0xFF, (p >> 8) & 0xFF, p & 0xFF);
                out[i] = (short) PixelDecoder.clamp16(Math.round(y / 255.0 * 65535.0));
            }
            photometric = "RGB";
        }
        return new DecodedImage(new Gray16(w, h, out), photometric, bits);
    }
}
