package org.triage.alerts.thumbnails;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The most recently written film previews, bounded both in entries and in bytes so a flood of
 * films (or an oversized record) cannot grow the heap: the least recently used go first.
 * A preview larger than {@link #MAX_ENTRY_BYTES} is refused, not cached.
 */
public final class ThumbnailCache {
    public static final int DEFAULT_MAX_ENTRIES = 10_000;
    public static final long DEFAULT_MAX_BYTES = 64L * 1024 * 1024;
    /** A 128 px 8-bit PNG is a few KB; anything far above that is not one of ours. */
    public static final int MAX_ENTRY_BYTES = 256 * 1024;

    private final int maxEntries;
    private final long maxBytes;
    private final LinkedHashMap<String, byte[]> entries = new LinkedHashMap<>(256, 0.75f, true);
    private long bytes;
    private long evicted;
    private long refused;

    public ThumbnailCache(int maxEntries, long maxBytes) {
        if (maxEntries < 1 || maxBytes < 1) throw new IllegalArgumentException("thumbnail cache bounds must be positive");
        this.maxEntries = maxEntries;
        this.maxBytes = maxBytes;
    }

    /** Stores (or replaces) a film's preview; a null value (a tombstone) removes it. */
    public synchronized void put(String sopInstanceUid, byte[] png) {
        byte[] old = entries.remove(sopInstanceUid);
        if (old != null) bytes -= old.length;
        if (png == null) return;
        if (png.length > MAX_ENTRY_BYTES || png.length > maxBytes) {
            refused++;
            return;
        }
        entries.put(sopInstanceUid, png);
        bytes += png.length;
        Iterator<Map.Entry<String, byte[]>> it = entries.entrySet().iterator();
        while ((entries.size() > maxEntries || bytes > maxBytes) && it.hasNext()) {
            bytes -= it.next().getValue().length;
            it.remove();
            evicted++;
        }
    }

    public synchronized Optional<byte[]> get(String sopInstanceUid) {
        return Optional.ofNullable(entries.get(sopInstanceUid));
    }

    public synchronized int size() {
        return entries.size();
    }

    public synchronized long bytes() {
        return bytes;
    }

    public synchronized Map<String, Number> metrics() {
        return Map.of("thumbnails", entries.size(), "thumbnail_bytes", bytes,
                "thumbnails_evicted_total", evicted, "thumbnails_refused_total", refused);
    }
}
