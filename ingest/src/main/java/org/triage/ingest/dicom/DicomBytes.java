package org.triage.ingest.dicom;

/** Little helpers for callers outside the package that hold raw DICOM bytes. */
public final class DicomBytes {
    private DicomBytes() {
    }

    public static long u32le(byte[] b, int off) {
        return ByteReader.u32(b, off, false);
    }
}
