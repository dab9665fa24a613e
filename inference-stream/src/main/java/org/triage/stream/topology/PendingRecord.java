package org.triage.stream.topology;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A radiograph waiting for its batch, as kept in the changelogged pending store: the original
 * key and bytes (so a DLQ record can carry them unchanged) plus where and when it arrived.
 */
public record PendingRecord(String originalKey, long arrivedAtMs, long timestamp, String sourceTopic, int partition,
                            long offset, byte[] value) {

    private static final byte FORMAT = 1;

    public byte[] encode() {
        byte[] k = originalKey == null ? null : originalKey.getBytes(StandardCharsets.UTF_8);
        byte[] t = sourceTopic.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(1 + 4 + (k == null ? 0 : k.length) + 8 + 8 + 4 + t.length + 4 + 8 + 4 + value.length);
        b.put(FORMAT);
        b.putInt(k == null ? -1 : k.length);
        if (k != null) {
            b.put(k);
        }
        b.putLong(arrivedAtMs).putLong(timestamp);
        b.putInt(t.length).put(t);
        b.putInt(partition).putLong(offset);
        b.putInt(value.length).put(value);
        return b.array();
    }

    /** Lengths are checked against the buffer, never trusted for allocation beyond it. */
    public static PendingRecord decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if (b.get() != FORMAT) {
            throw new IllegalArgumentException("unknown pending-record format");
        }
        String key = null;
        int kl = b.getInt();
        if (kl >= 0) {
            key = new String(take(b, kl), StandardCharsets.UTF_8);
        }
        long arrived = b.getLong();
        long ts = b.getLong();
        String topic = new String(take(b, b.getInt()), StandardCharsets.UTF_8);
        int partition = b.getInt();
        long offset = b.getLong();
        byte[] value = take(b, b.getInt());
        return new PendingRecord(key, arrived, ts, topic, partition, offset, value);
    }

    private static byte[] take(ByteBuffer b, int len) {
        if (len < 0 || len > b.remaining()) {
            throw new IllegalArgumentException("corrupt pending record: length " + len + " exceeds " + b.remaining());
        }
        byte[] out = new byte[len];
        b.get(out);
        return out;
    }
}
