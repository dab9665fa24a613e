package org.triage.ingest.dicom;

/**
 * Hard limits applied to untrusted DICOM input. Every length read from the wire is checked against
 * these and against the bytes actually available before anything is allocated from it.
 */
public record DicomLimits(long maxElementLength, int maxRows, int maxColumns, long maxDecompressedBytes,
                          long maxDatasetBytes) {
    public static final DicomLimits DEFAULT = new DicomLimits(256L << 20, 16384, 16384, 1L << 30, 512L << 20);

    public DicomLimits {
        if (maxElementLength <= 0 || maxRows <= 0 || maxColumns <= 0 || maxDecompressedBytes <= 0 || maxDatasetBytes <= 0) {
            throw new IllegalArgumentException("DICOM limits must be positive");
        }
    }

    public DicomLimits withMaxDimensions(int rows, int columns) {
        return new DicomLimits(maxElementLength, rows, columns, maxDecompressedBytes, maxDatasetBytes);
    }

    public DicomLimits withMaxDatasetBytes(long bytes) {
        return new DicomLimits(Math.min(maxElementLength, bytes), maxRows, maxColumns, maxDecompressedBytes, bytes);
    }
}
