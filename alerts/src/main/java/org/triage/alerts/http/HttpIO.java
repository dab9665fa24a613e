package org.triage.alerts.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Small helpers for writing responses and reading bounded request bodies. */
final class HttpIO {
    static final String JSON = "application/json; charset=utf-8";

    private HttpIO() {
    }

    static void sendJson(HttpExchange ex, int status, JsonNode body) throws IOException {
        send(ex, status, JSON, AlertJson.MAPPER.writeValueAsBytes(body));
    }

    static void sendError(HttpExchange ex, int status, String message) throws IOException {
        sendJson(ex, status, AlertJson.error(message));
    }

    /** True for GET or HEAD; otherwise answers 405 with {@code Allow: GET} and returns false. */
    static boolean requireGet(HttpExchange ex) throws IOException {
        String m = ex.getRequestMethod();
        if (m.equals("GET") || m.equals("HEAD")) {
            return true;
        }
        ex.getResponseHeaders().set("Allow", "GET");
        sendError(ex, 405, "method " + m + " not allowed here (use GET)");
        return false;
    }

    static void send(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        if (!ex.getResponseHeaders().containsKey("Cache-Control")) {
            ex.getResponseHeaders().set("Cache-Control", "no-store");
        }
        boolean head = "HEAD".equals(ex.getRequestMethod());
        ex.sendResponseHeaders(status, head ? -1 : (body.length == 0 ? -1 : body.length));
        if (!head && body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
        ex.close();
    }

    /**
     * Reads at most {@code max} bytes of body. The declared length is not trusted for sizing a
     * buffer: a lying header could otherwise make us allocate gigabytes.
     */
    static byte[] readBody(HttpExchange ex, int max) throws IOException, BodyTooLargeException {
        try (InputStream in = ex.getRequestBody()) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream(Math.min(max, 1024));
            byte[] chunk = new byte[4096];
            int n;
            while ((n = in.read(chunk)) >= 0) {
                if (buf.size() + n > max) throw new BodyTooLargeException(max);
                buf.write(chunk, 0, n);
            }
            return buf.toByteArray();
        }
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    static final class BodyTooLargeException extends Exception {
        BodyTooLargeException(int max) {
            super("request body larger than " + max + " bytes");
        }
    }
}
