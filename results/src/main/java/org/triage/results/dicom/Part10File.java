package org.triage.results.dicom;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Wraps a dataset as a PS3.10 file: preamble, "DICM", file meta information, Explicit VR Little Endian. */
public final class Part10File {
    public static final String EXPLICIT_VR_LE = "1.2.840.10008.1.2.1";
    /** Under the 2.25 root, fixed: names this writer, not a product registration. */
    static final String IMPLEMENTATION_CLASS_UID = "2.25.186015853926356212302153496419385366577";

    private Part10File() {
    }

    public static byte[] write(String sopClassUid, String sopInstanceUid, DicomDataset dataset) {
        byte[] meta = new DicomDataset()
                .bytes(0x00020001, "OB", new byte[] {0, 1})
                .text(0x00020002, "UI", sopClassUid)
                .text(0x00020003, "UI", sopInstanceUid)
                .text(0x00020010, "UI", EXPLICIT_VR_LE)
                .text(0x00020012, "UI", IMPLEMENTATION_CLASS_UID)
                .encode();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[128]);
        out.writeBytes("DICM".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(new DicomDataset()
                .bytes(0x00020000, "UL", ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(meta.length).array()).encode());
        out.writeBytes(meta);
        out.writeBytes(dataset.encode());
        return out.toByteArray();
    }
}
