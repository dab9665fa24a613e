package org.triage.stream.topology;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * A header on every stored embedding naming the prototype versions its film was scored against
 * live. A rescan of a new prototype version skips exactly the films the live path already judged
 * with that version (or a later one) and takes every other: no film falls between the two, and
 * none is alerted by both, however long the prototype took to reach the scoring tasks.
 */
public final class ScoredWith {
    public static final String HEADER = "triage.scored-with";

    private ScoredWith() {
    }

    /** {@code label:version} lines; label ids cannot hold a newline (the validator refuses control characters). */
    public static byte[] encode(Collection<ActivePrototype> active) {
        StringBuilder b = new StringBuilder();
        for (ActivePrototype ap : active) {
            if (b.length() > 0) b.append('\n');
            b.append(ap.labelId()).append(':').append(ap.prototype().getVersion());
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Whether the film was scored live with {@code label} at {@code version} or later; empty when the
     * record has no header (written before this header existed: the caller falls back to time).
     */
    public static Optional<Boolean> covers(Headers headers, String label, int version) {
        Header h = headers == null ? null : headers.lastHeader(HEADER);
        if (h == null || h.value() == null) {
            return Optional.empty();
        }
        for (String line : new String(h.value(), StandardCharsets.UTF_8).split("\n")) {
            int colon = line.lastIndexOf(':');
            if (colon <= 0 || !line.substring(0, colon).equals(label)) {
                continue;
            }
            try {
                return Optional.of(Integer.parseInt(line.substring(colon + 1)) >= version);
            } catch (NumberFormatException e) {
                return Optional.of(false);
            }
        }
        return Optional.of(false);
    }
}
