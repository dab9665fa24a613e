package org.triage.schemas.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.triage.events.Alert;
import org.triage.events.RadiographEvent;
import org.triage.schemas.Topics;
import org.triage.schemas.serde.AvroSerdes;
import org.triage.schemas.serde.GenericAvroDeserializer;
import org.triage.schemas.testing.Events;
import org.triage.schemas.testing.StubSchemaRegistry;
import picocli.CommandLine;

class TailCommandTest {
    private StubSchemaRegistry registry;
    private MockConsumer<byte[], byte[]> consumer;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final AtomicLong fakeNanos = new AtomicLong();

    @BeforeEach
    void start() throws Exception {
        registry = new StubSchemaRegistry();
        consumer = new MockConsumer<>("earliest");
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    private void topic(String name, long endOffset) {
        Node node = new Node(0, "127.0.0.1", 9092);
        consumer.updatePartitions(name, List.of(new PartitionInfo(name, 0, node, new Node[] {node}, new Node[] {node})));
        TopicPartition tp = new TopicPartition(name, 0);
        consumer.updateBeginningOffsets(Map.of(tp, 0L));
        consumer.updateEndOffsets(Map.of(tp, endOffset));
    }

    private static ConsumerRecord<byte[], byte[]> record(String topic, long offset, String key, byte[] value, RecordHeaders headers) {
        return new ConsumerRecord<>(topic, 0, offset, 1_700_000_000_000L, TimestampType.CREATE_TIME, -1, value == null ? -1 : value.length,
                key.getBytes(StandardCharsets.UTF_8), value, headers, Optional.empty());
    }

    /** MockConsumer accepts records only once the tailer has assigned the partitions. */
    @SafeVarargs
    private void onFirstPoll(ConsumerRecord<byte[], byte[]>... records) {
        consumer.schedulePollTask(() -> Arrays.stream(records).forEach(consumer::addRecord));
    }

    private TopicTailer tailer() {
        var config = AvroSerdes.config(registry.url());
        GenericAvroDeserializer keys = new GenericAvroDeserializer();
        keys.configure(config, true);
        GenericAvroDeserializer values = new GenericAvroDeserializer();
        values.configure(config, false);
        // Each clock read advances 50 ms, so idle timeouts elapse without real waiting.
        return new TopicTailer(consumer, keys, values, new JsonRenderer(8), new PrintStream(out, true, StandardCharsets.UTF_8),
                () -> fakeNanos.addAndGet(50_000_000));
    }

    private List<String> lines() {
        String s = out.toString(StandardCharsets.UTF_8);
        return s.isEmpty() ? List.of() : Arrays.asList(s.split("\n"));
    }

    private static JsonNode json(String line) throws Exception {
        return JsonRenderer.JSON.readTree(line);
    }

    private static TopicTailer.Options opts(String topic, long max, boolean fromBeginning, boolean printKey, boolean metadata) {
        return new TopicTailer.Options(topic, max, fromBeginning, Duration.ofSeconds(2), printKey, metadata);
    }

    @Test
    void printsAvroRecordsAsJsonLinesWithShortenedBytes() throws Exception {
        Serde<RadiographEvent> serde = AvroSerdes.specific(RadiographEvent.class, registry.url(), false);
        topic(Topics.RADIOGRAPHS, 3);
        byte[] bytes = serde.serializer().serialize(Topics.RADIOGRAPHS, Events.radiograph(4096));
        onFirstPoll(record(Topics.RADIOGRAPHS, 0, "1.2.3.0", bytes, new RecordHeaders()),
                record(Topics.RADIOGRAPHS, 1, "1.2.3.1", bytes, new RecordHeaders()),
                record(Topics.RADIOGRAPHS, 2, "1.2.3.2", bytes, new RecordHeaders()));

        long n = tailer().run(opts(Topics.RADIOGRAPHS, 2, true, false, false), Duration.ofSeconds(1));

        assertEquals(2, n);
        assertEquals(2, lines().size(), lines().toString());
        JsonNode first = json(lines().get(0));
        assertEquals("e-1", first.get("eventId").asText());
        assertEquals("1.2.3.4", first.get("studyInstanceUid").asText(), "unions print as their value");
        assertEquals("URGENT", first.get("priority").asText());
        assertEquals(1_700_000_000_123L, first.get("receivedAt").asLong());
        JsonNode data = first.get("image").get("data");
        assertEquals(4096, data.get("length").asInt());
        assertTrue(data.get("truncated").asBoolean());
        assertEquals(8, Base64.getDecoder().decode(data.get("base64").asText()).length);
        assertTrue(lines().get(0).length() < 1000, "a 4 KB image must not flood the line");
    }

    @Test
    void nonAvroRecordsPrintWithHeadersAndBase64InsteadOfFailing() throws Exception {
        topic(Topics.RADIOGRAPHS_DLQ, 1);
        RecordHeaders headers = new RecordHeaders();
        headers.add(new RecordHeader(Topics.DLQ_HEADER_ERROR, "not a DICOM file".getBytes(StandardCharsets.UTF_8)));
        headers.add(new RecordHeader(Topics.DLQ_HEADER_STAGE, "decode".getBytes(StandardCharsets.UTF_8)));
        byte[] payload = "DICM?garbage".getBytes(StandardCharsets.US_ASCII);
        onFirstPoll(record(Topics.RADIOGRAPHS_DLQ, 0, "k", payload, headers));

        tailer().run(opts(Topics.RADIOGRAPHS_DLQ, 10, true, false, false), Duration.ofSeconds(1));

        JsonNode line = json(lines().get(0));
        assertTrue(line.get("notAvro").asText().contains("Unknown magic byte 0x44 ('D')"), line.toString());
        assertEquals("not a DICOM file", line.get("headers").get(Topics.DLQ_HEADER_ERROR).asText());
        assertEquals("decode", line.get("headers").get(Topics.DLQ_HEADER_STAGE).asText());
        assertEquals(payload.length, line.get("payload").get("length").asInt());
        assertEquals("DICM?gar", new String(Base64.getDecoder().decode(line.get("payload").get("base64").asText()), StandardCharsets.US_ASCII));
    }

    @Test
    void withoutFromBeginningOnlyNewRecordsArePrinted() throws Exception {
        Serde<Alert> serde = AvroSerdes.specific(Alert.class, registry.url(), false);
        byte[] alert = serde.serializer().serialize(Topics.ALERTS, Events.alert());
        topic(Topics.ALERTS, 1);
        // The record at offset 0 predates the tail (end offset 1) and must be skipped.
        onFirstPoll(record(Topics.ALERTS, 0, "old", alert, new RecordHeaders()), record(Topics.ALERTS, 1, "new", alert, new RecordHeaders()));

        long n = tailer().run(opts(Topics.ALERTS, 5, false, true, false), Duration.ofSeconds(1));

        assertEquals(1, n, lines().toString());
        String[] keyAndValue = lines().get(0).split("\t");
        assertEquals("\"new\"", keyAndValue[0]);
        assertEquals("a-1", json(keyAndValue[1]).get("alertId").asText());
    }

    @Test
    void metadataEnvelopeAndTombstones() throws Exception {
        topic(Topics.LABEL_PROTOTYPES, 1);
        onFirstPoll(record(Topics.LABEL_PROTOTYPES, 0, "covid-19", null, new RecordHeaders()));

        tailer().run(opts(Topics.LABEL_PROTOTYPES, 1, true, false, true), Duration.ofSeconds(1));

        JsonNode line = json(lines().get(0));
        assertEquals("covid-19", line.get("key").asText());
        assertEquals(0, line.get("offset").asLong());
        assertTrue(line.get("value").isNull(), "a retired prototype is a null value");
    }

    @Test
    void stopsAfterTheIdleTimeout() {
        topic(Topics.FINDINGS, 0);
        long n = tailer().run(new TopicTailer.Options(Topics.FINDINGS, Long.MAX_VALUE, true, Duration.ofSeconds(3), false, false),
                Duration.ofSeconds(1));
        assertEquals(0, n);
        assertTrue(fakeNanos.get() >= 3_000_000_000L);
        assertTrue(lines().isEmpty());
    }

    @Test
    void unknownTopicIsAClearError() {
        topic(Topics.FINDINGS, 0);
        var e = assertThrows(TopicTailer.TailException.class, () -> tailer().run(opts("findngs", 1, true, false, false), Duration.ofSeconds(1)));
        assertEquals("topic 'findngs' does not exist (topics: findings)", e.getMessage());
    }

    @Test
    void commandLineFlags() {
        TailCommand cmd = new TailCommand();
        new CommandLine(cmd).parseArgs("alerts", "--max", "3", "--from-beginning", "--timeout", "500ms", "--print-key",
                "--schema-registry-url", "http://127.0.0.1:1");
        assertEquals("alerts", cmd.topic);
        assertEquals(3L, cmd.max);
        assertTrue(cmd.fromBeginning);
        assertEquals(Duration.ofMillis(500), cmd.timeout);
        assertTrue(cmd.printKey);
        assertEquals("http://127.0.0.1:1", cmd.connection.schemaRegistryUrl);

        TailCommand defaults = new TailCommand();
        new CommandLine(defaults).parseArgs("alerts");
        assertEquals(Duration.ofSeconds(10), defaults.timeout);
        assertFalse(defaults.fromBeginning);

        var converter = new TailCommand.DurationConverter();
        assertEquals(Duration.ofMinutes(5), converter.convert("5m"));
        assertEquals(Duration.ofSeconds(7), converter.convert("7"));
        assertEquals(Duration.ofSeconds(2), converter.convert("PT2S"));
        assertEquals(Duration.ZERO, converter.convert("0"));
        assertThrows(IllegalArgumentException.class, () -> converter.convert("soon"));
    }
}
