package org.triage.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triage.ingest.dicom.DicomLimits;
import org.triage.ingest.dicom.DicomObject;
import org.triage.ingest.dicom.DicomReader;
import org.triage.ingest.image.DecodedImage;
import org.triage.ingest.image.PixelDecoder;

/** Our decode of real DICOM files against pydicom's, through the same value mapping. */
class PixelStatsTest {
    @TempDir
    Path tmp;

    @Test
    void decodedPixelsMatchPydicom() throws Exception {
        Path tf = TestTools.pydicomTestFiles();
        Path fx = Fixtures.generate(tmp, 0);
        Path stats = Fixtures.script("pixel_stats.py", tmp);
        List<Path> files = List.of(tf.resolve("CT_small.dcm"), tf.resolve("MR_small_implicit.dcm"), tf.resolve("MR_small_bigendian.dcm"),
                tf.resolve("dicomdirtests/77654033/CR1/6154"), tf.resolve("SC_rgb_jpeg_dcmtk.dcm"), tf.resolve("SC_rgb.dcm"),
                tf.resolve("SC_rgb_dcmtk_+eb+cr.dcm"), tf.resolve("SC_rgb_dcmtk_+eb+cy+np.dcm"), tf.resolve("SC_rgb_small_odd.dcm"),
                fx.resolve("multiframe.dcm"), fx.resolve("dx16.dcm"), fx.resolve("dx16_implicit.dcm"), fx.resolve("mono1_signed.dcm"));
        DicomReader reader = new DicomReader(DicomLimits.DEFAULT);
        PixelDecoder decoder = new PixelDecoder(DicomLimits.DEFAULT);
        int compared = 0;
        for (Path f : files) {
            if (!Files.exists(f)) {
                continue;
            }
            DicomObject ds = reader.readFile(Files.readAllBytes(f));
            DecodedImage img = decoder.decode(ds);
            double[] ours = stats(img);
            TestTools.Result r = TestTools.run(List.of(TestTools.PYTHON, stats.toString(), f.toString()), 120);
            assertEquals(0, r.code(), "pydicom failed on " + f + ": " + r.out());
            String[] p = r.out().trim().split("\\s+");
            boolean lossy = ds.encapsulated();
            // Different JPEG decoders may differ by one 8-bit step (257 in 16 bits); uncompressed must agree to rounding.
            double tol = lossy ? 400 : 1.0;
            String name = f.getFileName().toString();
            assertEquals(Integer.parseInt(p[4]), img.image().width(), name + " width");
            assertEquals(Integer.parseInt(p[5]), img.image().height(), name + " height");
            assertEquals(Double.parseDouble(p[0]), ours[0], tol, name + " mean");
            assertEquals(Double.parseDouble(p[1]), ours[1], tol, name + " std");
            assertEquals(Double.parseDouble(p[2]), ours[2], lossy ? 1500 : 1, name + " min");
            assertEquals(Double.parseDouble(p[3]), ours[3], lossy ? 1500 : 1, name + " max");
            compared++;
        }
        assertTrue(compared >= 8, "compared only " + compared + " files");
    }

    @Test
    void jpegLosslessDecodesToTheSamePixelsAsTheOriginal() throws Exception {
        Path dcmcjpeg = TestTools.requireTool("dcmcjpeg", "dcmtk");
        Path fx = Fixtures.generate(tmp, 0);
        DicomReader reader = new DicomReader(DicomLimits.DEFAULT);
        PixelDecoder decoder = new PixelDecoder(DicomLimits.DEFAULT);
        DecodedImage original = decoder.decode(reader.readFile(Files.readAllBytes(fx.resolve("dx16.dcm"))));
        for (String mode : List.of("+e1", "+el")) {
            Path out = tmp.resolve("jll" + mode + ".dcm");
            TestTools.Result r = TestTools.run(List.of(dcmcjpeg.toString(), mode, fx.resolve("dx16.dcm").toString(), out.toString()), 60);
            assertEquals(0, r.code(), r.out());
            DicomObject ds = reader.readFile(Files.readAllBytes(out));
            assertTrue(ds.encapsulated(), "dcmcjpeg " + mode + " output is encapsulated");
            DecodedImage img = decoder.decode(ds);
            assertTrue(java.util.Arrays.equals(original.image().pixels(), img.image().pixels()), "lossless " + mode + " pixels equal the original");
        }
    }

    @Test
    void twelveBitJpegIsRefusedWithAClearReason() throws Exception {
        Path f = TestTools.pydicomTestFiles().resolve("JPGExtended.dcm");
        TestTools.require(Files.exists(f), "skipped: JPGExtended.dcm not shipped by python3-pydicom");
        DicomObject ds = new DicomReader(DicomLimits.DEFAULT).readFile(Files.readAllBytes(f));
        org.triage.ingest.dicom.DicomException e = org.junit.jupiter.api.Assertions.assertThrows(org.triage.ingest.dicom.DicomException.class,
                () -> new PixelDecoder(DicomLimits.DEFAULT).decode(ds));
        assertTrue(e.getMessage().contains("12-bit"), e.getMessage());
        assertEquals(0xC122, e.status());
    }

    static double[] stats(DecodedImage img) {
        short[] px = img.image().pixels();
        double sum = 0;
        double sq = 0;
        int min = 65535;
        int max = 0;
        for (short s : px) {
            int v = s & 0xFFFF;
            sum += v;
            sq += (double) v * v;
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        double mean = sum / px.length;
        return new double[] {mean, Math.sqrt(Math.max(0, sq / px.length - mean * mean)), min, max};
    }
}
