package org.triage.cli.demo;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Writes a minimal Digital X-Ray (For Presentation) Part 10 file, Explicit VR Little Endian,
 * 16-bit MONOCHROME2, so that the demo can push its phantom images through the C-STORE SCP the
 * way a modality would. Only the attributes a receiver needs are written; elements are emitted
 * in ascending tag order as Part 5 requires.
 */
public final class DicomPart10Writer {
    public static final String DX_PRESENTATION = "1.2.840.10008.5.1.4.1.1.1.1";
    public static final String EXPLICIT_VR_LE = "1.2.840.10008.1.2.1";
    private static final String IMPLEMENTATION_CLASS_UID = "1.2.826.0.1.3680043.10.1234.1";

    /** What the demo knows about one synthetic study; the patient values are fake by construction. */
    public record Instance(String sopInstanceUid, String studyUid, String seriesUid, String patientId,
                           String patientName, int rows, int columns, short[] pixels) {
    }

    private DicomPart10Writer() {
    }

    public static byte[] write(Instance in) {
        if (in.pixels().length != in.rows() * in.columns()) {
            throw new IllegalArgumentException("pixel count " + in.pixels().length + " != rows*columns");
        }
        ByteArrayOutputStream dataset = new ByteArrayOutputStream();
        str(dataset, 0x0008, 0x0016, "UI", DX_PRESENTATION);
        str(dataset, 0x0008, 0x0018, "UI", in.sopInstanceUid());
        str(dataset, 0x0008, 0x0060, "CS", "DX");
        str(dataset, 0x0010, 0x0010, "PN", in.patientName());
        str(dataset, 0x0010, 0x0020, "LO", in.patientId());
        str(dataset, 0x0018, 0x0015, "CS", "CHEST");
        str(dataset, 0x0018, 0x5101, "CS", "PA");
        str(dataset, 0x0020, 0x000D, "UI", in.studyUid());
        str(dataset, 0x0020, 0x000E, "UI", in.seriesUid());
        us(dataset, 0x0028, 0x0002, 1);
        str(dataset, 0x0028, 0x0004, "CS", "MONOCHROME2");
        us(dataset, 0x0028, 0x0010, in.rows());
        us(dataset, 0x0028, 0x0011, in.columns());
        us(dataset, 0x0028, 0x0100, 16);
        us(dataset, 0x0028, 0x0101, 16);
        us(dataset, 0x0028, 0x0102, 15);
        us(dataset, 0x0028, 0x0103, 0);
        // Ingest quarantines films that do not say their pixels are free of names; these phantoms are.
        str(dataset, 0x0028, 0x0301, "CS", "NO");
        // A VOI window that maps the stored values onto themselves (ingest: ((x - (c - 0.5)) / (w - 1) + 0.5) x 65535 = x):
        // without one, ingest stretches each frame to its own min and max, and the stream scores films that no longer look
        // like the files the model was trained and calibrated on (measured: 1.19 label spreads between the two embeddings).
        str(dataset, 0x0028, 0x1050, "DS", "32768");
        str(dataset, 0x0028, 0x1051, "DS", "65536");
        ByteBuffer px = ByteBuffer.allocate(in.pixels().length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (short s : in.pixels()) px.putShort(s);
        element(dataset, 0x7FE0, 0x0010, "OW", px.array());

        ByteArrayOutputStream meta = new ByteArrayOutputStream();
        element(meta, 0x0002, 0x0001, "OB", new byte[] {0, 1});
        str(meta, 0x0002, 0x0002, "UI", DX_PRESENTATION);
        str(meta, 0x0002, 0x0003, "UI", in.sopInstanceUid());
        str(meta, 0x0002, 0x0010, "UI", EXPLICIT_VR_LE);
        str(meta, 0x0002, 0x0012, "UI", IMPLEMENTATION_CLASS_UID);
        byte[] metaBytes = meta.toByteArray();

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[128]);
        out.writeBytes("DICM".getBytes(StandardCharsets.US_ASCII));
        ByteBuffer groupLength = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(metaBytes.length);
        element(out, 0x0002, 0x0000, "UL", groupLength.array());
        out.writeBytes(metaBytes);
        out.writeBytes(dataset.toByteArray());
        return out.toByteArray();
    }

    private static void us(ByteArrayOutputStream out, int group, int elem, int value) {
        element(out, group, elem, "US", ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) value).array());
    }

    private static void str(ByteArrayOutputStream out, int group, int elem, String vr, String value) {
        byte[] b = value.getBytes(StandardCharsets.US_ASCII);
        if (b.length % 2 == 1) {
            // Part 5: values have even length; UIDs pad with NUL, text with space.
            byte[] padded = new byte[b.length + 1];
            System.arraycopy(b, 0, padded, 0, b.length);
            padded[b.length] = "UI".equals(vr) ? 0 : (byte) ' ';
            b = padded;
        }
        element(out, group, elem, vr, b);
    }

    private static void element(ByteArrayOutputStream out, int group, int elem, String vr, byte[] value) {
        ByteBuffer h;
        boolean longForm = vr.equals("OB") || vr.equals("OW") || vr.equals("SQ") || vr.equals("UN") || vr.equals("UT");
        h = ByteBuffer.allocate(longForm ? 12 : 8).order(ByteOrder.LITTLE_ENDIAN);
        h.putShort((short) group).putShort((short) elem).put(vr.getBytes(StandardCharsets.US_ASCII));
        if (longForm) {
            h.putShort((short) 0).putInt(value.length);
        } else {
            h.putShort((short) value.length);
        }
        out.writeBytes(h.array());
        out.writeBytes(value);
    }
}
