package org.triage.alerts.http;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.Optional;
import org.triage.alerts.thumbnails.ThumbnailCache;

/** {@code GET /api/films/{sop}/thumbnail}: the film's preview from the {@code thumbnails} topic, as image/png. */
final class ThumbnailRoute {
    private final ThumbnailCache cache;

    ThumbnailRoute(ThumbnailCache cache) {
        this.cache = cache;
    }

    void serve(HttpExchange ex, String sop) throws IOException {
        if (!HttpIO.requireGet(ex)) {
            return;
        }
        Optional<byte[]> png = cache.get(sop);
        if (png.isEmpty()) {
            HttpIO.sendError(ex, 404, "no thumbnail for this film (not yet written by the stream, or evicted from the cache)");
            return;
        }
        // A film's pixels never change, so its preview may be kept; private: it is behind a token.
        ex.getResponseHeaders().set("Cache-Control", "private, max-age=86400");
        HttpIO.send(ex, 200, "image/png", png.get());
    }
}
