package org.triage.alerts.auth;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.nio.file.attribute.PosixFilePermission;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bearer tokens and their roles, read from a tokens file.
 *
 * <p>Format: one {@code token:role} per line, role {@code viewer} or {@code responder}, with an
 * optional third field {@code token:role:name} naming the person or system (recorded as the actor
 * of its actions). Blank lines and lines starting with {@code #} are ignored. Without a name the
 * identity is the role plus a short fingerprint of the token, so actions stay attributable.
 *
 * <p>Only SHA-256 digests of the tokens are kept, and a lookup compares the presented token with
 * every entry without stopping early, so response time does not reveal how much of a token matched.
 */
public final class TokenStore {
    private static final Logger LOG = LoggerFactory.getLogger(TokenStore.class);
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._~+/=-]+");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");
    static final int MIN_RECOMMENDED_LENGTH = 16;

    private record Entry(byte[] digest, Principal principal) {
    }

    private final List<Entry> entries;
    private final int shortTokens;

    private TokenStore(List<Entry> entries, int shortTokens) {
        this.entries = List.copyOf(entries);
        this.shortTokens = shortTokens;
    }

    /** Reads and validates a tokens file; refuses (with the line number) anything malformed. */
    public static TokenStore load(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new TokensFileException("tokens file " + file + " does not exist");
        } catch (MalformedInputException e) {
            throw new TokensFileException("tokens file " + file + " is not UTF-8 text");
        } catch (IOException e) {
            throw new TokensFileException("cannot read tokens file " + file + ": " + e.getMessage(), e);
        }
        warnIfOthersCanRead(file);
        return parse(lines, file.toString());
    }

    private static void warnIfOthersCanRead(Path file) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (perms.contains(PosixFilePermission.OTHERS_READ)) {
                LOG.warn("tokens file {} is readable by every user on this machine; chmod 600 it", file);
            }
        } catch (UnsupportedOperationException | IOException e) {
            // Not a POSIX file system: nothing to check.
        }
    }

    /** Parses tokens-file lines; {@code source} names the file in error messages. */
    public static TokenStore parse(List<String> lines, String source) {
        List<Entry> entries = new ArrayList<>();
        int shortTokens = 0;
        for (int i = 0; i < lines.size(); i++) {
            int lineNo = i + 1;
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            String[] parts = line.split(":", -1);
            if (parts.length < 2 || parts.length > 3) {
                throw malformed(source, lineNo, "expected token:role or token:role:name");
            }
            String token = parts[0].strip();
            if (token.isEmpty()) throw malformed(source, lineNo, "empty token");
            if (!TOKEN.matcher(token).matches()) {
                throw malformed(source, lineNo, "token has characters outside A-Z a-z 0-9 . _ ~ + / = -");
            }
            Role role = Role.parse(parts[1].strip());
            if (role == null) throw malformed(source, lineNo, "role must be viewer or responder");
            String identity;
            if (parts.length == 3) {
                identity = parts[2].strip();
                if (!NAME.matcher(identity).matches()) {
                    throw malformed(source, lineNo, "name must be 1-64 characters of A-Z a-z 0-9 . _ @ -");
                }
            } else {
                identity = role.fileName() + "-" + HexFormat.of().formatHex(sha256(token), 0, 4);
            }
            byte[] digest = sha256(token);
            for (Entry e : entries) {
                if (MessageDigest.isEqual(e.digest, digest)) {
                    throw malformed(source, lineNo, "token repeats an earlier line");
                }
            }
            if (token.length() < MIN_RECOMMENDED_LENGTH) shortTokens++;
            entries.add(new Entry(digest, new Principal(identity, role)));
        }
        if (entries.isEmpty()) {
            throw new TokensFileException("tokens file " + source + " has no tokens (one token:role per line)");
        }
        return new TokenStore(entries, shortTokens);
    }

    private static TokensFileException malformed(String source, int lineNo, String why) {
        return new TokensFileException("tokens file " + source + " line " + lineNo + ": " + why);
    }

    /** The principal for a presented token, if any; timing does not depend on which entry matched. */
    public Optional<Principal> authenticate(String presented) {
        if (presented == null || presented.isEmpty()) return Optional.empty();
        byte[] digest = sha256(presented);
        Principal found = null;
        for (Entry e : entries) {
            // Non-short-circuit: every entry is compared whatever the outcome.
            boolean eq = MessageDigest.isEqual(e.digest, digest);
            if (eq) found = e.principal;
        }
        return Optional.ofNullable(found);
    }

    public int size() {
        return entries.size();
    }

    /** How many tokens are shorter than {@value #MIN_RECOMMENDED_LENGTH} characters (worth a warning). */
    public int shortTokens() {
        return shortTokens;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }

    @Override
    public String toString() {
        // Never print tokens or digests.
        return "TokenStore[" + entries.size() + " tokens]";
    }
}
