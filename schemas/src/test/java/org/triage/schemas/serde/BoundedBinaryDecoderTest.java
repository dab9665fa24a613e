package org.triage.schemas.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;
import org.triage.events.Alert;
import org.triage.events.RadiographEvent;
import org.triage.schemas.testing.Events;
import org.triage.schemas.testing.StubSchemaRegistry;

class BoundedBinaryDecoderTest {
    private static final Schema ALL_TYPES = SchemaBuilder.record("AllTypes").fields()
            .requiredBoolean("b").requiredInt("i").requiredLong("l").requiredFloat("f").requiredDouble("d")
            .requiredString("s").requiredBytes("by")
            .name("fx").type().fixed("Four").size(4).noDefault()
            .name("e").type().enumeration("E").symbols("A", "B", "C").noDefault()
            .name("arr").type().array().items().longType().noDefault()
            .name("m").type().map().values().stringType().noDefault()
            .optionalString("u")
            .endRecord();

    private static byte[] encode(Schema schema, Object datum) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<>(schema).write(datum, enc);
        enc.flush();
        return out.toByteArray();
    }

    private static GenericRecord sample() {
        GenericRecord r = new GenericData.Record(ALL_TYPES);
        r.put("b", true);
        r.put("i", -123456);
        r.put("l", Long.MIN_VALUE);
        r.put("f", 3.5f);
        r.put("d", -2.25e300);
        r.put("s", "héllo");
        r.put("by", java.nio.ByteBuffer.wrap(new byte[] {9, 8, 7}));
        r.put("fx", new GenericData.Fixed(ALL_TYPES.getField("fx").schema(), new byte[] {1, 2, 3, 4}));
        r.put("e", new GenericData.EnumSymbol(ALL_TYPES.getField("e").schema(), "C"));
        r.put("arr", List.of(0L, 1L, -1L, Long.MAX_VALUE));
        r.put("m", Map.of("k", "v", "k2", "v2"));
        r.put("u", null);
        return r;
    }

    @Test
    void decodesEveryAvroTypeExactlyAsAvroDoes() throws IOException {
        byte[] bytes = encode(ALL_TYPES, sample());
        Object ours = new GenericDatumReader<>(ALL_TYPES).read(null, new BoundedBinaryDecoder(bytes, 0, bytes.length));
        Object avros = new GenericDatumReader<>(ALL_TYPES).read(null, DecoderFactory.get().binaryDecoder(bytes, null));
        assertEquals(avros, ours);
    }

    @Test
    void skipsWriterOnlyFieldsOfEveryType() throws IOException {
        byte[] bytes = encode(ALL_TYPES, sample());
        Schema onlyUnion = SchemaBuilder.record("AllTypes").fields().optionalString("u").endRecord();
        BoundedBinaryDecoder dec = new BoundedBinaryDecoder(bytes, 0, bytes.length);
        GenericRecord r = (GenericRecord) new GenericDatumReader<>(ALL_TYPES, onlyUnion).read(null, dec);
        assertEquals(null, r.get("u"));
        assertEquals(0, dec.remaining(), "every skipped field consumed exactly its bytes");
    }

    @Test
    void aHugeArrayCountIsRejectedBeforeAllocation() {
        // Array block claiming 2^40 items in a 7-byte body (varint 2^41, zigzag-decoded).
        byte[] body = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x40, 0};
        Schema arr = SchemaBuilder.array().items().longType();
        IOException e = assertThrows(IOException.class,
                () -> new GenericDatumReader<>(arr).read(null, new BoundedBinaryDecoder(body, 0, body.length)));
        assertTrue(e.getMessage().contains("claims 1099511627776 items"), e.getMessage());
    }

    @Test
    void aNegativeLengthIsMalformedAndAShortOneIsEof() {
        Schema str = Schema.create(Schema.Type.STRING);
        byte[] negative = {0x01}; // zigzag -1
        assertThrows(BoundedBinaryDecoder.MalformedAvroException.class,
                () -> new GenericDatumReader<>(str).read(null, new BoundedBinaryDecoder(negative, 0, 1)));
        byte[] shortBody = {0x0a, 'a'}; // claims 5 bytes, has 1
        assertThrows(EOFException.class, () -> new GenericDatumReader<>(str).read(null, new BoundedBinaryDecoder(shortBody, 0, 2)));
        byte[] longVarint = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff};
        assertThrows(BoundedBinaryDecoder.MalformedAvroException.class,
                () -> new BoundedBinaryDecoder(longVarint, 0, longVarint.length).readInt());
    }

    /**
     * Random corruption of real events must only ever produce the serde's own exceptions: no
     * OutOfMemoryError, no NegativeArraySizeException escaping, no hang.
     */
    @Test
    void corruptedRecordsFailOnlyWithSerdeExceptions() throws Exception {
        try (StubSchemaRegistry registry = new StubSchemaRegistry()) {
            Serde<RadiographEvent> radiographs = AvroSerdes.specific(RadiographEvent.class, registry.url(), false);
            Serde<Alert> alerts = AvroSerdes.specific(Alert.class, registry.url(), false);
            byte[] r = radiographs.serializer().serialize("r", Events.radiograph(64));
            byte[] a = alerts.serializer().serialize("a", Events.alert());
            Random random = new Random(42);
            int failures = 0;
            for (int i = 0; i < 3000; i++) {
                boolean useRadiograph = i % 2 == 0;
                byte[] corrupt = (useRadiograph ? r : a).clone();
                int flips = 1 + random.nextInt(4);
                for (int k = 0; k < flips; k++) {
                    int pos = WireFormat.HEADER_SIZE + random.nextInt(corrupt.length - WireFormat.HEADER_SIZE);
                    corrupt[pos] = (byte) random.nextInt(256);
                }
                if (random.nextInt(5) == 0) {
                    corrupt = java.util.Arrays.copyOf(corrupt, WireFormat.HEADER_SIZE + random.nextInt(corrupt.length - WireFormat.HEADER_SIZE));
                }
                try {
                    (useRadiograph ? radiographs : alerts).deserializer().deserialize(useRadiograph ? "r" : "a", corrupt);
                } catch (AvroSerdeException expected) {
                    failures++;
                } catch (Throwable t) {
                    fail("corrupted record #" + i + " escaped as " + t, t);
                }
            }
            assertTrue(failures > 500, "most corruptions must be detected, got " + failures);
        }
    }
}
