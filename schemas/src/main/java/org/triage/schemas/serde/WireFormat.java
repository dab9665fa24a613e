package org.triage.schemas.serde;

import java.nio.ByteBuffer;

/**
 * Confluent's Schema Registry wire format: {@code 0x00}, the schema id as a 4-byte big-endian
 * int, then the Avro binary encoding of the record (no container-file header).
 */
public final class WireFormat {
    public static final byte MAGIC_BYTE = 0;
    public static final int HEADER_SIZE = 5;

    private WireFormat() {
    }

    /** True when {@code data} is long enough and starts with the magic byte (a cheap sniff, not a validation). */
    public static boolean looksLikeWireFormat(byte[] data) {
        return data != null && data.length >= HEADER_SIZE && data[0] == MAGIC_BYTE;
    }

    /** The schema id of a wire-format record; checks magic byte and length. */
    public static int schemaId(String topic, byte[] data) {
        checkHeader(topic, data);
        return ByteBuffer.wrap(data, 1, 4).getInt();
    }

    static void checkHeader(String topic, byte[] data) {
        if (data.length == 0) {
            throw new TruncatedPayloadException("Empty record (0 bytes) from topic '" + topic
                    + "': a Schema Registry wire-format record has at least a 5-byte header (magic byte 0 + 4-byte schema id)");
        }
        if (data[0] != MAGIC_BYTE) {
            throw new UnknownMagicByteException(topic, data[0], data.length);
        }
        if (data.length < HEADER_SIZE) {
            throw new TruncatedPayloadException("Truncated record from topic '" + topic + "': " + data.length
                    + " bytes, shorter than the 5-byte wire-format header (magic byte 0 + 4-byte schema id)");
        }
    }

    static void writeHeader(ByteBuffer out, int schemaId) {
        out.put(MAGIC_BYTE).putInt(schemaId);
    }
}
