package org.triage.stream.topology;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A radiograph waiting for its batch, as kept in the changelogged pending store: the original
 * key plus where and when it arrived, but not the image. The bytes stay in the source topic
 * (which keeps every radiograph anyway); the batcher holds them in memory and re-reads them from
 * {@code sourceTopic-partition@offset} only after a restart or a rebalance. Keeping a 1-9 MB image
 * out of the changelog saves two broker writes and one read per image, and keeps the changelog
 * far below any record-size limit.
 *
 * @param value the original bytes only for records written by older versions (format 1), else null
 */
public record PendingRecord(String originalKey, long arrivedAtMs, long timestamp, String sourceTopic, int partition,
                            long offset, byte[] value) {

    /** Format 1 carried the bytes inline; still read, so a store written before an upgrade restores. */
    private static final byte FORMAT_WITH_BYTES = 1;
    private static final byte FORMAT_POINTER = 2;

    public static PendingRecord pointer(String originalKey, long arrivedAtMs, long timestamp, String sourceTopic, int partition,
                                        long offset) {
        return new PendingRecord(originalKey, arrivedAtMs, timestamp, sourceTopic, partition, offset, null);
    }

    public byte[] encode() {
        byte[] k = originalKey == null ? null : originalKey.getBytes(StandardCharsets.UTF_8);
        byte[] t = sourceTopic.getBytes(StandardCharsets.UTF_8);
        int size = 1 + 4 + (k == null ? 0 : k.length) + 8 + 8 + 4 + t.length + 4 + 8 + (value == null ? 0 : 4 + value.length);
        ByteBuffer b = ByteBuffer.allocate(size);
        b.put(value == null ? FORMAT_POINTER : FORMAT_WITH_BYTES);
        b.putInt(k == null ? -1 : k.length);
        if (k != null) {
            b.put(k);
        }
        b.putLong(arrivedAtMs).putLong(timestamp);
        b.putInt(t.length).put(t);
        b.putInt(partition).putLong(offset);
        if (value != null) {
            b.putInt(value.length).put(value);
        }
        return b.array();
    }

    /** Lengths are checked against the buffer, never trusted for allocation beyond it. */
    public static PendingRecord decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        byte format = b.get();
        if (format != FORMAT_WITH_BYTES && format != FORMAT_POINTER) {
            throw new IllegalArgumentException("unknown pending-record format " + format);
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
        byte[] value = format == FORMAT_WITH_BYTES ? take(b, b.getInt()) : null;
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
