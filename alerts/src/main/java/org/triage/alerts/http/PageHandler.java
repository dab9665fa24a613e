package org.triage.alerts.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The live page at {@code /}: one self-contained HTML file (inline CSS and JS, nothing fetched
 * from elsewhere). The page itself is public; the data behind it needs a token, which the user
 * types in (or a link carries in its fragment) and the page keeps in sessionStorage.
 */
final class PageHandler implements HttpHandler {
    static final String RESOURCE = "/org/triage/alerts/web/index.html";
    // Inline script and style only; no other origin can be contacted from the page. blob: images are the
    // thumbnails, fetched with the token (an <img src> cannot send one) and shown from object URLs.
    private static final String CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
            + "connect-src 'self'; img-src 'self' data: blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    private final byte[] page;

    PageHandler() {
        try (InputStream in = PageHandler.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException("missing resource " + RESOURCE + " (broken build?)");
            page = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getRawPath();
        if (!path.equals("/") && !path.equals("/index.html")) {
            HttpIO.sendError(ex, 404, "no such resource");
            return;
        }
        if (!HttpIO.requireGet(ex)) {
            return;
        }
        ex.getResponseHeaders().set("Content-Security-Policy", CSP);
        ex.getResponseHeaders().set("X-Frame-Options", "DENY");
        ex.getResponseHeaders().set("Referrer-Policy", "no-referrer");
        HttpIO.send(ex, 200, "text/html; charset=utf-8", page);
    }
}
