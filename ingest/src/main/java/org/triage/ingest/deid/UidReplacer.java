package org.triage.ingest.deid;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * PS3.15 E.1 action U: a UID becomes {@code 2.25.<decimal of the first 128 bits of HMAC-SHA256(uid key, original)>}
 * (PS3.5 B.2 form). Deterministic under one site key, so the same original always gets the same replacement and
 * study/series/instance relationships survive; without the key the original cannot be recovered or confirmed.
 */
public final class UidReplacer {
    private final SiteKey key;

    public UidReplacer(SiteKey key) {
        this.key = key;
    }

    /** Null stays null; whitespace and the trailing NUL padding of a UI value do not change the result. */
    public String replace(String originalUid) {
        if (originalUid == null) {
            return null;
        }
        String uid = originalUid.replace("\0", "").strip();
        byte[] mac = key.mac(SiteKey.Purpose.UID, uid.getBytes(StandardCharsets.US_ASCII));
        return "2.25." + new BigInteger(1, Arrays.copyOf(mac, 16));
    }
}
