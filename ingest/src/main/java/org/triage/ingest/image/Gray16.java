package org.triage.ingest.image;

/** A 16-bit grayscale image (MONOCHROME2: larger = brighter), pixels row-major, stored as unsigned shorts. */
public record Gray16(int width, int height, short[] pixels) {
    public Gray16 {
        if (width <= 0 || height <= 0 || pixels.length != (long) width * height) {
            throw new IllegalArgumentException("bad image shape " + width + "x" + height + " for " + pixels.length + " pixels");
        }
    }

    public int get(int x, int y) {
        return pixels[y * width + x] & 0xFFFF;
    }
}
