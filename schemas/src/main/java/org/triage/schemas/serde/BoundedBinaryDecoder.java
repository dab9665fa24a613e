package org.triage.schemas.serde;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.avro.io.Decoder;
import org.apache.avro.util.Utf8;

/**
 * Avro binary decoder over one in-memory record that never trusts a length it reads.
 *
 * <p>Avro's own decoder allocates a string, byte buffer or array from the length prefix before
 * it checks that the bytes exist, so a 20-byte poison record can claim a 2 GB string and take a
 * consumer down with an OutOfMemoryError. Here every length and every collection block count
 * is checked against the bytes actually left in the record first: allocations are bounded by
 * the record's size (which the broker already bounds). The one cost: an array or map block may
 * not claim more items than bytes remain, which only rules out arrays of {@code null} or of
 * empty records, types no event here uses.
 */
final class BoundedBinaryDecoder extends Decoder {
    /** A structurally invalid encoding (distinct from running out of bytes). */
    static final class MalformedAvroException extends IOException {
        MalformedAvroException(String message) {
            super(message);
        }
    }

    private final byte[] buf;
    private int pos;
    private final int limit;

    BoundedBinaryDecoder(byte[] buf, int offset, int length) {
        this.buf = buf;
        this.pos = offset;
        this.limit = offset + length;
    }

    int remaining() {
        return limit - pos;
    }

    private void need(long n, String what) throws IOException {
        if (n < 0) {
            throw new MalformedAvroException("negative " + what + " " + n);
        }
        if (n > limit - pos) {
            throw new EOFException(what + " needs " + n + " bytes but only " + (limit - pos) + " remain");
        }
    }

    @Override
    public void readNull() {
    }

    @Override
    public boolean readBoolean() throws IOException {
        need(1, "boolean");
        byte b = buf[pos++];
        if (b == 0) {
            return false;
        }
        if (b == 1) {
            return true;
        }
        throw new MalformedAvroException("invalid boolean byte " + b);
    }

    @Override
    public int readInt() throws IOException {
        long n = readVarLong(5, "int");
        if (n > 0xffffffffL) {
            throw new MalformedAvroException("int varint overflows 32 bits");
        }
        int raw = (int) n;
        return (raw >>> 1) ^ -(raw & 1);
    }

    @Override
    public long readLong() throws IOException {
        long raw = readVarLong(10, "long");
        return (raw >>> 1) ^ -(raw & 1);
    }

    private long readVarLong(int maxBytes, String what) throws IOException {
        long value = 0;
        for (int i = 0; i < maxBytes; i++) {
            need(1, what);
            int b = buf[pos++] & 0xff;
            value |= (long) (b & 0x7f) << (7 * i);
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new MalformedAvroException("invalid " + what + " encoding: varint longer than " + maxBytes + " bytes");
    }

    @Override
    public float readFloat() throws IOException {
        need(4, "float");
        int bits = (buf[pos] & 0xff) | (buf[pos + 1] & 0xff) << 8 | (buf[pos + 2] & 0xff) << 16 | (buf[pos + 3] & 0xff) << 24;
        pos += 4;
        return Float.intBitsToFloat(bits);
    }

    @Override
    public double readDouble() throws IOException {
        need(8, "double");
        long bits = 0;
        for (int i = 7; i >= 0; i--) {
            bits = (bits << 8) | (buf[pos + i] & 0xff);
        }
        pos += 8;
        return Double.longBitsToDouble(bits);
    }

    private int length(String what) throws IOException {
        long n = readLong();
        need(n, what);
        return (int) n;
    }

    @Override
    public Utf8 readString(Utf8 old) throws IOException {
        int len = length("string");
        Utf8 result = old != null ? old : new Utf8();
        result.setByteLength(len);
        System.arraycopy(buf, pos, result.getBytes(), 0, len);
        pos += len;
        return result;
    }

    @Override
    public String readString() throws IOException {
        int len = length("string");
        String s = new String(buf, pos, len, StandardCharsets.UTF_8);
        pos += len;
        return s;
    }

    @Override
    public void skipString() throws IOException {
        int len = length("string"); // not "pos += length()": Java would add to pos as it was before the length prefix
        pos += len;
    }

    @Override
    public ByteBuffer readBytes(ByteBuffer old) throws IOException {
        // Never reuse 'old': a reused record's buffer may still be referenced by the caller.
        int len = length("bytes");
        byte[] copy = new byte[len];
        System.arraycopy(buf, pos, copy, 0, len);
        pos += len;
        return ByteBuffer.wrap(copy);
    }

    @Override
    public void skipBytes() throws IOException {
        int len = length("bytes");
        pos += len;
    }

    @Override
    public void readFixed(byte[] bytes, int start, int len) throws IOException {
        need(len, "fixed");
        System.arraycopy(buf, pos, bytes, start, len);
        pos += len;
    }

    @Override
    public void skipFixed(int len) throws IOException {
        need(len, "fixed");
        pos += len;
    }

    @Override
    public int readEnum() throws IOException {
        return readInt();
    }

    @Override
    public long readArrayStart() throws IOException {
        return blockCount("array");
    }

    @Override
    public long arrayNext() throws IOException {
        return blockCount("array");
    }

    @Override
    public long skipArray() throws IOException {
        return skipBlocks("array");
    }

    @Override
    public long readMapStart() throws IOException {
        return blockCount("map");
    }

    @Override
    public long mapNext() throws IOException {
        return blockCount("map");
    }

    @Override
    public long skipMap() throws IOException {
        return skipBlocks("map");
    }

    @Override
    public int readIndex() throws IOException {
        return readInt();
    }

    /** Item count of the next block; a negative count is followed by the block's size in bytes. */
    private long blockCount(String what) throws IOException {
        long count = readLong();
        if (count < 0) {
            if (count == Long.MIN_VALUE) {
                throw new MalformedAvroException("invalid " + what + " block count");
            }
            count = -count;
            need(readLong(), what + " block");
        }
        if (count > limit - pos) {
            throw new MalformedAvroException(what + " block claims " + count + " items but only " + (limit - pos) + " bytes remain");
        }
        return count;
    }

    /** Skips sized blocks wholesale; returns the item count of the first unsized block (0 at the end). */
    private long skipBlocks(String what) throws IOException {
        while (true) {
            long count = readLong();
            if (count >= 0) {
                if (count > limit - pos) {
                    throw new MalformedAvroException(what + " block claims " + count + " items but only " + (limit - pos) + " bytes remain");
                }
                return count;
            }
            long size = readLong();
            need(size, what + " block");
            pos += (int) size;
        }
    }
}
