package org.triage.platform.registry;

import java.util.function.BiConsumer;

/**
 * The durable, ordered log the registry state is derived from. Every instance applies the same records in
 * the same order, which is what makes several instances (and a restarted one) agree on ids and versions.
 */
public interface SchemaLog extends AutoCloseable {
    /** Replays the whole log into {@code applier} and keeps applying new records as they arrive. */
    void start(BiConsumer<byte[], byte[]> applier);

    /** Appends durably (the record is acknowledged by the log) and returns its offset. */
    long append(byte[] key, byte[] value);

    /** Blocks until the record at {@code offset} has been applied locally. */
    void awaitApplied(long offset);

    /** Blocks until every record appended before this call, by any instance, has been applied locally. */
    void catchUp();

    @Override
    void close();
}
