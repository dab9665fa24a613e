package org.triage.ingest.stow;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * Bearer tokens STOW-RS clients must present ({@code Authorization: Bearer <token>}). Several tokens
 * may be valid at once so that one can be rotated without downtime. Tokens are compared as SHA-256
 * digests with {@link MessageDigest#isEqual} against every configured token, so neither the position
 * of the first wrong byte nor the token's length nor which token matched shows in the timing.
 */
public final class StowAuth {
    public static final String ENV_TOKENS = "TRIAGE_STOW_TOKENS";
    private static final StowAuth NONE = new StowAuth(List.of());

    private final List<byte[]> digests;

    private StowAuth(List<byte[]> digests) {
        this.digests = List.copyOf(digests);
    }

    /** No tokens: every request is accepted (only allowed on a loopback address, see IngestService). */
    public static StowAuth none() {
        return NONE;
    }

    public static StowAuth of(List<String> tokens) {
        List<byte[]> d = new ArrayList<>();
        for (String t : tokens) {
            String s = t.trim();
            if (!s.isEmpty()) {
                d.add(sha256(s));
            }
        }
        return new StowAuth(d);
    }

    /**
     * Tokens from {@code file} (one per line; blank lines and {@code #} comments ignored) and from
     * {@code env} (comma or whitespace separated), both optional.
     */
    public static StowAuth load(Path file, String env) {
        List<String> tokens = new ArrayList<>();
        if (file != null) {
            try {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    String s = line.strip();
                    if (!s.isEmpty() && !s.startsWith("#")) {
                        tokens.add(s);
                    }
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("--stow-token-file " + file + ": cannot read it (" + e.getMessage()
                        + "); give a file with one bearer token per line", e);
            }
            if (tokens.isEmpty()) {
                throw new IllegalArgumentException("--stow-token-file " + file + ": holds no token; give one bearer token per line");
            }
        }
        if (env != null) {
            for (String t : env.split("[,\\s]+")) {
                if (!t.isBlank()) {
                    tokens.add(t);
                }
            }
        }
        return of(tokens);
    }

    public boolean enabled() {
        return !digests.isEmpty();
    }

    public int size() {
        return digests.size();
    }

    /** Null when the request may pass; otherwise why not (sent back in the 401). */
    public String reject(String authorization) {
        if (!enabled()) {
            return null;
        }
        if (authorization == null || authorization.isBlank()) {
            return "missing Authorization: Bearer token";
        }
        String h = authorization.strip();
        if (h.length() < 7 || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return "Authorization must use the Bearer scheme";
        }
        byte[] presented = sha256(h.substring(7).strip());
        boolean ok = false;
        for (byte[] d : digests) {
            ok |= MessageDigest.isEqual(d, presented);
        }
        return ok ? null : "invalid bearer token";
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
