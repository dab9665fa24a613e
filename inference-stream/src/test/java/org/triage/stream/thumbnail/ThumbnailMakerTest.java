package org.triage.stream.thumbnail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ThumbnailMakerTest {

    /** A 16-bit film whose values use only a narrow band, dark on the left, bright on the right. */
    private static byte[] png16(int w, int h) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_USHORT_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) img.getRaster().setSample(x, y, 0, 20_000 + 4_000 * x / w);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    private static BufferedImage read(byte[] png) throws IOException {
        return ImageIO.read(new ByteArrayInputStream(png));
    }

    @Test
    void aLargeSixteenBitFilmBecomesASmallEightBitGrayscalePngWithItsAspectRatio() throws IOException {
        byte[] png = ThumbnailMaker.make(png16(2000, 1200));
        BufferedImage t = read(png);
        assertEquals(128, t.getWidth());
        assertEquals(77, t.getHeight());
        assertEquals(1, t.getRaster().getNumBands());
        assertEquals(DataBuffer.TYPE_BYTE, t.getRaster().getDataBuffer().getDataType());
        assertEquals(8, t.getColorModel().getPixelSize());
        assertTrue(png.length < 20_000, "small enough for a compacted topic: " + png.length + " bytes");
    }

    @Test
    void contrastIsStretchedSoANarrowBandOfSixteenBitValuesIsVisible() throws IOException {
        BufferedImage t = read(ThumbnailMaker.make(png16(1024, 1024)));
        int left = t.getRaster().getSample(0, 64, 0);
        int right = t.getRaster().getSample(127, 64, 0);
        assertTrue(left < 10 && right > 245, "left " + left + ", right " + right);
    }

    @Test
    void aSmallImageIsNotEnlargedAndPortraitKeepsItsLongSideAtTheLimit() throws IOException {
        BufferedImage small = read(ThumbnailMaker.make(png16(50, 40)));
        assertEquals(50, small.getWidth());
        assertEquals(40, small.getHeight());
        BufferedImage portrait = read(ThumbnailMaker.make(png16(300, 900)));
        assertEquals(43, portrait.getWidth());
        assertEquals(128, portrait.getHeight());
    }

    @Test
    void eightBitAndColourInputsWork() throws IOException {
        BufferedImage rgb = new BufferedImage(400, 300, BufferedImage.TYPE_INT_RGB);
        rgb.setRGB(0, 0, 0xffffff);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(rgb, "png", out);
        BufferedImage t = read(ThumbnailMaker.make(out.toByteArray()));
        assertEquals(128, t.getWidth());
        assertEquals(96, t.getHeight());
        assertEquals(1, t.getRaster().getNumBands());
    }

    @Test
    void bytesThatAreNoImageAreRefusedWithAClearMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ThumbnailMaker.make(new byte[] {1, 2, 3, 4}));
        assertTrue(e.getMessage().contains("not a decodable"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ThumbnailMaker.make(new byte[0]));
    }
}
