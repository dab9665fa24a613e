package org.triage.ingest.deid;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

/**
 * Retain Longitudinal Temporal Information with Modified Dates (PS3.15 E.3.6): every date of one patient moves back
 * by the same whole number of days, so intervals between a patient's films survive while the calendar dates do not.
 * The offset is keyed on the pseudonym, so it is stable across restarts and unknown without the site key.
 */
public final class DateShifter {
    public static final int MAX_SHIFT_DAYS = 365;

    private final SiteKey key;
    private final boolean enabled;

    /** @param enabled false keeps dates as received (the Retain Longitudinal Temporal Information with Full Dates option) */
    public DateShifter(SiteKey key, boolean enabled) {
        this.key = key;
        this.enabled = enabled;
    }

    /** Days to move this patient's dates back: 1..{@value #MAX_SHIFT_DAYS}, or 0 when shifting is off. */
    public int offsetDays(String pseudonym) {
        if (!enabled) {
            return 0;
        }
        byte[] mac = key.mac(SiteKey.Purpose.DATE_SHIFT, pseudonym.getBytes(StandardCharsets.UTF_8));
        int v = ((mac[0] & 0xFF) << 24 | (mac[1] & 0xFF) << 16 | (mac[2] & 0xFF) << 8 | (mac[3] & 0xFF)) >>> 1;
        return 1 + v % MAX_SHIFT_DAYS;
    }

    public static Instant shift(Instant t, int offsetDays) {
        return t == null ? null : t.minus(Duration.ofDays(offsetDays));
    }
}
