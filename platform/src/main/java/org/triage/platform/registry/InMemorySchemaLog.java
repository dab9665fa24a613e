package org.triage.platform.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/** A log that lives and dies with the process: for unit tests and throwaway registries. */
public final class InMemorySchemaLog implements SchemaLog {
    private final List<byte[][]> records = new ArrayList<>();
    private BiConsumer<byte[], byte[]> applier;

    @Override
    public synchronized void start(BiConsumer<byte[], byte[]> applier) {
        this.applier = applier;
        for (byte[][] r : records) {
            applier.accept(r[0], r[1]);
        }
    }

    @Override
    public synchronized long append(byte[] key, byte[] value) {
        records.add(new byte[][] {key, value});
        applier.accept(key, value);
        return records.size() - 1L;
    }

    @Override
    public void awaitApplied(long offset) {
        // applied synchronously by append
    }

    @Override
    public void catchUp() {
        // nothing can be behind
    }

    @Override
    public void close() {
    }
}
