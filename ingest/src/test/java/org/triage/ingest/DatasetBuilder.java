package org.triage.ingest;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.triage.ingest.dicom.Part10;
import org.triage.ingest.dicom.Uids;

/** Hand-made Explicit VR Little Endian datasets for malformed-input tests (elements must be added in tag order). */
public final class DatasetBuilder {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public DatasetBuilder str(int tag, String vr, String value) {
        byte[] v = value.getBytes(StandardCharsets.US_ASCII);
        if ((v.length & 1) == 1) {
            byte[] p = new byte[v.length + 1];
            System.arraycopy(v, 0, p, 0, v.length);
            p[v.length] = (byte) (vr.equals("UI") ? 0 : ' ');
            v = p;
        }
        return raw(tag, vr, v, v.length);
    }

    public DatasetBuilder us(int tag, int value) {
        return raw(tag, "US", new byte[] {(byte) value, (byte) (value >>> 8)}, 2);
    }

    /** An element whose declared length may lie about its value. */
    public DatasetBuilder raw(int tag, String vr, byte[] value, long declaredLength) {
        out.write(tag >>> 16);
        out.write(tag >>> 24);
        out.write(tag);
        out.write(tag >>> 8);
        out.writeBytes(vr.getBytes(StandardCharsets.US_ASCII));
        if (vr.equals("OB") || vr.equals("OW") || vr.equals("SQ") || vr.equals("UN") || vr.equals("UT")) {
            out.write(0);
            out.write(0);
            out.write((int) declaredLength);
            out.write((int) (declaredLength >>> 8));
            out.write((int) (declaredLength >>> 16));
            out.write((int) (declaredLength >>> 24));
        } else {
            out.write((int) declaredLength);
            out.write((int) (declaredLength >>> 8));
        }
        out.writeBytes(value);
        return this;
    }

    public byte[] dataset() {
        return out.toByteArray();
    }

    public byte[] part10(String sopClass, String sopInstance) {
        return Part10.wrap(sopClass, sopInstance, Uids.EXPLICIT_VR_LE, dataset());
    }

    /** A valid small DX image header with the given geometry; pixel data of {@code pixelBytes} follows. */
    public static DatasetBuilder image(String sopInstance, int rows, int cols, int pixelBytes, long declaredPixelLength) {
        return new DatasetBuilder()
                .str(0x00080016, "UI", Uids.DX_PRESENTATION)
                .str(0x00080018, "UI", sopInstance)
                .str(0x00080060, "CS", "DX")
                .us(0x00280002, 1)
                .str(0x00280004, "CS", "MONOCHROME2")
                .us(0x00280010, rows)
                .us(0x00280011, cols)
                .us(0x00280100, 16)
                .us(0x00280101, 16)
                .us(0x00280102, 15)
                .us(0x00280103, 0)
                .raw(0x7FE00010, "OW", new byte[pixelBytes], declaredPixelLength);
    }
}
