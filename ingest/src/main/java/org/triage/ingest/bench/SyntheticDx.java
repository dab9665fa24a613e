package org.triage.ingest.bench;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.triage.ingest.dicom.Part10;
import org.triage.ingest.dicom.Uids;

/** Writes synthetic 16-bit DX Part 10 files (gradient plus noise, no patient data) for the benchmark and the demo. */
public final class SyntheticDx {
    private SyntheticDx() {
    }

    public static byte[] create(int rows, int cols, long seed) {
        String uid = "2.25." + (Long.toUnsignedString(0x5EED0000_00000000L | (seed & 0xFFFFFFFFL))) + System.nanoTime() % 1_000_000;
        Random rnd = new Random(seed);
        byte[] px = new byte[rows * cols * 2];
        for (int y = 0; y < rows; y++) {
            for (int x = 0; x < cols; x++) {
                int v = Math.min(65535, x * 40 + y * 20 + rnd.nextInt(4000));
                int i = 2 * (y * cols + x);
                px[i] = (byte) v;
                px[i + 1] = (byte) (v >>> 8);
            }
        }
        ByteArrayOutputStream ds = new ByteArrayOutputStream(px.length + 512);
        str(ds, 0x00080016, "UI", Uids.DX_PRESENTATION);
        str(ds, 0x00080018, "UI", uid);
        str(ds, 0x00080060, "CS", "DX");
        str(ds, 0x00100020, "LO", "SYNTH" + seed);
        str(ds, 0x00180015, "CS", "CHEST");
        str(ds, 0x00185101, "CS", "PA");
        str(ds, 0x0020000D, "UI", uid + ".1");
        str(ds, 0x0020000E, "UI", uid + ".2");
        us(ds, 0x00280002, 1);
        str(ds, 0x00280004, "CS", "MONOCHROME2");
        us(ds, 0x00280010, rows);
        us(ds, 0x00280011, cols);
        us(ds, 0x00280100, 16);
        us(ds, 0x00280101, 16);
        us(ds, 0x00280102, 15);
        us(ds, 0x00280103, 0);
        header(ds, 0x7FE00010, "OW", px.length, true);
        ds.writeBytes(px);
        return Part10.wrap(Uids.DX_PRESENTATION, uid, Uids.EXPLICIT_VR_LE, ds.toByteArray());
    }

    private static void str(ByteArrayOutputStream out, int tag, String vr, String s) {
        byte[] v = s.getBytes(StandardCharsets.US_ASCII);
        int n = v.length + (v.length & 1);
        header(out, tag, vr, n, false);
        out.writeBytes(v);
        if ((v.length & 1) == 1) {
            out.write(vr.equals("UI") ? 0 : ' ');
        }
    }

    private static void us(ByteArrayOutputStream out, int tag, int v) {
        header(out, tag, "US", 2, false);
        out.write(v);
        out.write(v >>> 8);
    }

    private static void header(ByteArrayOutputStream out, int tag, String vr, int len, boolean longForm) {
        out.write(tag >>> 16);
        out.write(tag >>> 24);
        out.write(tag);
        out.write(tag >>> 8);
        out.writeBytes(vr.getBytes(StandardCharsets.US_ASCII));
        if (longForm) {
            out.write(0);
            out.write(0);
            out.write(len);
            out.write(len >>> 8);
            out.write(len >>> 16);
            out.write(len >>> 24);
        } else {
            out.write(len);
            out.write(len >>> 8);
        }
    }
}
