package org.triage.ingest.dicom;

/**
 * A process-wide bound on the bytes that received datasets and decoded images may hold at once, so that
 * heap use does not grow with the number of concurrent associations. Waiting for budget while reading
 * a dataset stops reading the socket, which pushes back on the sender through TCP.
 */
public final class MemoryBudget {
    private final long capacity;
    private long used;

    public MemoryBudget(long capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("memory budget must be positive");
        }
        this.capacity = capacity;
    }

    public static MemoryBudget unlimited() {
        return new MemoryBudget(Long.MAX_VALUE);
    }

    /** Reserves {@code bytes}, waiting up to {@code timeoutMillis}; false when it could not. */
    public synchronized boolean reserve(long bytes, long timeoutMillis) throws InterruptedException {
        if (bytes > capacity) {
            return false;
        }
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (used + bytes > capacity) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        used += bytes;
        return true;
    }

    public synchronized void release(long bytes) {
        used = Math.max(0, used - bytes);
        notifyAll();
    }

    public synchronized long used() {
        return used;
    }

    public long capacity() {
        return capacity;
    }
}
