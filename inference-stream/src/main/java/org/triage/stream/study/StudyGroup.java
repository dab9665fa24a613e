package org.triage.stream.study;

import java.nio.ByteBuffer;

/**
 * What the grouper remembers of one study beside its films: the version the next result carries, whether that
 * result is still waiting for the quiet time (PENDING) or was sent (EMITTED, kept for late films until it expires),
 * when its last film came and when it is next due (emission or expiry).
 */
record StudyGroup(int version, boolean emitted, long lastFilmAtMs, long dueAtMs, int films) {
    private static final int BYTES = 4 + 1 + 8 + 8 + 4;

    byte[] encode() {
        return ByteBuffer.allocate(BYTES).putInt(version).put((byte) (emitted ? 1 : 0)).putLong(lastFilmAtMs).putLong(dueAtMs)
                .putInt(films).array();
    }

    static StudyGroup decode(byte[] b) {
        if (b == null || b.length != BYTES) {
            throw new IllegalArgumentException("not a study group record (" + (b == null ? "null" : b.length + " bytes") + ")");
        }
        ByteBuffer in = ByteBuffer.wrap(b);
        return new StudyGroup(in.getInt(), in.get() == 1, in.getLong(), in.getLong(), in.getInt());
    }
}
