package org.triage.stream.model;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model in service. A batch takes a {@link Lease} once, at its start, and uses that model
 * for the whole batch: a hot-swap therefore switches atomically between batches, and the old
 * model is closed only when the last batch that uses it has finished.
 */
public final class ModelHolder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelHolder.class);

    private final AtomicReference<Slot> current = new AtomicReference<>();
    private volatile boolean closed;

    /** Puts a newly loaded model into service; the previous one retires after its batches. */
    public void swap(BatchEmbedder next) {
        if (closed) {
            next.close();
            throw new IllegalStateException("model holder is closed");
        }
        Slot old = current.getAndSet(new Slot(next));
        LOG.info("model in service: {} on {}", next.info().ref(), next.info().device());
        if (old != null) {
            old.retire();
        }
    }

    public Optional<ModelInfo> info() {
        Slot s = current.get();
        return s == null ? Optional.empty() : Optional.of(s.model.info());
    }

    /** Borrows the current model for one batch; empty while no model is loaded. */
    public Optional<Lease> acquire() {
        while (true) {
            Slot s = current.get();
            if (s == null) {
                return Optional.empty();
            }
            if (s.tryAcquire()) {
                return Optional.of(new Lease(s));
            }
            // The slot retired between get() and tryAcquire(): a newer one is already in place.
        }
    }

    @Override
    public void close() {
        closed = true;
        Slot s = current.getAndSet(null);
        if (s != null) {
            s.retire();
        }
    }

    /** A model borrowed for the duration of one batch. */
    public static final class Lease implements AutoCloseable {
        private final Slot slot;
        private boolean released;

        private Lease(Slot slot) {
            this.slot = slot;
        }

        public BatchEmbedder model() {
            return slot.model;
        }

        @Override
        public void close() {
            if (!released) {
                released = true;
                slot.release();
            }
        }
    }

    private static final class Slot {
        final BatchEmbedder model;
        // 1 for the holder's own reference + 1 per lease; closes at 0. Negative = closed.
        private final AtomicInteger refs = new AtomicInteger(1);

        Slot(BatchEmbedder model) {
            this.model = model;
        }

        boolean tryAcquire() {
            while (true) {
                int r = refs.get();
                if (r <= 0) {
                    return false;
                }
                if (refs.compareAndSet(r, r + 1)) {
                    return true;
                }
            }
        }

        void release() {
            if (refs.decrementAndGet() == 0) {
                refs.set(-1);
                LOG.info("model retired: {}", model.info().ref());
                model.close();
            }
        }

        void retire() {
            release();
        }
    }
}
