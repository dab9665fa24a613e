package org.triage.schemas.serde;

/** The record does not start with magic byte 0: it was not written in the Schema Registry wire format. */
public class UnknownMagicByteException extends AvroSerdeException {
    private final int magicByte;

    public UnknownMagicByteException(String topic, int magicByte, int length) {
        super(String.format("Unknown magic byte 0x%02x%s in a %d-byte record from topic '%s': the record is not in the "
                        + "Schema Registry wire format (magic byte 0x00, 4-byte schema id, Avro binary)%s",
                magicByte & 0xff, printable(magicByte), length, topic, hint(magicByte)));
        this.magicByte = magicByte & 0xff;
    }

    /** The first byte seen, 0-255. */
    public int magicByte() {
        return magicByte;
    }

    private static String printable(int b) {
        int c = b & 0xff;
        return c >= 0x20 && c < 0x7f ? " ('" + (char) c + "')" : "";
    }

    private static String hint(int b) {
        int c = b & 0xff;
        if (c == '{' || c == '[') {
            return "; it looks like JSON";
        }
        if (c == 'O') {
            return "; it may be an Avro container file ('Obj' header) rather than a single record";
        }
        return "";
    }
}
