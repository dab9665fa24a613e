package org.triage.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triage.ingest.dicom.DicomException;
import org.triage.ingest.dicom.DicomLimits;
import org.triage.ingest.dicom.DicomReader;
import org.triage.ingest.dicom.Uids;
import org.triage.ingest.image.PixelDecoder;
import org.triage.ingest.pipeline.IngestPipeline;
import org.triage.ingest.pipeline.IngestResult;
import org.triage.ingest.pipeline.Pseudonymiser;

/** The malformed corpus at the reader/decoder level: every case fails with a clear message and a DLQ record. */
class MalformedInputTest {
    @TempDir
    Path tmp;

    private final DicomReader reader = new DicomReader(DicomLimits.DEFAULT);
    private final PixelDecoder decoder = new PixelDecoder(DicomLimits.DEFAULT);

    @Test
    void hugeDimensionsAreRefusedBeforeAnyPixelBufferIsAllocated() throws Exception {
        // 60000 x 60000 x 16 bit would be 7.2 GB; the pixel data holds 8 bytes.
        byte[] f = DatasetBuilder.image("1.2.3.4", 60000, 60000, 8, 8).part10(Uids.DX_PRESENTATION, "1.2.3.4");
        long before = usedHeap();
        DicomException e = assertThrows(DicomException.class, () -> decoder.decode(reader.readFile(f)));
        assertTrue(e.getMessage().contains("60000x60000 exceed the limit of 16384x16384"), e.getMessage());
        assertTrue(usedHeap() - before < 64L << 20, "no large allocation happened");
    }

    @Test
    void configurableDimensionLimit() throws Exception {
        byte[] f = DatasetBuilder.image("1.2.3.5", 64, 64, 64 * 64 * 2, 64 * 64 * 2).part10(Uids.DX_PRESENTATION, "1.2.3.5");
        new PixelDecoder(DicomLimits.DEFAULT).decode(reader.readFile(f));
        DicomException e = assertThrows(DicomException.class,
                () -> new PixelDecoder(DicomLimits.DEFAULT.withMaxDimensions(32, 32)).decode(reader.readFile(f)));
        assertTrue(e.getMessage().contains("exceed the limit of 32x32"), e.getMessage());
    }

    @Test
    void lyingLengthFieldIsRefused() {
        // Pixel Data claims 1 MB (under the element limit) but carries 16 bytes.
        byte[] f = DatasetBuilder.image("1.2.3.6", 2, 4, 16, 1_000_000L).part10(Uids.DX_PRESENTATION, "1.2.3.6");
        DicomException e = assertThrows(DicomException.class, () -> reader.readFile(f));
        assertTrue(e.getMessage().contains("declares") && e.getMessage().contains("remain"), e.getMessage());
        // A string element lying about its length, in the middle of the dataset.
        byte[] g = new DatasetBuilder().raw(0x00080016, "UI", "1.2".getBytes(), 60000).dataset();
        DicomException e2 = assertThrows(DicomException.class, () -> reader.readDataset(g, 0, Uids.EXPLICIT_VR_LE));
        assertTrue(e2.getMessage().contains("(0008,0016) declares 60000 bytes"), e2.getMessage());
    }

    @Test
    void elementLengthLimitIsEnforcedEvenWhenTheBytesArePresent() {
        byte[] f = DatasetBuilder.image("1.2.3.7", 16, 16, 512, 512).part10(Uids.DX_PRESENTATION, "1.2.3.7");
        DicomLimits tiny = new DicomLimits(256, 16384, 16384, 1 << 20, 1 << 20);
        DicomException e = assertThrows(DicomException.class, () -> new DicomReader(tiny).readFile(f));
        assertTrue(e.getMessage().contains("over the limit of 256"), e.getMessage());
    }

    @Test
    void pixelDataShorterThanTheGeometryIsRefused() throws Exception {
        byte[] f = DatasetBuilder.image("1.2.3.8", 100, 100, 64, 64).part10(Uids.DX_PRESENTATION, "1.2.3.8");
        DicomException e = assertThrows(DicomException.class, () -> decoder.decode(reader.readFile(f)));
        assertTrue(e.getMessage().contains("pixel data holds 64 bytes"), e.getMessage());
    }

    @Test
    void truncatedRealFilesFailCleanlyAtEveryCut() throws Exception {
        Path fx = Fixtures.generate(tmp, 0);
        byte[] full = Files.readAllBytes(fx.resolve("dx16.dcm"));
        int failures = 0;
        for (int cut = 0; cut < full.length - 1; cut += Math.max(1, full.length / 97)) {
            byte[] part = Arrays.copyOf(full, cut);
            try {
                decoder.decode(reader.readFile(part));
            } catch (DicomException e) {
                failures++;
                assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
            }
        }
        assertTrue(failures > 90, "every truncation is detected, got " + failures);
    }

    @Test
    void unsupportedTransferSyntaxesAreRefused() throws Exception {
        Path tf = TestTools.pydicomTestFiles();
        for (String name : List.of("JPEG2000.dcm", "MR_small_RLE.dcm", "image_dfl.dcm", "MR_small_jpeg_ls_lossless.dcm")) {
            Path f = tf.resolve(name);
            if (!Files.exists(f)) {
                continue;
            }
            DicomException e = assertThrows(DicomException.class, () -> decoder.decode(reader.readFile(Files.readAllBytes(f))), name);
            assertEquals(0xC122, e.status(), name + ": " + e.getMessage());
        }
    }

    @Test
    void garbageAndNonImagesGoToTheDlqWithTheirCause() throws Exception {
        RecordingSink sink = new RecordingSink();
        IngestPipeline p = TestDeid.pipeline(Pseudonymiser.fromConfig(null, null, true), sink);
        byte[] garbage = new byte[5000];
        new java.util.Random(1).nextBytes(garbage);
        IngestResult r = p.ingestFileBytes(garbage, "files", null, List.of());
        assertEquals(0xC000, r.status());
        Path tf = TestTools.pydicomTestFiles();
        IngestResult sr = p.ingestFileBytes(Files.readAllBytes(tf.resolve("rtplan.dcm")), "files", null, List.of());
        assertTrue(!sr.ok(), "an RT plan (no image) is rejected");
        assertEquals(2, sink.dead.size());
        assertEquals("parse", sink.dead.get(0).stage());
        assertTrue(sink.dead.get(0).error().contains("not DICOM"), sink.dead.get(0).error());
        assertTrue(Arrays.equals(garbage, sink.dead.get(0).value()), "the sink gets the original whole (to quarantine it)");
        assertTrue(sink.events.isEmpty());
    }

    @Test
    void errorMessagesNeverQuoteFreeTextValues() throws Exception {
        RecordingSink sink = new RecordingSink();
        IngestPipeline p = TestDeid.pipeline(Pseudonymiser.fromConfig(null, null, true), sink);
        byte[] badPhotometric = new DatasetBuilder()
                .str(0x00080016, "UI", Uids.DX_PRESENTATION).str(0x00080018, "UI", "1.2.3.8")
                .us(0x00280002, 1).str(0x00280004, "CS", "ZZMARKERNAME").us(0x00280010, 4).us(0x00280011, 4)
                .us(0x00280100, 16).us(0x00280101, 16).us(0x00280102, 15).us(0x00280103, 0)
                .raw(0x7FE00010, "OW", new byte[32], 32).part10(Uids.DX_PRESENTATION, "1.2.3.8");
        byte[] badSopClass = new DatasetBuilder().str(0x00080016, "UI", "ZZMARKERPID4711").str(0x00080018, "UI", "1.2.3.9")
                .us(0x00280010, 4).us(0x00280011, 4).raw(0x7FE00010, "OW", new byte[32], 32).part10("ZZMARKERPID4711", "1.2.3.9");
        assertFalse(p.ingestFileBytes(badPhotometric, "files", null, List.of()).ok());
        assertFalse(p.ingestFileBytes(badSopClass, "files", null, List.of()).ok());
        assertEquals(2, sink.dead.size());
        for (RecordingSink.Dead d : sink.dead) {
            assertFalse(d.error().contains("ZZMARKER"), d.error());
        }
        assertTrue(sink.dead.get(0).error().contains("non-standard value of 12 characters"), sink.dead.get(0).error());
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }
}
