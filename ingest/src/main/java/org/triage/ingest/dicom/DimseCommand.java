package org.triage.ingest.dicom;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** A DIMSE command set (group 0000, always Implicit VR Little Endian, PS3.7 9.3 and 10.3). */
public final class DimseCommand {
    public static final int AFFECTED_SOP_CLASS_UID = 0x00000002;
    public static final int COMMAND_FIELD = 0x00000100;
    public static final int MESSAGE_ID = 0x00000110;
    public static final int MESSAGE_ID_BEING_RESPONDED_TO = 0x00000120;
    public static final int MOVE_DESTINATION = 0x00000600;
    public static final int PRIORITY = 0x00000700;
    public static final int COMMAND_DATA_SET_TYPE = 0x00000800;
    public static final int STATUS = 0x00000900;
    public static final int ERROR_COMMENT = 0x00000902;
    public static final int AFFECTED_SOP_INSTANCE_UID = 0x00001000;

    public static final int C_STORE_RQ = 0x0001;
    public static final int C_STORE_RSP = 0x8001;
    public static final int C_ECHO_RQ = 0x0030;
    public static final int C_ECHO_RSP = 0x8030;
    public static final int NO_DATA_SET = 0x0101;
    public static final int DATA_SET_PRESENT = 0x0000;

    private final Map<Integer, byte[]> elements;

    private DimseCommand(Map<Integer, byte[]> elements) {
        this.elements = elements;
    }

    public static DimseCommand parse(byte[] b) throws PduException {
        Map<Integer, byte[]> m = new LinkedHashMap<>();
        int pos = 0;
        while (pos < b.length) {
            if (b.length - pos < 8) {
                throw new PduException("truncated DIMSE command element", 6);
            }
            int tag = (ByteReader.u16(b, pos, false) << 16) | ByteReader.u16(b, pos + 2, false);
            long len = ByteReader.u32(b, pos + 4, false);
            pos += 8;
            if ((tag >>> 16) != 0 || len > b.length - pos) {
                throw new PduException("malformed DIMSE command element " + Tag.toString(tag), 6);
            }
            byte[] v = new byte[(int) len];
            System.arraycopy(b, pos, v, 0, (int) len);
            m.put(tag, v);
            pos += (int) len;
        }
        if (!m.containsKey(COMMAND_FIELD)) {
            throw new PduException("DIMSE command without Command Field", 6);
        }
        return new DimseCommand(m);
    }

    public int getUS(int tag, int def) {
        byte[] v = elements.get(tag);
        return v == null || v.length < 2 ? def : ByteReader.u16(v, 0, false);
    }

    public String getString(int tag) {
        byte[] v = elements.get(tag);
        if (v == null) {
            return null;
        }
        String s = new String(v, StandardCharsets.US_ASCII);
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == '\0' || s.charAt(end - 1) == ' ')) {
            end--;
        }
        return s.substring(0, end);
    }

    public int commandField() {
        return getUS(COMMAND_FIELD, -1);
    }

    public boolean hasDataSet() {
        return getUS(COMMAND_DATA_SET_TYPE, NO_DATA_SET) != NO_DATA_SET;
    }

    /** Builder for commands we send, encoded with the group length first. */
    public static final class Builder {
        private final TreeMap<Integer, byte[]> el = new TreeMap<>(Integer::compareUnsigned);

        public Builder us(int tag, int value) {
            el.put(tag, new byte[] {(byte) value, (byte) (value >>> 8)});
            return this;
        }

        public Builder ui(int tag, String uid) {
            byte[] s = uid.getBytes(StandardCharsets.US_ASCII);
            byte[] v = new byte[s.length + (s.length & 1)];
            System.arraycopy(s, 0, v, 0, s.length);
            el.put(tag, v);
            return this;
        }

        public Builder text(int tag, String text) {
            String t = text.length() > 64 ? text.substring(0, 64) : text;
            byte[] s = t.replaceAll("[^\\x20-\\x7E]", "?").getBytes(StandardCharsets.US_ASCII);
            byte[] v = new byte[s.length + (s.length & 1)];
            System.arraycopy(s, 0, v, 0, s.length);
            if ((s.length & 1) == 1) {
                v[s.length] = ' ';
            }
            el.put(tag, v);
            return this;
        }

        public byte[] encode() {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            for (Map.Entry<Integer, byte[]> e : el.entrySet()) {
                writeElement(body, e.getKey(), e.getValue());
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] len = new byte[4];
            int n = body.size();
            len[0] = (byte) n;
            len[1] = (byte) (n >>> 8);
            len[2] = (byte) (n >>> 16);
            len[3] = (byte) (n >>> 24);
            writeElement(out, 0x00000000, len);
            out.writeBytes(body.toByteArray());
            return out.toByteArray();
        }

        private static void writeElement(ByteArrayOutputStream out, int tag, byte[] v) {
            out.write(tag >>> 16);
            out.write(tag >>> 24);
            out.write(tag);
            out.write(tag >>> 8);
            int n = v.length;
            out.write(n);
            out.write(n >>> 8);
            out.write(n >>> 16);
            out.write(n >>> 24);
            out.writeBytes(v);
        }
    }
}
