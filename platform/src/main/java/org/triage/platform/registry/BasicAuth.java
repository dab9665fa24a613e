package org.triage.platform.registry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * HTTP basic authentication for the registry: the users allowed in and their passwords. Passwords are kept
 * only as SHA-256 digests in memory and compared in constant time, so neither a heap dump nor response
 * timing gives them away. Spelled as Confluent's clients send it ({@code basic.auth.user.info=user:password}).
 */
public final class BasicAuth {
    private final Map<String, byte[]> digests;

    private BasicAuth(Map<String, byte[]> digests) {
        if (digests.isEmpty()) {
            throw new IllegalArgumentException("basic auth needs at least one user:password");
        }
        this.digests = Map.copyOf(digests);
    }

    /** One {@code user:password} (the password may contain ':'; the user may not). */
    public static BasicAuth of(String userInfo) {
        return lines(List.of(userInfo), "the basic auth setting");
    }

    /** A file of {@code user:password} lines; blank lines and lines starting with '#' are skipped. */
    public static BasicAuth fromFile(Path file) throws IOException {
        return lines(Files.readAllLines(file, StandardCharsets.UTF_8), file.toString());
    }

    /** The users of both, for a flag and a file given together. */
    public BasicAuth and(BasicAuth other) {
        Map<String, byte[]> all = new HashMap<>(digests);
        all.putAll(other.digests);
        return new BasicAuth(all);
    }

    private static BasicAuth lines(List<String> lines, String source) {
        Map<String, byte[]> digests = new HashMap<>();
        int n = 0;
        for (String raw : lines) {
            n++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0 || colon == line.length() - 1) {
                // Never echo the line: it would put a password into a log or a terminal.
                throw new IllegalArgumentException(source + (lines.size() > 1 ? " line " + n : "")
                        + " is not user:password (both parts non-empty)");
            }
            digests.put(line.substring(0, colon), sha256(line.substring(colon + 1)));
        }
        return new BasicAuth(digests);
    }

    /** Whether an {@code Authorization} header value names a known user with the right password. */
    public boolean allows(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return false;
        }
        byte[] given = sha256(decoded.substring(colon + 1));
        byte[] expected = digests.get(decoded.substring(0, colon));
        // Compare against something even for an unknown user, so timing does not tell users apart.
        return MessageDigest.isEqual(given, expected == null ? new byte[given.length] : expected) && expected != null;
    }

    public int users() {
        return digests.size();
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "BasicAuth[" + digests.size() + " user(s)]";
    }
}
