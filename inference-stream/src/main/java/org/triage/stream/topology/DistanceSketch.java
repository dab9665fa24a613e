package org.triage.stream.topology;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The recent distance distribution of one label: a bounded ring of the last {@code capacity}
 * distances. "Recent" is the point (a QUANTILE threshold follows drift in the population), so a
 * sliding window is preferred to an all-time sketch; its state is a few KB kept in a changelogged
 * store, so thresholds survive restarts and are identical on replay.
 */
public final class DistanceSketch {
    private final float[] ring;
    private int count;
    private int next;

    public DistanceSketch(int capacity) {
        this.ring = new float[capacity];
    }

    public int size() {
        return count;
    }

    public void add(float v) {
        if (!Float.isFinite(v)) {
            return;
        }
        ring[next] = v;
        next = (next + 1) % ring.length;
        count = Math.min(count + 1, ring.length);
    }

    /** Nearest-rank quantile, q in [0,1]; NaN when empty. */
    public float quantile(double q) {
        if (count == 0) {
            return Float.NaN;
        }
        float[] v = Arrays.copyOf(ring, count);
        Arrays.sort(v);
        int idx = (int) Math.ceil(q * count) - 1;
        return v[Math.max(0, Math.min(count - 1, idx))];
    }

    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(12 + 4 * ring.length);
        b.putInt(ring.length).putInt(count).putInt(next);
        for (float f : ring) {
            b.putFloat(f);
        }
        return b.array();
    }

    /** Restores a stored sketch; a sketch stored with another capacity is resized keeping the newest values. */
    public static DistanceSketch decode(byte[] bytes, int capacity) {
        DistanceSketch s = new DistanceSketch(capacity);
        if (bytes == null) {
            return s;
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int cap = b.getInt();
        int count = b.getInt();
        int next = b.getInt();
        if (cap <= 0 || cap != (bytes.length - 12) / 4 || count < 0 || count > cap || next < 0 || next >= cap) {
            return s; // corrupt: start afresh rather than fail the stream
        }
        float[] stored = new float[cap];
        b.asFloatBuffer().get(stored);
        // Oldest first: when full the oldest is at next, otherwise at 0.
        int start = count == cap ? next : 0;
        for (int i = 0; i < count; i++) {
            s.add(stored[(start + i) % cap]);
        }
        return s;
    }
}
