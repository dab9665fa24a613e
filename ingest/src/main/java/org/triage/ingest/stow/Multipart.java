package org.triage.ingest.stow;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Minimal multipart/related parsing (RFC 2387 / RFC 2046) over an in-memory, size-bounded body. */
final class Multipart {
    record Part(Map<String, String> headers, int offset, int length) {
        String contentType() {
            return headers.get("content-type");
        }
    }

    static final class MalformedException extends Exception {
        MalformedException(String m) {
            super(m);
        }
    }

    private Multipart() {
    }

    /** Media type and lower-cased parameters of a Content-Type value. */
    static Map<String, String> parseContentType(String value) {
        Map<String, String> m = new LinkedHashMap<>();
        if (value == null) {
            return m;
        }
        String[] parts = value.split(";");
        m.put("", parts[0].trim().toLowerCase(Locale.ROOT));
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq < 0) {
                continue;
            }
            String k = parts[i].substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String v = parts[i].substring(eq + 1).trim();
            if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
                v = v.substring(1, v.length() - 1);
            }
            m.put(k, v);
        }
        return m;
    }

    static List<Part> parse(byte[] body, String boundary) throws MalformedException {
        byte[] delim = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        int pos = indexOf(body, delim, 0);
        if (pos < 0) {
            throw new MalformedException("multipart body has no boundary line");
        }
        List<Part> parts = new ArrayList<>();
        while (true) {
            int after = pos + delim.length;
            if (after + 2 <= body.length && body[after] == '-' && body[after + 1] == '-') {
                return parts; // closing delimiter
            }
            int lineEnd = indexOf(body, new byte[] {'\r', '\n'}, after);
            if (lineEnd < 0) {
                throw new MalformedException("truncated multipart body");
            }
            int headerEnd = indexOf(body, new byte[] {'\r', '\n', '\r', '\n'}, lineEnd);
            Map<String, String> headers = new LinkedHashMap<>();
            int contentStart;
            if (headerEnd < 0 || (headerEnd > lineEnd && indexOf(body, delim, lineEnd) >= 0 && indexOf(body, delim, lineEnd) < headerEnd)) {
                throw new MalformedException("multipart part without header terminator");
            }
            String head = new String(body, lineEnd + 2, Math.max(0, headerEnd - lineEnd - 2), StandardCharsets.ISO_8859_1);
            for (String line : head.split("\r\n")) {
                int c = line.indexOf(':');
                if (c > 0) {
                    headers.put(line.substring(0, c).trim().toLowerCase(Locale.ROOT), line.substring(c + 1).trim());
                }
            }
            contentStart = headerEnd + 4;
            if (headerEnd == lineEnd) {
                contentStart = lineEnd + 4; // no headers at all
            }
            byte[] next = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
            int end = indexOf(body, next, contentStart);
            if (end < 0) {
                throw new MalformedException("multipart part is not terminated by a boundary");
            }
            parts.add(new Part(headers, contentStart, end - contentStart));
            pos = end + 2;
        }
    }

    static int indexOf(byte[] hay, byte[] needle, int from) {
        outer:
        for (int i = Math.max(0, from); i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
