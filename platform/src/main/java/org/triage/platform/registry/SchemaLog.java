package org.triage.platform.registry;

import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * The durable, ordered log the registry state is derived from. Every instance applies the same records in
 * the same order, which is what makes several instances (and a restarted one) agree on ids and versions.
 */
public interface SchemaLog extends AutoCloseable {
    /** One record of the log; a null value is a tombstone. */
    record Entry(byte[] key, byte[] value) {
    }

    /** What one write decided: the records to append (possibly none) and the answer for the caller. */
    record Write<T>(List<Entry> records, T result) {
        public static <T> Write<T> none(T result) {
            return new Write<>(List.of(), result);
        }

        public static <T> Write<T> of(T result, Entry... records) {
            return new Write<>(List.of(records), result);
        }
    }

    /** Replays the whole log into {@code applier} and keeps applying new records as they arrive. */
    void start(BiConsumer<byte[], byte[]> applier);

    /**
     * One write by the log's single writer: catches up with every record committed by any instance, lets
     * {@code decide} compute from that up-to-date state what to append, appends it atomically and returns once
     * it has been applied locally. No other writer's record can land between the catch-up and the append; when
     * another writer interferes, the whole write is decided again, so {@code decide} may run more than once.
     * It may throw a {@link RegistryException} to refuse the write (nothing is appended then).
     */
    <T> T write(Supplier<Write<T>> decide);

    /** Blocks until every record committed before this call, by any instance, has been applied locally. */
    void catchUp();

    @Override
    void close();
}
