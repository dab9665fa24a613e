package org.triage.alerts.http;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.Optional;
import org.triage.alerts.auth.Principal;
import org.triage.alerts.auth.TokenStore;

/** Resolves {@code Authorization: Bearer TOKEN} to a principal, or answers 401 itself. */
final class BearerAuth {
    private static final String PREFIX = "bearer ";
    private final TokenStore tokens;

    BearerAuth(TokenStore tokens) {
        this.tokens = tokens;
    }

    /** The caller, or empty after a 401 has been sent. */
    Optional<Principal> require(HttpExchange ex) throws IOException {
        String header = ex.getRequestHeaders().getFirst("Authorization");
        if (header == null) {
            unauthorized(ex, "missing Authorization: Bearer token");
            return Optional.empty();
        }
        if (header.length() <= PREFIX.length() || !header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            unauthorized(ex, "Authorization header must be: Bearer TOKEN");
            return Optional.empty();
        }
        Optional<Principal> p = tokens.authenticate(header.substring(PREFIX.length()).strip());
        if (p.isEmpty()) unauthorized(ex, "unknown token");
        return p;
    }

    private static void unauthorized(HttpExchange ex, String message) throws IOException {
        ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"triage-alerts\"");
        HttpIO.sendError(ex, 401, message);
    }
}
