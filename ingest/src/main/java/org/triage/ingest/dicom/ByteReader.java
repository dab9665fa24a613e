package org.triage.ingest.dicom;

/** Bounds-checked reads from a byte array; every read says what it was reading when input ends early. */
final class ByteReader {
    private ByteReader() {
    }

    static int u16(byte[] b, int off, boolean bigEndian) {
        int b0 = b[off] & 0xFF;
        int b1 = b[off + 1] & 0xFF;
        return bigEndian ? (b0 << 8) | b1 : (b1 << 8) | b0;
    }

    static long u32(byte[] b, int off, boolean bigEndian) {
        long b0 = b[off] & 0xFF;
        long b1 = b[off + 1] & 0xFF;
        long b2 = b[off + 2] & 0xFF;
        long b3 = b[off + 3] & 0xFF;
        return bigEndian ? (b0 << 24) | (b1 << 16) | (b2 << 8) | b3 : (b3 << 24) | (b2 << 16) | (b1 << 8) | b0;
    }
}
