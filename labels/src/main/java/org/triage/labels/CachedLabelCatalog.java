package org.triage.labels;

import java.time.Duration;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * A catalog read at most once per {@code maxAge}, so a service does not scan the prototypes topic
 * on every click. A label added or retired a moment ago is therefore seen within {@code maxAge};
 * an id missing from the cached set triggers one early re-read (a label just added is the
 * common case of "unknown" in a live service).
 */
public final class CachedLabelCatalog implements LabelCatalog {
    private final LabelCatalog source;
    private final long maxAgeNanos;
    private final LongSupplier nanoClock;
    private Set<String> cached;
    private long readAt;

    public CachedLabelCatalog(LabelCatalog source, Duration maxAge) {
        this(source, maxAge, System::nanoTime);
    }

    CachedLabelCatalog(LabelCatalog source, Duration maxAge, LongSupplier nanoClock) {
        this.source = source;
        this.maxAgeNanos = maxAge.toNanos();
        this.nanoClock = nanoClock;
    }

    @Override
    public synchronized Set<String> activeLabels() {
        if (cached == null || nanoClock.getAsLong() - readAt > maxAgeNanos) refresh();
        return cached;
    }

    /** The catalog, re-read first when it lacks any of {@code wanted} and was not read just now. */
    @Override
    public synchronized Set<String> activeLabelsIncluding(java.util.Collection<String> wanted) {
        Set<String> now = activeLabels();
        if (!now.containsAll(wanted) && nanoClock.getAsLong() - readAt > Duration.ofSeconds(1).toNanos()) refresh();
        return cached;
    }

    private void refresh() {
        cached = Set.copyOf(source.activeLabels());
        readAt = nanoClock.getAsLong();
    }
}
