package org.triage.ingest.dicom;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Writes a Part 10 file around a dataset, so that a DLQ record or a test fixture is self-describing. */
public final class Part10 {
    private Part10() {
    }

    public static byte[] wrap(String sopClass, String sopInstance, String transferSyntax, byte[] dataset) {
        ByteArrayOutputStream meta = new ByteArrayOutputStream();
        element(meta, 0x0001, "OB", new byte[] {0, 1});
        element(meta, 0x0002, "UI", ui(sopClass == null ? "" : sopClass));
        element(meta, 0x0003, "UI", ui(sopInstance == null ? "" : sopInstance));
        element(meta, 0x0010, "UI", ui(transferSyntax));
        element(meta, 0x0012, "UI", ui(Uids.IMPLEMENTATION_CLASS_UID));
        ByteArrayOutputStream out = new ByteArrayOutputStream(dataset.length + 256);
        out.writeBytes(new byte[128]);
        out.writeBytes("DICM".getBytes(StandardCharsets.US_ASCII));
        int n = meta.size();
        element(out, 0x0000, "UL", new byte[] {(byte) n, (byte) (n >>> 8), (byte) (n >>> 16), (byte) (n >>> 24)});
        out.writeBytes(meta.toByteArray());
        out.writeBytes(dataset);
        return out.toByteArray();
    }

    private static byte[] ui(String uid) {
        byte[] s = uid.getBytes(StandardCharsets.US_ASCII);
        byte[] v = new byte[s.length + (s.length & 1)];
        System.arraycopy(s, 0, v, 0, s.length);
        return v;
    }

    private static void element(ByteArrayOutputStream out, int elem, String vr, byte[] v) {
        out.write(0x02);
        out.write(0x00);
        out.write(elem);
        out.write(elem >>> 8);
        out.writeBytes(vr.getBytes(StandardCharsets.US_ASCII));
        if (vr.equals("OB")) {
            out.write(0);
            out.write(0);
            out.write(v.length);
            out.write(v.length >>> 8);
            out.write(v.length >>> 16);
            out.write(v.length >>> 24);
        } else {
            out.write(v.length);
            out.write(v.length >>> 8);
        }
        out.writeBytes(v);
    }

    /** Offset of the dataset in a Part 10 file (after the meta group), read via the group length. */
    public static int datasetOffset(byte[] file) throws DicomException {
        if (!DicomReader.looksLikePart10(file)) {
            throw new DicomException("not a Part 10 file");
        }
        int pos = 132;
        while (pos + 8 <= file.length && ByteReader.u16(file, pos, false) == 0x0002) {
            String vr = new String(file, pos + 4, 2, StandardCharsets.US_ASCII);
            long len;
            int header;
            if (vr.equals("OB") || vr.equals("UN") || vr.equals("UT") || vr.equals("SQ") || vr.equals("OW")) {
                if (pos + 12 > file.length) {
                    throw new DicomException("truncated meta header");
                }
                len = ByteReader.u32(file, pos + 8, false);
                header = 12;
            } else {
                len = ByteReader.u16(file, pos + 6, false);
                header = 8;
            }
            if (len > file.length - pos - header) {
                throw new DicomException("meta element length exceeds the file");
            }
            pos += header + (int) len;
        }
        return pos;
    }
}
