package org.triage.schemas.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.triage.events.Alert;
import org.triage.events.ModelRef;
import org.triage.events.RadiographEvent;
import org.triage.schemas.Topics;
import org.triage.schemas.registry.RegistryClientConfig;
import org.triage.schemas.testing.Events;
import org.triage.schemas.testing.StubSchemaRegistry;

class AvroSerdeErrorTest {
    private StubSchemaRegistry registry;
    private Serde<RadiographEvent> radiographs;

    @BeforeEach
    void start() throws Exception {
        registry = new StubSchemaRegistry();
        radiographs = AvroSerdes.specific(RadiographEvent.class, registry.url(), false);
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    private <E extends SerializationException> E decodeFails(Class<E> type, byte[] bytes) {
        E e = assertThrows(type, () -> radiographs.deserializer().deserialize(Topics.RADIOGRAPHS, bytes));
        assertInstanceOf(SerializationException.class, e);
        assertTrue(e.getMessage().contains("'radiographs'"), "message names the topic: " + e.getMessage());
        return e;
    }

    @Test
    void wrongMagicByteSaysWhatWasSeen() {
        UnknownMagicByteException e = decodeFails(UnknownMagicByteException.class, "{\"eventId\":\"x\"}".getBytes(StandardCharsets.UTF_8));
        assertEquals('{', e.magicByte());
        assertTrue(e.getMessage().contains("0x7b ('{')"), e.getMessage());
        assertTrue(e.getMessage().contains("not in the Schema Registry wire format"), e.getMessage());
        assertTrue(e.getMessage().contains("looks like JSON"), e.getMessage());
        assertTrue(registry.requests().isEmpty(), "no registry call for a record that is not wire format");
    }

    @Test
    void truncatedHeaderAndTruncatedBody() {
        TruncatedPayloadException header = decodeFails(TruncatedPayloadException.class, new byte[] {0, 0, 1});
        assertTrue(header.getMessage().contains("3 bytes"), header.getMessage());
        decodeFails(TruncatedPayloadException.class, new byte[0]);

        byte[] full = radiographs.serializer().serialize(Topics.RADIOGRAPHS, Events.radiograph(500));
        TruncatedPayloadException body = decodeFails(TruncatedPayloadException.class, Arrays.copyOf(full, full.length / 2));
        assertTrue(body.getMessage().contains("ends before a complete record"), body.getMessage());
    }

    @Test
    void unknownSchemaIdNamesTheIdAndTheRegistry() {
        byte[] bytes = {0, 0, 0, 0x30, 0x39, 2, 'x'};
        UnknownSchemaIdException e = decodeFails(UnknownSchemaIdException.class, bytes);
        assertEquals(12345, e.schemaId());
        assertTrue(e.getMessage().contains("12345") && e.getMessage().contains(registry.url()), e.getMessage());
    }

    @Test
    void recordOfAnotherTypeDoesNotMatchTheReaderSchema() {
        byte[] alert = AvroSerdes.specific(Alert.class, registry.url(), false).serializer().serialize(Topics.RADIOGRAPHS, Events.alert());
        SchemaMismatchException e = decodeFails(SchemaMismatchException.class, alert);
        assertTrue(e.getMessage().contains("org.triage.events.Alert") && e.getMessage().contains("org.triage.events.RadiographEvent"),
                e.getMessage());
        // Cached per id, but each failure still names its topic.
        SchemaMismatchException again = decodeFails(SchemaMismatchException.class, alert);
        assertEquals(e.getMessage(), again.getMessage());
    }

    @Test
    void olderWriterMissingARequiredFieldIsAMismatch() {
        Schema old = SchemaBuilder.record("ModelRef").namespace("org.triage.events").fields().requiredString("name").endRecord();
        GenericRecord rec = new GenericData.Record(old);
        rec.put("name", "m");
        byte[] bytes = AvroSerdes.generic(registry.url(), false).serializer().serialize("refs", rec);
        SchemaMismatchException e = assertThrows(SchemaMismatchException.class,
                () -> AvroSerdes.specific(ModelRef.class, registry.url(), false).deserializer().deserialize("refs", bytes));
        assertTrue(e.getMessage().contains("READER_FIELD_MISSING_DEFAULT_VALUE") && e.getMessage().contains("version"), e.getMessage());
    }

    @Test
    void lengthsLargerThanTheRecordAreRejectedWithoutAllocating() {
        int id = registry.register("radiographs-value", RadiographEvent.getClassSchema());
        // eventId claims a 1 GiB string in a 12-byte record: zigzag varint of 2^30.
        byte[] bytes = {0, 0, 0, 0, (byte) id, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08, 'a', 'b'};
        TruncatedPayloadException e = decodeFails(TruncatedPayloadException.class, bytes);
        assertTrue(e.getMessage().contains("1073741824"), e.getMessage());
    }

    @Test
    void bytesLeftOverMeanTheIdDoesNotDescribeTheRecord() {
        byte[] good = radiographs.serializer().serialize(Topics.RADIOGRAPHS, Events.radiograph(10));
        byte[] longer = Arrays.copyOf(good, good.length + 3);
        MalformedPayloadException e = decodeFails(MalformedPayloadException.class, longer);
        assertTrue(e.getMessage().contains("3 bytes left over"), e.getMessage());
    }

    @Test
    void serializingARecordThatBreaksItsSchemaIsAMismatch() {
        Schema schema = SchemaBuilder.record("Probe").fields().requiredString("name").endRecord();
        GenericRecord rec = new GenericData.Record(schema); // name left null
        SchemaMismatchException e = assertThrows(SchemaMismatchException.class,
                () -> AvroSerdes.generic(registry.url(), false).serializer().serialize("probes", rec));
        assertTrue(e.getMessage().contains("Probe") && e.getMessage().contains("name"), e.getMessage());
    }

    @Test
    void incompatibleRegistrationIsRefusedWithTheRegistryError() {
        registry.register("refs-value", ModelRef.getClassSchema());
        Schema breaking = SchemaBuilder.record("ModelRef").namespace("org.triage.events").fields()
                .requiredString("name").requiredString("version").requiredLong("mandatory").endRecord();
        GenericRecord rec = new GenericData.Record(breaking);
        rec.put("name", "m");
        rec.put("version", "1");
        rec.put("mandatory", 1L);
        AvroSerdeException e = assertThrows(AvroSerdeException.class,
                () -> AvroSerdes.generic(registry.url(), false).serializer().serialize("refs", rec));
        assertTrue(e.getMessage().contains("40901") && e.getMessage().contains("incompatible"), e.getMessage());
        assertFalse(e instanceof SchemaMismatchException);
    }

    @Test
    void unreachableRegistryFailsAfterBoundedRetries() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Map<String, Object> config = AvroSerdes.config("http://127.0.0.1:" + port);
        config.put(RegistryClientConfig.MAX_RETRIES, 1);
        config.put(RegistryClientConfig.RETRIES_WAIT_MS, 10);
        AvroSerdeException e = assertThrows(AvroSerdeException.class,
                () -> AvroSerdes.specific(ModelRef.class, config, false).serializer().serialize("refs", Events.modelRef()));
        assertTrue(e.getMessage().contains("unreachable") && e.getMessage().contains("gave up after 2 attempts"), e.getMessage());
    }

    @Test
    void registryOutageOnReadIsNotCachedAsUnknownId() {
        byte[] bytes = radiographs.serializer().serialize(Topics.RADIOGRAPHS, Events.radiograph(10));
        Map<String, Object> config = AvroSerdes.config(registry.url());
        config.put(RegistryClientConfig.MAX_RETRIES, 0);
        Serde<RadiographEvent> fresh = AvroSerdes.specific(RadiographEvent.class, config, false);
        registry.failNext(1, 503);
        AvroSerdeException e = assertThrows(AvroSerdeException.class, () -> fresh.deserializer().deserialize(Topics.RADIOGRAPHS, bytes));
        assertFalse(e instanceof UnknownSchemaIdException, e.getMessage());
        assertEquals(Events.radiograph(10), fresh.deserializer().deserialize(Topics.RADIOGRAPHS, bytes));
    }

    @Test
    void missingRegistryUrlIsAConfigError() {
        var e = assertThrows(org.apache.kafka.common.config.ConfigException.class,
                () -> new SpecificAvroSerializer<ModelRef>().configure(Map.of(), false));
        assertTrue(e.getMessage().contains("schema.registry.url"), e.getMessage());
    }
}
