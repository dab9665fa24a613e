package org.triage.ingest.image;

import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.SequenceInputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.triage.ingest.dicom.DicomException;
import org.triage.ingest.dicom.DicomLimits;
import org.triage.ingest.dicom.DicomObject;
import org.triage.ingest.dicom.SafeText;
import org.triage.ingest.dicom.Tag;
import org.triage.ingest.dicom.Uids;

/**
 * Turns DICOM pixel data (first frame) into a 16-bit MONOCHROME2 image.
 *
 * <p>Mapping: stored value -> modality value (Rescale Slope/Intercept) -> VOI window when the header
 * has one (PS3.3 C.11.2.1.2, linear) or else a min-max stretch of the frame -> 0..65535, inverted for
 * MONOCHROME1. Colour (RGB, or YBR JPEG which ImageIO returns as RGB) becomes luminance
 * 0.299R + 0.587G + 0.114B scaled from the stored bit depth.
 *
 * <p>Dimensions and the output size are checked against {@link DicomLimits} before any pixel buffer is
 * allocated, and for JPEG the codestream's own dimensions are checked before decoding.
 */
public final class PixelDecoder {
    private final DicomLimits limits;

    public PixelDecoder(DicomLimits limits) {
        this.limits = limits;
    }

    /** Reads the source samples of one pixel, already sign-extended and masked. */
    private interface Samples {
        double value(int index);
    }

    public DecodedImage decode(DicomObject ds) throws DicomException {
        int rows = ds.getInt(Tag.ROWS, -1);
        int cols = ds.getInt(Tag.COLUMNS, -1);
        checkDimensions(rows, cols);
        int spp = ds.getInt(Tag.SAMPLES_PER_PIXEL, 1);
        String photometric = ds.getString(Tag.PHOTOMETRIC_INTERPRETATION);
        if (photometric == null) {
            photometric = spp == 1 ? "MONOCHROME2" : "RGB";
        }
        int bitsAllocated = ds.getInt(Tag.BITS_ALLOCATED, 16);
        int bitsStored = ds.getInt(Tag.BITS_STORED, bitsAllocated);
        int highBit = ds.getInt(Tag.HIGH_BIT, bitsStored - 1);
        boolean signed = ds.getInt(Tag.PIXEL_REPRESENTATION, 0) == 1;
        if (spp != 1 && spp != 3) {
            throw new DicomException("unsupported Samples per Pixel " + spp);
        }
        if (bitsStored < 1 || bitsStored > 16 || bitsStored > bitsAllocated || highBit < bitsStored - 1 || highBit >= bitsAllocated) {
            throw new DicomException("unsupported bit layout: allocated " + bitsAllocated + ", stored " + bitsStored + ", high bit " + highBit);
        }
        boolean mono = photometric.startsWith("MONOCHROME");
        if (mono != (spp == 1)) {
            throw new DicomException("Photometric Interpretation " + SafeText.photometric(photometric) + " does not match Samples per Pixel " + spp);
        }
        String ts = ds.transferSyntax();
        Samples samples;
        if (ds.encapsulated()) {
            if (!Uids.JPEG_SYNTAXES.contains(ts)) {
                throw new DicomException("compressed transfer syntax " + SafeText.uid(ts) + " cannot be decoded here",
                        DicomException.Status.TRANSFER_SYNTAX_NOT_SUPPORTED);
            }
            if (Uids.JPEG_EXTENDED.equals(ts) && bitsStored > 8) {
                throw new DicomException("12-bit JPEG Extended (process 4) cannot be decoded: no 12-bit DCT decoder",
                        DicomException.Status.TRANSFER_SYNTAX_NOT_SUPPORTED);
            }
            samples = decodeJpeg(ds, rows, cols, spp, bitsStored, signed);
        } else {
            if (!mono && !"RGB".equals(photometric)) {
                throw new DicomException("unsupported uncompressed Photometric Interpretation " + SafeText.photometric(photometric));
            }
            samples = nativeSamples(ds, rows, cols, spp, bitsAllocated, bitsStored, highBit, signed);
        }
        short[] out = new short[rows * cols];
        if (mono) {
            mapMonochrome(ds, samples, out, "MONOCHROME1".equals(photometric));
        } else {
            double max = (1 << bitsStored) - 1;
            for (int i = 0; i < out.length; i++) {
                out[i] = (short) clamp16(Math.round(samples.value(i) / max * 65535.0));
            }
        }
        return new DecodedImage(new Gray16(cols, rows, out), photometric, bitsStored);
    }

    private void checkDimensions(int rows, int cols) throws DicomException {
        if (rows <= 0 || cols <= 0) {
            throw new DicomException("missing or invalid Rows/Columns (" + rows + "x" + cols + ")");
        }
        if (rows > limits.maxRows() || cols > limits.maxColumns()) {
            throw new DicomException("image dimensions " + cols + "x" + rows + " exceed the limit of " + limits.maxColumns() + "x"
                    + limits.maxRows(), DicomException.Status.OUT_OF_RESOURCES);
        }
        long outBytes = 2L * rows * cols;
        if (outBytes > limits.maxDecompressedBytes()) {
            throw new DicomException("decoded image of " + outBytes + " bytes exceeds the limit of " + limits.maxDecompressedBytes(),
                    DicomException.Status.OUT_OF_RESOURCES);
        }
    }

    private static Samples nativeSamples(DicomObject ds, int rows, int cols, int spp, int bitsAllocated, int bitsStored, int highBit,
                                         boolean signed) throws DicomException {
        if (bitsAllocated != 8 && bitsAllocated != 16) {
            throw new DicomException("unsupported Bits Allocated " + bitsAllocated);
        }
        int[] pd = ds.nativePixelData();
        if (pd == null) {
            throw new DicomException("no pixel data");
        }
        long pixels = (long) rows * cols;
        long needed = pixels * spp * (bitsAllocated / 8);
        if (pd[1] < needed) {
            throw new DicomException("pixel data holds " + pd[1] + " bytes but " + cols + "x" + rows + "x" + spp + " samples of "
                    + bitsAllocated + " bits need " + needed);
        }
        byte[] b = ds.buffer();
        int base = pd[0];
        boolean be = ds.bigEndian();
        int shift = highBit + 1 - bitsStored;
        int mask = (1 << bitsStored) - 1;
        int signBit = 1 << (bitsStored - 1);
        boolean planar = spp == 3 && ds.getInt(Tag.PLANAR_CONFIGURATION, 0) == 1;
        int bytesPer = bitsAllocated / 8;
        java.util.function.IntUnaryOperator raw = off -> {
            int v = bytesPer == 1 ? b[off] & 0xFF
                    : be ? ((b[off] & 0xFF) << 8) | (b[off + 1] & 0xFF) : ((b[off + 1] & 0xFF) << 8) | (b[off] & 0xFF);
            v = (v >>> shift) & mask;
            if (signed && (v & signBit) != 0) {
                v -= 1 << bitsStored;
            }
            return v;
        };
        if (spp == 1) {
            return i -> raw.applyAsInt(base + i * bytesPer);
        }
        int plane = (int) pixels * bytesPer;
        return i -> {
            int r;
            int g;
            int bl;
            if (planar) {
                r = raw.applyAsInt(base + i * bytesPer);
                g = raw.applyAsInt(base + plane + i * bytesPer);
                bl = raw.applyAsInt(base + 2 * plane + i * bytesPer);
            } else {
                int o = base + i * 3 * bytesPer;
                r = raw.applyAsInt(o);
                g = raw.applyAsInt(o + bytesPer);
                bl = raw.applyAsInt(o + 2 * bytesPer);
            }
            return luminance(r, g, bl);
        };
    }

    static double luminance(double r, double g, double b) {
        return 0.299 * r + 0.587 * g + 0.114 * b;
    }

    private Samples decodeJpeg(DicomObject ds, int rows, int cols, int spp, int bitsStored, boolean signed) throws DicomException {
        byte[] b = ds.buffer();
        List<int[]> frags = firstFrameFragments(ds);
        if (frags.isEmpty()) {
            throw new DicomException("encapsulated pixel data has no fragments");
        }
        List<java.io.InputStream> streams = new ArrayList<>();
        for (int[] f : frags) {
            streams.add(new ByteArrayInputStream(b, f[0], f[1]));
        }
        Raster raster;
        try (ImageInputStream iis = ImageIO.createImageInputStream(new SequenceInputStream(Collections.enumeration(streams)))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(iis);
            if (!readers.hasNext()) {
                throw new DicomException("no JPEG decoder recognises the pixel data", DicomException.Status.TRANSFER_SYNTAX_NOT_SUPPORTED);
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(iis, true, true);
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                // The codestream's header is untrusted too: check it before the decoder allocates.
                if (w != cols || h != rows) {
                    throw new DicomException("JPEG frame is " + w + "x" + h + " but the header says " + cols + "x" + rows);
                }
                raster = reader.read(0).getRaster();
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            throw new DicomException("cannot decode JPEG pixel data: " + e.getMessage(), DicomException.Status.CANNOT_UNDERSTAND, e);
        }
        int bands = raster.getNumBands();
        if (raster.getWidth() != cols || raster.getHeight() != rows) {
            throw new DicomException("decoded JPEG frame has unexpected size " + raster.getWidth() + "x" + raster.getHeight());
        }
        int mask = (1 << bitsStored) - 1;
        int signBit = 1 << (bitsStored - 1);
        int minX = raster.getMinX();
        int minY = raster.getMinY();
        if (spp == 1 || bands == 1) {
            int[] all = raster.getSamples(minX, minY, cols, rows, 0, (int[]) null);
            return i -> {
                int v = all[i] & mask;
                if (signed && (v & signBit) != 0) {
                    v -= 1 << bitsStored;
                }
                return v;
            };
        }
        if (bands < 3) {
            throw new DicomException("JPEG decoded to " + bands + " bands, expected 3");
        }
        // read(0) (not readRaster) so that the decoder has already converted YCbCr to RGB.
        int[] rgb = new int[rows * cols * 3];
        raster.getPixels(minX, minY, cols, rows, rgb);
        return i -> luminance(rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]);
    }

    private static List<int[]> firstFrameFragments(DicomObject ds) throws DicomException {
        List<int[]> all = ds.fragments();
        if (all.isEmpty()) {
            return all;
        }
        List<int[]> data = all.subList(1, all.size()); // item 0 is the Basic Offset Table
        int frames = ds.getInt(Tag.NUMBER_OF_FRAMES, 1);
        if (frames > 1 && data.size() == frames) {
            return data.subList(0, 1);
        }
        int[] bot = all.get(0);
        if (frames > 1 && bot[1] >= 8) {
            long second = org.triage.ingest.dicom.DicomBytes.u32le(ds.buffer(), bot[0] + 4);
            List<int[]> first = new ArrayList<>();
            long pos = 0;
            for (int[] f : data) {
                if (pos >= second) {
                    break;
                }
                first.add(f);
                pos += 8L + f[1];
            }
            return first;
        }
        return data;
    }

    private static void mapMonochrome(DicomObject ds, Samples samples, short[] out, boolean invert) {
        double slope = orDefault(ds.getDouble(Tag.RESCALE_SLOPE), 1.0);
        double intercept = orDefault(ds.getDouble(Tag.RESCALE_INTERCEPT), 0.0);
        Double center = ds.getDouble(Tag.WINDOW_CENTER);
        Double width = ds.getDouble(Tag.WINDOW_WIDTH);
        int n = out.length;
        if (center != null && width != null && width >= 1) {
            double c = center;
            double w = width;
            double lo = c - 0.5 - (w - 1) / 2;
            double hi = c - 0.5 + (w - 1) / 2;
            for (int i = 0; i < n; i++) {
                double x = samples.value(i) * slope + intercept;
                double y;
                if (x <= lo) {
                    y = 0;
                } else if (x > hi) {
                    y = 65535;
                } else {
                    y = w == 1 ? 65535 : ((x - (c - 0.5)) / (w - 1) + 0.5) * 65535;
                }
                int v = clamp16(Math.round(y));
                out[i] = (short) (invert ? 65535 - v : v);
            }
            return;
        }
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            double x = samples.value(i) * slope + intercept;
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        double range = max - min;
        for (int i = 0; i < n; i++) {
            double x = samples.value(i) * slope + intercept;
            int v = range <= 0 ? 0 : clamp16(Math.round((x - min) / range * 65535.0));
            out[i] = (short) (invert ? 65535 - v : v);
        }
    }

    private static double orDefault(Double d, double def) {
        return d == null || d == 0 && def == 1.0 ? def : d;
    }

    static int clamp16(long v) {
        return (int) Math.max(0, Math.min(65535, v));
    }
}
