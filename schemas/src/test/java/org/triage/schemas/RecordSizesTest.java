package org.triage.schemas;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class RecordSizesTest {
    @Test
    void theWorstCaseBoundHoldsForAnIncompressible16BitPng() throws Exception {
        int side = 512;
        BufferedImage img = new BufferedImage(side, side, BufferedImage.TYPE_USHORT_GRAY);
        WritableRaster r = img.getRaster();
        Random rng = new Random(7);
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                r.setSample(x, y, 0, rng.nextInt(65536));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        long bound = RecordSizes.worstCasePng16(side);
        assertTrue(out.size() <= bound, "noise PNG of " + out.size() + " bytes exceeds the bound " + bound);
        assertTrue(out.size() > 0.95 * bound, "the bound is tight enough to size topics by: " + out.size() + " vs " + bound);
    }

    @Test
    void limitsNestAndCoverTheLargestSide() {
        assertTrue(RecordSizes.MAX_EVENT_BYTES >= RecordSizes.maxEventBytesForSide(RecordSizes.MAX_SIDE_LIMIT));
        assertTrue(RecordSizes.maxEventBytesForSide(1024) < 3 << 20, "a 1024 px event stays near 2 MiB");
        assertTrue(RecordSizes.MAX_REQUEST_BYTES > RecordSizes.MAX_EVENT_BYTES, "room for DLQ headers");
        assertTrue(RecordSizes.IMAGE_FETCH_BYTES >= RecordSizes.MAX_REQUEST_BYTES);
    }
}
