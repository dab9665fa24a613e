package org.triage.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferUShort;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triage.ingest.files.LabelsCsv;
import org.triage.ingest.image.Gray16;
import org.triage.ingest.image.Normaliser;
import org.triage.ingest.pipeline.EventFactory;

class NormaliserTest {
    @TempDir
    Path tmp;

    @Test
    void pngIsLossless16BitGrayAndHashesAreStable() throws Exception {
        short[] px = new short[300 * 200];
        Random r = new Random(3);
        for (int i = 0; i < px.length; i++) {
            px[i] = (short) r.nextInt(65536);
        }
        Gray16 img = new Gray16(300, 200, px);
        Normaliser.Normalised n = new Normaliser(1024).normalise(img);
        BufferedImage back = ImageIO.read(new ByteArrayInputStream(n.png()));
        assertEquals(BufferedImage.TYPE_USHORT_GRAY, back.getType());
        assertArrayEquals(px, ((DataBufferUShort) back.getRaster().getDataBuffer()).getData());
        Normaliser.Normalised again = new Normaliser(1024).normalise(img);
        assertEquals(n.pngSha256(), again.pngSha256(), "encoding is deterministic");
        assertEquals(n.pixelSha256(), again.pixelSha256());
        px[0] ^= 1;
        assertNotEquals(n.pixelSha256(), Normaliser.pixelSha256(new Gray16(300, 200, px)));
    }

    @Test
    void downscaleKeepsAspectAndAveragesAreas() {
        short[] px = new short[3000 * 2000];
        java.util.Arrays.fill(px, (short) 40000);
        Gray16 out = Normaliser.downscale(new Gray16(3000, 2000, px), 1024);
        assertEquals(1024, out.width());
        assertEquals(683, out.height());
        for (short s : out.pixels()) {
            assertEquals(40000, s & 0xFFFF, "a flat image stays flat");
        }
        // Alternating columns average to the middle.
        short[] stripes = new short[4 * 2];
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = (short) (i % 2 == 0 ? 0 : 60000);
        }
        Gray16 half = Normaliser.downscale(new Gray16(4, 2, stripes), 2);
        assertEquals(2, half.width());
        assertEquals(1, half.height());
        assertEquals(30000, half.get(0, 0));
        Gray16 small = new Gray16(10, 10, new short[100]);
        assertTrue(Normaliser.downscale(small, 1024) == small, "small images are not resampled");
    }

    @Test
    void contentUidsAreValidAndStable() {
        String uid = EventFactory.contentUid(Normaliser.sha256("abc".getBytes()));
        assertTrue(uid.matches("2\\.25\\.[1-9][0-9]*"), uid);
        assertTrue(uid.length() <= 64);
        assertEquals(uid, EventFactory.contentUid(Normaliser.sha256("abc".getBytes())));
    }

    @Test
    void labelsCsvReadsChestXray14Columns() throws Exception {
        Path csv = tmp.resolve("Data_Entry.csv");
        Files.writeString(csv, "Image Index,Finding Labels,Follow-up #,Patient ID,Patient Age\n"
                + "00000001_000.png,Cardiomegaly|Emphysema,0,1,58\n\"00000002_000.png\",\"No Finding\",0,2,81\n");
        LabelsCsv l = LabelsCsv.read(csv);
        assertEquals(2, l.size());
        assertEquals(List.of("Cardiomegaly", "Emphysema"), l.forFile(Path.of("/x/00000001_000.png")).labels());
        assertEquals("2", l.forFile(Path.of("00000002_000.png")).patientId());
        Files.writeString(csv, "a,b\n1,2\n");
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> LabelsCsv.read(csv));
        assertTrue(e.getMessage().contains("Image Index"));
    }
}
