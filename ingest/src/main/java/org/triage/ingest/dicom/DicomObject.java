package org.triage.ingest.dicom;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Top-level elements of a parsed dataset, as views into the received bytes (nothing is copied).
 * Nested sequence contents are validated and skipped: ingest never needs them.
 */
public final class DicomObject {
    /** One element: where its value lies in {@link #buffer()}. */
    record Element(int tag, String vr, int offset, int length) {
    }

    private final byte[] buffer;
    private final boolean bigEndian;
    private final String transferSyntax;
    private final Map<Integer, Element> elements = new HashMap<>();
    private final List<int[]> pixelFragments = new ArrayList<>();
    private boolean encapsulated;

    DicomObject(byte[] buffer, boolean bigEndian, String transferSyntax) {
        this.buffer = buffer;
        this.bigEndian = bigEndian;
        this.transferSyntax = transferSyntax;
    }

    void put(Element e) {
        elements.put(e.tag(), e);
    }

    void addFragment(int offset, int length) {
        pixelFragments.add(new int[] {offset, length});
    }

    void setEncapsulated() {
        encapsulated = true;
    }

    public byte[] buffer() {
        return buffer;
    }

    public boolean bigEndian() {
        return bigEndian;
    }

    public String transferSyntax() {
        return transferSyntax;
    }

    public boolean contains(int tag) {
        return elements.containsKey(tag);
    }

    public boolean encapsulated() {
        return encapsulated;
    }

    /** Encapsulated pixel data fragments as {offset, length}, basic offset table first. */
    public List<int[]> fragments() {
        return Collections.unmodifiableList(pixelFragments);
    }

    Element element(int tag) {
        return elements.get(tag);
    }

    /** Value as text, trailing padding removed; first value only when multi-valued is not wanted. */
    public String getString(int tag) {
        Element e = elements.get(tag);
        if (e == null || e.length() == 0) {
            return null;
        }
        String s = new String(buffer, e.offset(), e.length(), StandardCharsets.ISO_8859_1);
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\0')) {
            end--;
        }
        int start = 0;
        while (start < end && s.charAt(start) == ' ') {
            start++;
        }
        return end > start ? s.substring(start, end) : null;
    }

    /** First value of a multi-valued string (backslash separated). */
    public String getFirstString(int tag) {
        String s = getString(tag);
        if (s == null) {
            return null;
        }
        int i = s.indexOf('\\');
        String first = (i >= 0 ? s.substring(0, i) : s).trim();
        return first.isEmpty() ? null : first;
    }

    /** US value (or IS text, for lenient writers), or {@code def} when absent. */
    public int getInt(int tag, int def) throws DicomException {
        Element e = elements.get(tag);
        if (e == null || e.length() == 0) {
            return def;
        }
        if ("IS".equals(e.vr()) || "DS".equals(e.vr())) {
            Double d = getDouble(tag);
            return d == null ? def : (int) Math.round(d);
        }
        if (e.length() == 2 || "US".equals(e.vr()) || "SS".equals(e.vr())) {
            if (e.length() < 2) {
                throw new DicomException("element " + Tag.toString(tag) + " is too short for a 16-bit value");
            }
            int b0 = buffer[e.offset()] & 0xFF;
            int b1 = buffer[e.offset() + 1] & 0xFF;
            return bigEndian ? (b0 << 8) | b1 : (b1 << 8) | b0;
        }
        if (e.length() == 4) {
            long v = ByteReader.u32(buffer, e.offset(), bigEndian);
            if (v > Integer.MAX_VALUE) {
                throw new DicomException("element " + Tag.toString(tag) + " value out of range");
            }
            return (int) v;
        }
        // Implicit VR IS (e.g. Number of Frames) arrives as text of any length.
        Double d = getDouble(tag);
        return d == null ? def : (int) Math.round(d);
    }

    /** First value of a DS/IS element, or null when absent or not a number. */
    public Double getDouble(int tag) {
        String s = getFirstString(tag);
        if (s == null) {
            return null;
        }
        try {
            double d = Double.parseDouble(s);
            return Double.isFinite(d) ? d : null;
        } catch (NumberFormatException ex) {
            return null;
        }
    }

    /** Offset and length of native (uncompressed) pixel data, or null. */
    public int[] nativePixelData() {
        Element e = elements.get(Tag.PIXEL_DATA);
        if (e == null || encapsulated) {
            return null;
        }
        return new int[] {e.offset(), e.length()};
    }
}
