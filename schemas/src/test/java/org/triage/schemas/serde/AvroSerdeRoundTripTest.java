package org.triage.schemas.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.triage.events.Alert;
import org.triage.events.ModelRef;
import org.triage.events.RadiographEvent;
import org.triage.schemas.Topics;
import org.triage.schemas.registry.SchemaRegistryClient;
import org.triage.schemas.testing.Events;
import org.triage.schemas.testing.StubSchemaRegistry;

class AvroSerdeRoundTripTest {
    private StubSchemaRegistry registry;

    @BeforeEach
    void start() throws Exception {
        registry = new StubSchemaRegistry();
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    @Test
    void specificRecordRoundTripsThroughTheRegistry() {
        Serde<RadiographEvent> serde = AvroSerdes.specific(RadiographEvent.class, registry.url(), false);
        RadiographEvent event = Events.radiograph(1000);

        byte[] bytes = serde.serializer().serialize(Topics.RADIOGRAPHS, event);
        RadiographEvent back = serde.deserializer().deserialize(Topics.RADIOGRAPHS, bytes);

        assertEquals(event, back);
        assertEquals(1000, back.getImage().getData().remaining());
        assertTrue(registry.requests().contains("POST /subjects/radiographs-value/versions"), registry.requests().toString());
    }

    @Test
    void wireBytesAreMagicZeroBigEndianIdThenPlainAvroBinary() throws Exception {
        // Push the id above 255 so a byte-order mistake cannot hide behind leading zeros.
        for (int i = 0; i < 258; i++) {
            registry.register("filler-value", SchemaBuilder.record("Filler" + i).fields().requiredInt("x").endRecord());
        }
        Serde<ModelRef> serde = AvroSerdes.specific(ModelRef.class, registry.url(), false);
        ModelRef ref = Events.modelRef();

        byte[] bytes = serde.serializer().serialize("model-refs", ref);

        int id = new SchemaRegistryClient(registry.url()).lookup("model-refs-value", ModelRef.getClassSchema()).id();
        assertEquals(259, id);
        ByteArrayOutputStream avro = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(avro, null);
        new SpecificDatumWriter<>(ModelRef.class).write(ref, enc);
        enc.flush();
        byte[] expected = new byte[5 + avro.size()];
        expected[0] = 0;
        expected[1] = 0x00;
        expected[2] = 0x00;
        expected[3] = 0x01;
        expected[4] = 0x03;
        System.arraycopy(avro.toByteArray(), 0, expected, 5, avro.size());
        assertArrayEquals(expected, bytes);
        // "cm-dml" = zigzag length 6 -> 0x0c, then the UTF-8 bytes: check the body by hand too.
        assertEquals(0x0c, bytes[5]);
        assertEquals("cm-dml", new String(Arrays.copyOfRange(bytes, 6, 12)));
    }

    @Test
    void keysUseTheTopicKeySubject() {
        Serde<ModelRef> serde = AvroSerdes.specific(ModelRef.class, registry.url(), true);
        serde.serializer().serialize(Topics.MODEL_RELEASES, Events.modelRef());
        assertTrue(registry.requests().contains("POST /subjects/model-releases-key/versions"), registry.requests().toString());
    }

    @Test
    void genericRecordsRoundTripAndReadSpecificBytes() {
        Schema schema = SchemaBuilder.record("Probe").namespace("test").fields()
                .requiredString("name").optionalInt("count").name("blob").type().bytesType().noDefault().endRecord();
        GenericRecord probe = new GenericData.Record(schema);
        probe.put("name", "p");
        probe.put("count", 3);
        probe.put("blob", ByteBuffer.wrap(new byte[] {1, 2, 3}));
        Serde<GenericRecord> serde = AvroSerdes.generic(registry.url(), false);

        GenericRecord back = serde.deserializer().deserialize("probes", serde.serializer().serialize("probes", probe));
        assertEquals("p", back.get("name").toString());
        assertEquals(3, back.get("count"));
        assertEquals(ByteBuffer.wrap(new byte[] {1, 2, 3}), back.get("blob"));

        // A generic consumer decodes what a specific producer wrote, field for field.
        byte[] alertBytes = AvroSerdes.specific(Alert.class, registry.url(), false).serializer().serialize(Topics.ALERTS, Events.alert());
        GenericRecord alert = serde.deserializer().deserialize(Topics.ALERTS, alertBytes);
        assertEquals("a-1", alert.get("alertId").toString());
        assertEquals("UNSEEN_CLASS", alert.get("type").toString());
        assertEquals(1_700_000_000_456L, alert.get("createdAt"));
        assertEquals("cm-dml", ((GenericRecord) alert.get("model")).get("name").toString());
    }

    @Test
    void specificAvroReaderMakesTheGenericDeserializerReturnGeneratedClasses() {
        byte[] bytes = AvroSerdes.specific(Alert.class, registry.url(), false).serializer().serialize(Topics.ALERTS, Events.alert());
        Map<String, Object> config = AvroSerdes.config(registry.url());
        config.put(AvroSerdeConfig.SPECIFIC_AVRO_READER, "true");
        Object value = AvroSerdes.generic(config, false).deserializer().deserialize(Topics.ALERTS, bytes);
        assertEquals(Events.alert(), assertInstanceOf(Alert.class, value));
    }

    @Test
    void byClassNameInstantiationReadsTheClassOfTheWriterSchema() {
        // Kafka instantiates serdes from class names with no type argument.
        SpecificAvroSerializer<Alert> ser = new SpecificAvroSerializer<>();
        ser.configure(AvroSerdes.config(registry.url()), false);
        SpecificAvroDeserializer<Alert> de = new SpecificAvroDeserializer<>();
        de.configure(AvroSerdes.config(registry.url()), false);
        assertEquals(Events.alert(), de.deserialize(Topics.ALERTS, ser.serialize(Topics.ALERTS, Events.alert())));
    }

    @Test
    void secondRecordDoesNotCallTheRegistry() {
        SpecificAvroSerializer<Alert> ser = new SpecificAvroSerializer<>();
        ser.configure(AvroSerdes.config(registry.url()), false);
        SpecificAvroDeserializer<Alert> de = new SpecificAvroDeserializer<>(Alert.class);
        de.configure(AvroSerdes.config(registry.url()), false);

        byte[] first = ser.serialize(Topics.ALERTS, Events.alert());
        de.deserialize(Topics.ALERTS, first);
        int afterFirst = registry.requests().size();
        for (int i = 0; i < 5; i++) {
            de.deserialize(Topics.ALERTS, ser.serialize(Topics.ALERTS, Events.alert()));
        }

        assertEquals(2, afterFirst, registry.requests().toString()); // one register, one GET /schemas/ids
        assertEquals(afterFirst, registry.requests().size(), registry.requests().toString());
        assertEquals(1, ser.client().httpRequestCount());
        assertEquals(1, de.client().httpRequestCount());
    }

    @Test
    void olderAndNewerWriterSchemasResolveIntoTheCurrentClass() {
        // A producer on a newer contract version added a field; today's consumer ignores it.
        Schema newer = SchemaBuilder.record("ModelRef").namespace("org.triage.events").fields()
                .requiredString("name").requiredString("version").name("stage").type().stringType().stringDefault("prod").endRecord();
        GenericRecord rec = new GenericData.Record(newer);
        rec.put("name", "m");
        rec.put("version", "2");
        rec.put("stage", "canary");
        byte[] bytes = AvroSerdes.generic(registry.url(), false).serializer().serialize("refs", rec);

        ModelRef read = AvroSerdes.specific(ModelRef.class, registry.url(), false).deserializer().deserialize("refs", bytes);
        assertEquals(new ModelRef("m", "2"), read);
    }

    @Test
    void autoRegisterFalseNeedsARegisteredSchema() {
        Map<String, Object> config = AvroSerdes.config(registry.url());
        config.put(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, false);
        Serde<ModelRef> serde = AvroSerdes.specific(ModelRef.class, config, false);

        AvroSerdeException e = assertThrows(AvroSerdeException.class, () -> serde.serializer().serialize("refs", Events.modelRef()));
        assertTrue(e.getMessage().contains("auto.register.schemas=false"), e.getMessage());

        int id = registry.register("refs-value", ModelRef.getClassSchema());
        byte[] bytes = serde.serializer().serialize("refs", Events.modelRef());
        assertEquals(id, ByteBuffer.wrap(bytes, 1, 4).getInt());
    }

    @Test
    void useLatestVersionWritesWithTheLatestSchemaAndFillsDefaults() {
        Schema v2 = SchemaBuilder.record("ModelRef").namespace("org.triage.events").fields()
                .requiredString("name").requiredString("version").name("stage").type().stringType().stringDefault("prod").endRecord();
        registry.register("refs-value", ModelRef.getClassSchema());
        int latestId = registry.register("refs-value", v2);
        Map<String, Object> config = AvroSerdes.config(registry.url());
        config.put(AvroSerdeConfig.USE_LATEST_VERSION, true);

        byte[] bytes = AvroSerdes.specific(ModelRef.class, config, false).serializer().serialize("refs", Events.modelRef());

        assertEquals(latestId, ByteBuffer.wrap(bytes, 1, 4).getInt());
        GenericRecord read = AvroSerdes.generic(registry.url(), false).deserializer().deserialize("refs", bytes);
        assertEquals("prod", read.get("stage").toString());
        assertEquals("cm-dml", read.get("name").toString());
    }

    @Test
    void nullsPassThroughAsTombstones() {
        Serde<ModelRef> serde = AvroSerdes.specific(ModelRef.class, registry.url(), false);
        assertNull(serde.serializer().serialize(Topics.LABEL_PROTOTYPES, null));
        assertNull(serde.deserializer().deserialize(Topics.LABEL_PROTOTYPES, null));
        assertTrue(registry.requests().isEmpty());
    }
}
