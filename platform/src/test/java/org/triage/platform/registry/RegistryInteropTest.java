package org.triage.platform.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.triage.events.AlertPolicy;
import org.triage.events.LabelPrototype;
import org.triage.events.PrototypeKind;
import org.triage.events.Severity;
import org.triage.events.ThresholdMode;
import org.triage.platform.LocalStack;
import org.triage.platform.LocalStackOptions;
import org.triage.schemas.serde.AvroSerdes;

/**
 * Acceptance: clients nobody here wrote ({@code kafkajs}, {@code @kafkajs/confluent-schema-registry},
 * {@code @confluentinc/schemaregistry}) work against our broker and registry, and records cross between them
 * and our Java serdes in both directions. Needs node and {@code npm ci} in {@code platform/src/test/node}.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class RegistryInteropTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path NODE_DIR = Path.of("src/test/node").toAbsolutePath();
    private static LocalStack stack;

    /** A real event of the contract, with every kind of field: strings, nullable union, float array, enums, nested record, timestamps. */
    static final LabelPrototype EXPECTED = LabelPrototype.newBuilder()
            .setLabelId("effusion-left")
            .setDisplayName("Left pleural effusion")
            .setDescription("fluid, left side")
            .setVector(List.of(0.5f, -1.25f, 2f))
            .setVectorEncoder("biobert-v1")
            .setDimension(3)
            .setKind(PrototypeKind.UNSEEN)
            .setAlertPolicy(AlertPolicy.newBuilder().setMode(ThresholdMode.QUANTILE).setValue(0.25).setRare(true).build())
            .setSeverity(Severity.HIGH)
            .setAuthor("dr-interop")
            .setVersion(2)
            .setCreatedAt(Instant.ofEpochMilli(1_764_000_000_000L))
            .setUpdatedAt(Instant.ofEpochMilli(1_764_000_001_000L))
            .build();

    /** The same record as the JSON the npm clients read and write (avsc: unions unwrapped, enums as symbols, longs as numbers). */
    static final String EXPECTED_JSON = "{\"labelId\":\"effusion-left\",\"displayName\":\"Left pleural effusion\","
            + "\"description\":\"fluid, left side\",\"vector\":[0.5,-1.25,2],\"embedding\":null,\"vectorEncoder\":\"biobert-v1\",\"dimension\":3,"
            + "\"kind\":\"UNSEEN\",\"alertPolicy\":{\"mode\":\"QUANTILE\",\"value\":0.25,\"rare\":true,\"calibration\":null},\"severity\":\"HIGH\","
            + "\"author\":\"dr-interop\",\"version\":2,\"createdAt\":1764000000000,\"updatedAt\":1764000001000}";

    /** Why the npm clients cannot run here, or null when they can. */
    private static String missing;

    @BeforeAll
    static void start() throws Exception {
        if (nodeVersion() == null) {
            missing = "node is not installed: skipping the npm client interoperability test";
        } else if (!(Files.isDirectory(NODE_DIR.resolve("node_modules/@confluentinc/schemaregistry"))
                && Files.isDirectory(NODE_DIR.resolve("node_modules/@kafkajs/confluent-schema-registry"))
                && Files.isDirectory(NODE_DIR.resolve("node_modules/kafkajs")))) {
            missing = "npm clients not installed: run `npm ci` in platform/src/test/node to enable this test";
        }
        if (missing != null) {
            System.err.println("RegistryInteropTest: " + missing);
            return;
        }
        stack = LocalStack.start(LocalStackOptions.defaults().provisionTopics(false));
    }

    /** Per test rather than per class, so that the skips show up as skipped tests in the reports. */
    @BeforeEach
    void requireNodeClients() {
        Assumptions.assumeTrue(missing == null || org.triage.schemas.PeerPolicy.skipAllowed(missing), missing);
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void npmClientsProduceAndOurDeserializersDecodeFieldForField() throws Exception {
        Path schemaFile = Files.writeString(Files.createTempFile("interop-schema", ".avsc"), LabelPrototype.getClassSchema().toString());
        Path recordFile = Files.writeString(Files.createTempFile("interop-record", ".json"), EXPECTED_JSON);
        try {
            List<JsonNode> out = node(120, "produce", stack.bootstrapServers(), stack.schemaRegistryUrl(),
                    schemaFile.toString(), recordFile.toString(), "from-kafkajs", "from-confluent");
            JsonNode ids = out.get(0);
            assertEquals(0, ids.get("kafkajsMagic").asInt(), "Confluent wire format: magic byte 0");
            assertEquals(0, ids.get("confluentMagic").asInt());
            assertEquals(ids.get("kafkajsId").asInt(), ids.get("confluentId").asInt(), "same schema, same id, across subjects and clients");
        } finally {
            Files.deleteIfExists(schemaFile);
            Files.deleteIfExists(recordFile);
        }
        GenericRecord expectedGeneric = asGeneric(EXPECTED);
        for (String topic : List.of("from-kafkajs", "from-confluent")) {
            byte[] value = consumeOne(topic);
            LabelPrototype specific = AvroSerdes.specific(LabelPrototype.class, stack.schemaRegistryUrl(), false)
                    .deserializer().deserialize(topic, value);
            assertEquals(EXPECTED, specific, topic + " decoded by our SpecificAvroDeserializer");
            GenericRecord generic = AvroSerdes.generic(stack.schemaRegistryUrl(), false).deserializer().deserialize(topic, value);
            for (var field : LabelPrototype.getClassSchema().getFields()) {
                assertEquals(String.valueOf(expectedGeneric.get(field.name())), String.valueOf(generic.get(field.name())),
                        topic + " field " + field.name() + " decoded by our GenericAvroDeserializer");
            }
        }
    }

    @Test
    void ourSerializerProducesAndBothNpmClientsDecode() throws Exception {
        String topic = "from-java";
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, LabelPrototype> producer = new KafkaProducer<>(props, new StringSerializer(),
                AvroSerdes.specific(LabelPrototype.class, stack.schemaRegistryUrl(), false).serializer())) {
            producer.send(new ProducerRecord<>(topic, EXPECTED.getLabelId(), EXPECTED)).get(60, TimeUnit.SECONDS);
        }
        List<JsonNode> out = node(120, "consume", stack.bootstrapServers(), stack.schemaRegistryUrl(), topic, "1");
        assertEquals(1, out.size());
        JsonNode expected = JSON.readTree(EXPECTED_JSON);
        assertEquals(EXPECTED.getLabelId(), out.get(0).get("key").asText());
        assertEquals(expected, out.get(0).get("kafkajs"), "decoded by @kafkajs/confluent-schema-registry");
        assertEquals(expected, out.get(0).get("confluent"), "decoded by @confluentinc/schemaregistry");
    }

    @Test
    void incompatibleSchemasAreRefusedAsTheClientsExpect() throws Exception {
        JsonNode out = node(90, "incompatible", stack.schemaRegistryUrl(), "interop-evolving").get(0);
        JsonNode kafkajs = out.get("kafkajs");
        assertTrue(kafkajs.get("refused").asBoolean(), kafkajs.toString());
        assertEquals(409, kafkajs.get("status").asInt(), kafkajs.toString());
        assertTrue(kafkajs.get("message").asText().contains("incompatible"), kafkajs.toString());
        JsonNode confluent = out.get("confluent");
        assertTrue(confluent.get("refused").asBoolean(), confluent.toString());
        assertTrue(confluent.get("restError").asBoolean(), "surfaced as the client's RestError: " + confluent);
        assertEquals(409, confluent.get("status").asInt(), confluent.toString());
        assertEquals(40901, confluent.get("errorCode").asInt(), confluent.toString());
        // kafkajs set the subject's level on first registration, as it does against Confluent.
        RegistryHttp http = new RegistryHttp(stack.schemaRegistryUrl());
        assertEquals("BACKWARD", http.get("/config/interop-evolving-kafkajs").json().get("compatibilityLevel").asText());
        assertEquals("[1]", http.get("/subjects/interop-evolving-confluent/versions").body());
    }

    private static byte[] consumeOne(String topic) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "interop-java-" + topic);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    assertEquals(EXPECTED.getLabelId(), r.key());
                    return r.value();
                }
            }
        }
        throw new AssertionError("no record on " + topic + " within 60 s");
    }

    /** What our generic reader yields for the expected record: encode with the specific writer, read back generically. */
    private static GenericRecord asGeneric(LabelPrototype record) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(bytes, null);
        new SpecificDatumWriter<LabelPrototype>(LabelPrototype.getClassSchema()).write(record, enc);
        enc.flush();
        return new GenericDatumReader<GenericRecord>(LabelPrototype.getClassSchema())
                .read(null, DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));
    }

    private static String nodeVersion() {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return p.exitValue() == 0 ? new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Runs the interop script and returns its RESULT lines; fails with its stderr when it fails. */
    private static List<JsonNode> node(long timeoutSeconds, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("node", "interop.js"));
        cmd.addAll(List.of(args));
        Path stdout = Files.createTempFile("interop-out", ".txt");
        Path stderr = Files.createTempFile("interop-err", ".txt");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(NODE_DIR.toFile())
                    .redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
            pb.environment().put("KAFKAJS_NO_PARTITIONER_WARNING", "1");
            Process p = pb.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("node interop.js " + args[0] + " did not finish in " + timeoutSeconds + " s; stderr:\n"
                        + Files.readString(stderr));
            }
            assertEquals(0, p.exitValue(), "node interop.js " + args[0] + " failed; stderr:\n" + Files.readString(stderr));
            List<JsonNode> results = new ArrayList<>();
            for (String line : Files.readAllLines(stdout)) {
                if (line.startsWith("RESULT ")) {
                    results.add(JSON.readTree(line.substring("RESULT ".length())));
                }
            }
            assertTrue(!results.isEmpty(), "no RESULT from node; stdout:\n" + Files.readString(stdout));
            return results;
        } finally {
            Files.deleteIfExists(stdout);
            Files.deleteIfExists(stderr);
        }
    }
}
