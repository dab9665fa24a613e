package org.triage.ingest.dicom;

import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * A strict reader for DICOM Part 10 files and bare datasets (as received in C-STORE).
 *
 * <p>It reads from a byte array that is already bounded by {@link DicomLimits#maxDatasetBytes()}, and
 * checks every declared length against the bytes that remain and {@link DicomLimits#maxElementLength()}
 * before using it, so a lying length yields a clear error instead of an allocation or an overrun.
 * Values are not copied: the result is a set of views into the input.
 */
public final class DicomReader {
    private static final Set<String> LONG_VRS = Set.of("OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV");
    private static final Set<String> KNOWN_VRS = Set.of("AE", "AS", "AT", "CS", "DA", "DS", "DT", "FL", "FD", "IS", "LO", "LT",
            "OB", "OD", "OF", "OL", "OV", "OW", "PN", "SH", "SL", "SQ", "SS", "ST", "SV", "TM", "UC", "UI", "UL", "UN", "UR",
            "US", "UT", "UV");
    private static final long UNDEFINED = 0xFFFFFFFFL;
    private static final int MAX_DEPTH = 32;

    private final DicomLimits limits;

    public DicomReader(DicomLimits limits) {
        this.limits = limits;
    }

    /** True when the bytes start like a Part 10 file (preamble + "DICM"). */
    public static boolean looksLikePart10(byte[] b) {
        return b.length >= 132 && b[128] == 'D' && b[129] == 'I' && b[130] == 'C' && b[131] == 'M';
    }

    /**
     * Reads a Part 10 file; also accepts a file without preamble (meta group first, or a bare dataset,
     * whose encoding is then guessed) because older archives hold such files.
     */
    public DicomObject readFile(byte[] b) throws DicomException {
        checkSize(b.length);
        int pos;
        if (looksLikePart10(b)) {
            pos = 132;
        } else if (b.length >= 8 && ByteReader.u16(b, 0, false) == 0x0002) {
            pos = 0;
        } else {
            String guessed = guessEncoding(b);
            return readDataset(b, 0, guessed);
        }
        DicomObject meta = new DicomObject(b, false, Uids.EXPLICIT_VR_LE);
        int end = b.length;
        // The meta group is always Explicit VR Little Endian, whatever follows.
        while (pos + 4 <= end && ByteReader.u16(b, pos, false) == 0x0002) {
            pos = readElement(meta, b, pos, end, true, false, 0, true);
        }
        String ts = meta.getString(Tag.TRANSFER_SYNTAX_UID);
        if (ts == null) {
            throw new DicomException("file meta information has no Transfer Syntax UID (0002,0010)");
        }
        DicomObject ds = readDataset(b, pos, ts);
        // Keep the meta elements reachable (SOP class/instance if the dataset lacks them).
        copyMeta(meta, ds);
        return ds;
    }

    /**
     * The file meta information group of a Part 10 file alone: what a sender needs (SOP class and instance, transfer
     * syntax), whatever the dataset holds (a structured report has no pixel data).
     */
    public DicomObject readFileMeta(byte[] b) throws DicomException {
        checkSize(b.length);
        if (!looksLikePart10(b)) {
            throw new DicomException("not a Part 10 file");
        }
        DicomObject meta = new DicomObject(b, false, Uids.EXPLICIT_VR_LE);
        int pos = 132;
        while (pos + 4 <= b.length && ByteReader.u16(b, pos, false) == 0x0002) {
            pos = readElement(meta, b, pos, b.length, true, false, 0, true);
        }
        if (meta.getString(Tag.TRANSFER_SYNTAX_UID) == null) {
            throw new DicomException("file meta information has no Transfer Syntax UID (0002,0010)");
        }
        return meta;
    }

    /** Reads a dataset encoded in {@code transferSyntax}, starting at {@code offset}. */
    public DicomObject readDataset(byte[] b, int offset, String transferSyntax) throws DicomException {
        checkSize(b.length);
        if (Uids.DEFLATED_EXPLICIT_VR_LE.equals(transferSyntax)) {
            throw new DicomException("Deflated Explicit VR Little Endian is not supported",
                    DicomException.Status.TRANSFER_SYNTAX_NOT_SUPPORTED);
        }
        boolean explicit = !Uids.IMPLICIT_VR_LE.equals(transferSyntax);
        boolean bigEndian = Uids.EXPLICIT_VR_BE.equals(transferSyntax);
        DicomObject ds = new DicomObject(b, bigEndian, transferSyntax);
        int pos = offset;
        while (pos < b.length) {
            if (b.length - pos < 8) {
                // Trailing padding shorter than an element header: some writers leave a stray byte.
                if (allZero(b, pos, b.length)) {
                    break;
                }
                throw new DicomException("truncated element header at byte " + pos);
            }
            pos = readElement(ds, b, pos, b.length, explicit, bigEndian, 0, true);
        }
        if (ds.element(Tag.PIXEL_DATA) == null && !ds.encapsulated()) {
            throw new DicomException("dataset has no Pixel Data (7FE0,0010)");
        }
        return ds;
    }

    private void checkSize(int length) throws DicomException {
        if (length > limits.maxDatasetBytes()) {
            throw new DicomException("dataset of " + length + " bytes exceeds the limit of " + limits.maxDatasetBytes(),
                    DicomException.Status.OUT_OF_RESOURCES);
        }
    }

    private int readElement(DicomObject target, byte[] b, int pos, int end, boolean explicit, boolean bigEndian, int depth,
                            boolean store) throws DicomException {
        need(b, pos, 8, end, "element header");
        int tag = (ByteReader.u16(b, pos, bigEndian) << 16) | ByteReader.u16(b, pos + 2, bigEndian);
        if (tag == Tag.ITEM || tag == Tag.ITEM_DELIMITATION || tag == Tag.SEQUENCE_DELIMITATION) {
            throw new DicomException("unexpected " + Tag.toString(tag) + " at byte " + pos + " outside a sequence");
        }
        String vr;
        long length;
        int valuePos;
        if (explicit) {
            vr = new String(b, pos + 4, 2, StandardCharsets.US_ASCII);
            if (!KNOWN_VRS.contains(vr)) {
                throw new DicomException("invalid VR '" + printable(vr) + "' for " + Tag.toString(tag) + " at byte " + pos);
            }
            if (LONG_VRS.contains(vr)) {
                need(b, pos, 12, end, "element header");
                length = ByteReader.u32(b, pos + 8, bigEndian);
                valuePos = pos + 12;
            } else {
                length = ByteReader.u16(b, pos + 6, bigEndian);
                valuePos = pos + 8;
            }
        } else {
            vr = null;
            length = ByteReader.u32(b, pos + 4, bigEndian);
            valuePos = pos + 8;
        }
        if (length == UNDEFINED) {
            if (tag == Tag.PIXEL_DATA && depth == 0) {
                target.setEncapsulated();
                target.put(new DicomObject.Element(tag, vr == null ? "OB" : vr, valuePos, -1));
                return readFragments(target, b, valuePos, end, bigEndian);
            }
            if (explicit && !"SQ".equals(vr) && !"UN".equals(vr)) {
                throw new DicomException("undefined length not allowed for VR " + vr + " of " + Tag.toString(tag));
            }
            // An undefined-length UN holds an Implicit VR Little Endian sequence (PS3.5 6.2.2).
            boolean nestedExplicit = explicit && !"UN".equals(vr);
            boolean nestedBigEndian = bigEndian && nestedExplicit;
            return skipSequence(b, valuePos, end, nestedExplicit, nestedBigEndian, depth + 1);
        }
        checkLength(tag, length, valuePos, end);
        if (store && depth == 0) {
            target.put(new DicomObject.Element(tag, vr, valuePos, (int) length));
        }
        return valuePos + (int) length;
    }

    private void checkLength(int tag, long length, int valuePos, int end) throws DicomException {
        if (length > limits.maxElementLength()) {
            throw new DicomException("element " + Tag.toString(tag) + " declares " + length + " bytes, over the limit of "
                    + limits.maxElementLength());
        }
        if (length > end - valuePos) {
            throw new DicomException("element " + Tag.toString(tag) + " declares " + length + " bytes but only "
                    + (end - valuePos) + " remain (truncated or lying length)");
        }
    }

    private int skipSequence(byte[] b, int pos, int end, boolean explicit, boolean bigEndian, int depth) throws DicomException {
        if (depth > MAX_DEPTH) {
            throw new DicomException("sequences nested deeper than " + MAX_DEPTH);
        }
        while (true) {
            need(b, pos, 8, end, "sequence item header");
            int tag = (ByteReader.u16(b, pos, bigEndian) << 16) | ByteReader.u16(b, pos + 2, bigEndian);
            long length = ByteReader.u32(b, pos + 4, bigEndian);
            pos += 8;
            if (tag == Tag.SEQUENCE_DELIMITATION) {
                return pos;
            }
            if (tag != Tag.ITEM) {
                throw new DicomException("expected an item in a sequence, found " + Tag.toString(tag) + " at byte " + (pos - 8));
            }
            if (length == UNDEFINED) {
                pos = skipItem(b, pos, end, explicit, bigEndian, depth);
            } else {
                checkLength(tag, length, pos, end);
                pos += (int) length;
            }
        }
    }

    private int skipItem(byte[] b, int pos, int end, boolean explicit, boolean bigEndian, int depth) throws DicomException {
        while (true) {
            need(b, pos, 8, end, "item element header");
            int tag = (ByteReader.u16(b, pos, bigEndian) << 16) | ByteReader.u16(b, pos + 2, bigEndian);
            if (tag == Tag.ITEM_DELIMITATION) {
                return pos + 8;
            }
            pos = readElement(null, b, pos, end, explicit, bigEndian, depth, false);
        }
    }

    private int readFragments(DicomObject target, byte[] b, int pos, int end, boolean bigEndian) throws DicomException {
        while (true) {
            need(b, pos, 8, end, "pixel data fragment header");
            int tag = (ByteReader.u16(b, pos, bigEndian) << 16) | ByteReader.u16(b, pos + 2, bigEndian);
            long length = ByteReader.u32(b, pos + 4, bigEndian);
            pos += 8;
            if (tag == Tag.SEQUENCE_DELIMITATION) {
                return pos;
            }
            if (tag != Tag.ITEM || length == UNDEFINED) {
                throw new DicomException("malformed encapsulated pixel data at byte " + (pos - 8));
            }
            checkLength(Tag.PIXEL_DATA, length, pos, end);
            target.addFragment(pos, (int) length);
            pos += (int) length;
        }
    }

    private static void need(byte[] b, int pos, int n, int end, String what) throws DicomException {
        if (end - pos < n) {
            throw new DicomException("truncated input: " + what + " at byte " + pos + " needs " + n + " bytes, "
                    + Math.max(0, end - pos) + " remain");
        }
    }

    private static String guessEncoding(byte[] b) throws DicomException {
        if (b.length < 8) {
            throw new DicomException("not DICOM: " + b.length + " bytes");
        }
        String vr = new String(b, 4, 2, StandardCharsets.US_ASCII);
        if (KNOWN_VRS.contains(vr)) {
            return Uids.EXPLICIT_VR_LE;
        }
        int group = ByteReader.u16(b, 0, false);
        if (group == 0x0008 || group == 0x0010 || group == 0x0018 || group == 0x0020 || group == 0x0028) {
            return Uids.IMPLICIT_VR_LE;
        }
        throw new DicomException("not DICOM: no DICM preamble and no recognisable dataset");
    }

    private static void copyMeta(DicomObject meta, DicomObject ds) {
        for (int tag : new int[] {Tag.TRANSFER_SYNTAX_UID, Tag.MEDIA_STORAGE_SOP_CLASS_UID, Tag.MEDIA_STORAGE_SOP_INSTANCE_UID}) {
            DicomObject.Element e = meta.element(tag);
            if (e != null) {
                ds.put(e);
            }
        }
    }

    private static boolean allZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            sb.append(c >= 32 && c < 127 ? c : '?');
        }
        return sb.toString();
    }
}
