package org.triage.alerts.thumbnails;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ThumbnailCacheTest {

    @Test
    void theLeastRecentlyUsedGoesFirstWhenTheEntryBoundIsReached() {
        ThumbnailCache c = new ThumbnailCache(2, 1000);
        c.put("a", new byte[10]);
        c.put("b", new byte[10]);
        c.get("a");                       // a is now more recent than b
        c.put("c", new byte[10]);
        assertTrue(c.get("a").isPresent());
        assertFalse(c.get("b").isPresent());
        assertTrue(c.get("c").isPresent());
        assertEquals(2, c.size());
        assertEquals(20, c.bytes());
        assertEquals(1L, c.metrics().get("thumbnails_evicted_total"));
    }

    @Test
    void theByteBoundEvictsAsManyAsNeeded() {
        ThumbnailCache c = new ThumbnailCache(100, 100);
        for (int i = 0; i < 5; i++) c.put("f" + i, new byte[30]);
        assertEquals(3, c.size());
        assertEquals(90, c.bytes());
        assertFalse(c.get("f0").isPresent());
        assertFalse(c.get("f1").isPresent());
    }

    @Test
    void replacingAndTombstonesKeepTheByteCountRight() {
        ThumbnailCache c = new ThumbnailCache(10, 1000);
        c.put("a", new byte[40]);
        c.put("a", new byte[] {7});
        assertArrayEquals(new byte[] {7}, c.get("a").orElseThrow());
        assertEquals(1, c.bytes());
        c.put("a", null);
        assertFalse(c.get("a").isPresent());
        assertEquals(0, c.bytes());
    }

    @Test
    void anOversizedPreviewIsRefusedAndEvictsNothing() {
        ThumbnailCache c = new ThumbnailCache(10, 10L * ThumbnailCache.MAX_ENTRY_BYTES);
        c.put("small", new byte[5]);
        c.put("huge", new byte[ThumbnailCache.MAX_ENTRY_BYTES + 1]);
        assertFalse(c.get("huge").isPresent());
        assertTrue(c.get("small").isPresent());
        assertEquals(1L, c.metrics().get("thumbnails_refused_total"));
        assertThrows(IllegalArgumentException.class, () -> new ThumbnailCache(0, 10));
    }
}
