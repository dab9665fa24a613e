package org.triage.labels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CachedLabelCatalogTest {
    @Test
    void readsAtMostOncePerMaxAgeAndAgainOnAMiss() {
        AtomicInteger reads = new AtomicInteger();
        AtomicLong clock = new AtomicLong();
        CachedLabelCatalog c = new CachedLabelCatalog(() -> {
            reads.incrementAndGet();
            return Set.of("A");
        }, Duration.ofSeconds(30), clock::get);
        c.activeLabels();
        c.activeLabels();
        assertEquals(1, reads.get());
        clock.addAndGet(Duration.ofSeconds(2).toNanos());
        c.activeLabelsIncluding(List.of("A"));
        assertEquals(1, reads.get(), "a hit does not re-read");
        c.activeLabelsIncluding(List.of("B"));
        assertEquals(2, reads.get(), "a miss re-reads (a label may just have been added)");
        c.activeLabelsIncluding(List.of("B"));
        assertEquals(2, reads.get(), "but not on every request");
        clock.addAndGet(Duration.ofSeconds(31).toNanos());
        c.activeLabels();
        assertEquals(3, reads.get());
    }
}
