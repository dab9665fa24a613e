package org.triage.platform.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/** A log that lives and dies with the process: for unit tests and throwaway registries. */
public final class InMemorySchemaLog implements SchemaLog {
    private final List<Entry> records = new ArrayList<>();
    private BiConsumer<byte[], byte[]> applier;

    @Override
    public synchronized void start(BiConsumer<byte[], byte[]> applier) {
        this.applier = applier;
        for (Entry r : records) {
            applier.accept(r.key(), r.value());
        }
    }

    /** One process, one lock: nothing else can write between deciding and appending. */
    @Override
    public synchronized <T> T write(Supplier<Write<T>> decide) {
        Write<T> w = decide.get();
        for (Entry r : w.records()) {
            records.add(r);
            applier.accept(r.key(), r.value());
        }
        return w.result();
    }

    @Override
    public void catchUp() {
        // nothing can be behind
    }

    @Override
    public void close() {
    }
}
