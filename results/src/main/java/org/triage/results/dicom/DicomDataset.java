package org.triage.results.dicom;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A dataset being written, Explicit VR Little Endian, with nested sequences of defined length. Elements come out
 * in ascending tag order whatever order they were put in, as PS3.5 requires. Text is UTF-8 (the writer of the
 * file declares ISO_IR 192).
 */
public final class DicomDataset {
    private sealed interface Value permits Bytes, Sequence {
    }

    private record Bytes(String vr, byte[] value) implements Value {
    }

    private record Sequence(List<DicomDataset> items) implements Value {
    }

    /** Unsigned order of (group, element), so group 0xFFFE never sorts first. */
    private final Map<Long, Value> elements = new TreeMap<>();

    public DicomDataset text(int tag, String vr, String value) {
        byte[] b = (value == null ? "" : value).getBytes(StandardCharsets.UTF_8);
        if (b.length % 2 == 1) {
            // PS3.5 6.2: even lengths; UIDs pad with NUL, text with a space.
            byte[] padded = new byte[b.length + 1];
            System.arraycopy(b, 0, padded, 0, b.length);
            padded[b.length] = "UI".equals(vr) ? 0 : (byte) ' ';
            b = padded;
        }
        elements.put(Integer.toUnsignedLong(tag), new Bytes(vr, b));
        return this;
    }

    public DicomDataset bytes(int tag, String vr, byte[] value) {
        elements.put(Integer.toUnsignedLong(tag), new Bytes(vr, value.clone()));
        return this;
    }

    /** A sequence; no items makes an empty (type 2) sequence. */
    public DicomDataset sequence(int tag, DicomDataset... items) {
        elements.put(Integer.toUnsignedLong(tag), new Sequence(new ArrayList<>(List.of(items))));
        return this;
    }

    public DicomDataset sequence(int tag, List<DicomDataset> items) {
        elements.put(Integer.toUnsignedLong(tag), new Sequence(new ArrayList<>(items)));
        return this;
    }

    public byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Map.Entry<Long, Value> e : elements.entrySet()) {
            int tag = (int) (long) e.getKey();
            if (e.getValue() instanceof Bytes b) {
                header(out, tag, b.vr(), b.value().length);
                out.writeBytes(b.value());
            } else if (e.getValue() instanceof Sequence s) {
                ByteArrayOutputStream items = new ByteArrayOutputStream();
                for (DicomDataset item : s.items()) {
                    byte[] body = item.encode();
                    items.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
                            .putShort((short) 0xFFFE).putShort((short) 0xE000).putInt(body.length).array());
                    items.writeBytes(body);
                }
                header(out, tag, "SQ", items.size());
                out.writeBytes(items.toByteArray());
            }
        }
        return out.toByteArray();
    }

    private static void header(ByteArrayOutputStream out, int tag, String vr, int length) {
        boolean longForm = switch (vr) {
            case "OB", "OW", "OF", "SQ", "UN", "UT", "UC", "UR" -> true;
            default -> false;
        };
        ByteBuffer h = ByteBuffer.allocate(longForm ? 12 : 8).order(ByteOrder.LITTLE_ENDIAN);
        h.putShort((short) (tag >>> 16)).putShort((short) tag).put(vr.getBytes(StandardCharsets.US_ASCII));
        if (longForm) {
            h.putShort((short) 0).putInt(length);
        } else {
            if (length > 0xFFFF) {
                throw new IllegalArgumentException("value of " + Integer.toHexString(tag) + " too long for VR " + vr);
            }
            h.putShort((short) length);
        }
        out.writeBytes(h.array());
    }
}
