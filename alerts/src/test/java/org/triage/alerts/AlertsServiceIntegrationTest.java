package org.triage.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.triage.alerts.TestAlerts.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triage.events.ActionType;
import org.triage.events.Alert;
import org.triage.events.AlertAction;
import org.triage.platform.LocalStack;
import org.triage.schemas.Topics;
import org.triage.schemas.serde.AvroSerdes;

/**
 * The service on a real broker and registry: history replay, live alerts over REST, SSE and a
 * webhook, actions written to {@code alert-actions} and folded back, and a restart rebuilding the
 * same view. One stack for the class keeps the run short.
 */
class AlertsServiceIntegrationTest {
    static final String VIEWER = "it-viewer-token-0123456789";
    static final String RESPONDER = "it-responder-token-0123456789";
    static final ObjectMapper JSON = new ObjectMapper();
    static final long T0 = System.currentTimeMillis() - 2 * 3600_000;

    @TempDir
    static Path dir;
    static LocalStack stack;
    static AlertsService service;
    static KafkaProducer<String, Alert> producer;
    static HttpServer hookReceiver;
    static final BlockingQueue<JsonNode> hookBodies = new LinkedBlockingQueue<>();
    static HttpClient http;
    static Path tokensFile;

    @BeforeAll
    static void start() throws Exception {
        stack = LocalStack.start();
        Serde<Alert> serde = AvroSerdes.specific(Alert.class, stack.schemaRegistryUrl(), false);
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), serde.serializer());
        // History written before the service starts: it must be replayed, and not re-posted to webhooks.
        send(alert("hist-1", T0));
        send(alert("hist-2", T0 + 1));
        send(alert("hist-recent", System.currentTimeMillis() - 60_000));

        hookReceiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hookReceiver.createContext("/hook", ex -> {
            hookBodies.add(JSON.readTree(ex.getRequestBody().readAllBytes()));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        hookReceiver.start();

        tokensFile = dir.resolve("tokens.txt");
        Files.writeString(tokensFile, "# integration test\n" + VIEWER + ":viewer\n" + RESPONDER + ":responder:oncall.rad\n");
        Files.setPosixFilePermissions(tokensFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        service = newService();
        assertTrue(service.awaitLive(Duration.ofSeconds(60)), "the view never caught up");
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    static AlertsService newService() {
        return AlertsService.builder()
                .bootstrapServers(stack.bootstrapServers())
                .schemaRegistryUrl(stack.schemaRegistryUrl())
                .tokensFile(tokensFile)
                .port(0)
                .webhook(URI.create("http://127.0.0.1:" + hookReceiver.getAddress().getPort() + "/hook"))
                .build()
                .start();
    }

    @AfterAll
    static void stop() {
        if (service != null) service.close();
        if (producer != null) producer.close(Duration.ofSeconds(5));
        if (hookReceiver != null) hookReceiver.stop(0);
        if (stack != null) stack.close();
    }

    @Test
    void aThumbnailWrittenToTheTopicIsServedForItsFilm() throws Exception {
        String sop = "1.2.826.0.1.3680043.8.498.777";
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 42};
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            p.send(new ProducerRecord<>(Topics.THUMBNAILS, sop, png)).get(30, TimeUnit.SECONDS);
        }
        HttpRequest req = HttpRequest.newBuilder(URI.create(service.url() + "/api/films/" + sop + "/thumbnail"))
                .header("Authorization", "Bearer " + VIEWER).GET().build();
        HttpResponse<byte[]> r = null;
        long deadline = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < deadline) {
            r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() == 200) break;
            assertEquals(404, r.statusCode(), "not there yet is a 404");
            Thread.sleep(100);
        }
        assertEquals(200, r.statusCode(), "the thumbnail never reached the service");
        assertEquals("image/png", r.headers().firstValue("Content-Type").orElse(""));
        org.junit.jupiter.api.Assertions.assertArrayEquals(png, r.body());
        assertTrue(service.metrics().get("thumbnails_read_total").longValue() >= 1);
    }

    static void send(Alert a) throws Exception {
        producer.send(new ProducerRecord<>(Topics.ALERTS, a.getAlertId(), a)).get(30, TimeUnit.SECONDS);
    }

    static HttpResponse<String> get(AlertsService s, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.url() + path)).timeout(Duration.ofSeconds(10));
        if (token != null) b.header("Authorization", "Bearer " + token);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(service.url() + path)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) b.header("Authorization", "Bearer " + token);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode await(AlertsService s, String path, java.util.function.Predicate<JsonNode> until) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        JsonNode last = null;
        while (System.currentTimeMillis() < deadline) {
            HttpResponse<String> r = get(s, path, VIEWER);
            if (r.statusCode() == 200) {
                last = JSON.readTree(r.body());
                if (until.test(last)) return last;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("condition on " + path + " not met in 30 s; last: " + last);
    }

    @Test
    void replayedHistoryIsListedAndOnlyRecentOpenAlertsAreRepostedToWebhooks() throws Exception {
        JsonNode list = JSON.readTree(get(service, "/api/alerts?state=OPEN,ACKNOWLEDGED,RESOLVED&limit=1000", VIEWER).body());
        List<String> ids = list.get("alerts").findValuesAsText("alertId");
        assertTrue(ids.containsAll(List.of("hist-1", "hist-2", "hist-recent")), ids.toString());
        JsonNode health = JSON.readTree(get(service, "/health", null).body());
        assertEquals("UP", health.get("status").asText());
        // Raised a minute ago, maybe while the service was down: posted again, marked as such.
        JsonNode recent = awaitHook("hist-recent");
        assertTrue(recent.get("redelivery").asBoolean());
        for (JsonNode b : hookBodies) {
            String id = b.get("alert").get("alertId").asText();
            assertFalse(id.equals("hist-1") || id.equals("hist-2"), "old history posted to webhook: " + b);
        }
    }

    @Test
    void newAlertReachesTheListTheStreamAndTheWebhookOnce() throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(service.url() + "/api/alerts/stream"))
                .header("Authorization", "Bearer " + VIEWER).build();
        HttpResponse<InputStream> sse = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, sse.statusCode());
        ExecutorService ex = Executors.newSingleThreadExecutor();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(sse.body(), StandardCharsets.UTF_8))) {
            ex.submit(() -> readUntil(in, ": connected")).get(10, TimeUnit.SECONDS);
            send(alert("live-1", System.currentTimeMillis()));
            String data = ex.submit(() -> readUntil(in, "data: {\"alertId\":\"live-1\"")).get(30, TimeUnit.SECONDS);
            assertEquals("OPEN", JSON.readTree(data.substring(6)).get("state").asText());
        } finally {
            ex.shutdownNow();
        }
        JsonNode hook = awaitHook("live-1");
        assertEquals("alert.created", hook.get("event").asText());
        assertFalse(hook.get("redelivery").asBoolean());
        assertTrue(hook.get("alert").has("patientPseudonym"));

        JsonNode one = await(service, "/api/alerts/live-1", n -> true);
        assertEquals("OPEN", one.get("state").asText());
        // The same alert again (a replay upstream) changes nothing and is not re-posted.
        send(alert("live-1", System.currentTimeMillis()));
        send(alert("live-2", System.currentTimeMillis()));
        await(service, "/api/alerts/live-2", n -> true);
        awaitHook("live-2");
        for (JsonNode b : hookBodies) assertNotEquals("live-1", b.get("alert").get("alertId").asText(), "duplicate re-posted");
        assertTrue(service.view().counters().get("duplicate_alerts") >= 1);
    }

    @Test
    void ackViaPostProducesAnAlertActionAndChangesTheState() throws Exception {
        send(alert("to-ack", System.currentTimeMillis()));
        await(service, "/api/alerts/to-ack", n -> true);
        assertEquals(401, post("/api/alerts/to-ack/actions", null, "{\"action\":\"ACK\"}").statusCode());
        assertEquals(401, post("/api/alerts/to-ack/actions", "wrong", "{\"action\":\"ACK\"}").statusCode());
        assertEquals(403, post("/api/alerts/to-ack/actions", VIEWER, "{\"action\":\"ACK\"}").statusCode());
        HttpResponse<String> r = post("/api/alerts/to-ack/actions", RESPONDER, "{\"action\":\"ACK\",\"comment\":\"on it\"}");
        assertEquals(202, r.statusCode(), r.body());
        String actionId = JSON.readTree(r.body()).get("actionId").asText();

        JsonNode acked = await(service, "/api/alerts/to-ack", n -> n.get("state").asText().equals("ACKNOWLEDGED"));
        JsonNode act = acked.get("actions").get(0);
        assertEquals(actionId, act.get("actionId").asText());
        assertEquals("oncall.rad", act.get("actor").asText());
        assertEquals("on it", act.get("comment").asText());

        AlertAction recorded = readAction(actionId);
        assertEquals(ActionType.ACK, recorded.getAction());
        assertEquals("to-ack", recorded.getAlertId());
        assertEquals("oncall.rad", recorded.getActor());

        // A second instance rebuilds the same state from the topics alone.
        try (AlertsService again = newService()) {
            assertTrue(again.awaitLive(Duration.ofSeconds(60)));
            JsonNode replayed = JSON.readTree(get(again, "/api/alerts/to-ack", VIEWER).body());
            assertEquals("ACKNOWLEDGED", replayed.get("state").asText());
            assertEquals(actionId, replayed.get("actions").get(0).get("actionId").asText());
        }
    }

    @Test
    void anUndecodableRecordIsCountedAndSkipped() throws Exception {
        try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()),
                new StringSerializer(), new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(Topics.ALERTS, "garbage", new byte[] {0, 0, 0, 0, 42, 1, 2, 3})).get(30, TimeUnit.SECONDS);
            raw.send(new ProducerRecord<>(Topics.ALERTS, "empty", new byte[0])).get(30, TimeUnit.SECONDS);
        }
        send(alert("after-garbage", System.currentTimeMillis()));
        await(service, "/api/alerts/after-garbage", n -> true);
        assertEquals(2L, service.metrics().get("records_undecodable_total").longValue());
    }

    @Test
    void aRegistryOutageDelaysRecordsButLosesNone() throws Exception {
        Serde<Alert> alerts = AvroSerdes.specific(Alert.class, stack.schemaRegistryUrl(), false);
        Serde<AlertAction> actions = AvroSerdes.specific(AlertAction.class, stack.schemaRegistryUrl(), false);
        java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger();
        // Fails like the real deserializer does when the registry does not answer, three times.
        org.apache.kafka.common.serialization.Deserializer<Alert> flaky = (topic, data) -> {
            if (failures.getAndIncrement() < 3) {
                throw new org.triage.schemas.serde.AvroSerdeException("fetching schema id failed",
                        new org.triage.schemas.registry.SchemaRegistryException(-1, -1, "connection refused"));
            }
            return alerts.deserializer().deserialize(topic, data);
        };
        org.triage.alerts.view.AlertView view = new org.triage.alerts.view.AlertView(1000);
        try (org.triage.alerts.kafka.AlertEventConsumer c = new org.triage.alerts.kafka.AlertEventConsumer(
                stack.bootstrapServers(), flaky, actions.deserializer(), view, Duration.ofSeconds(10))) {
            c.start();
            long deadline = System.currentTimeMillis() + 30_000;
            while (!view.isLive() && System.currentTimeMillis() < deadline) Thread.sleep(50);
            assertTrue(view.isLive());
            assertTrue(view.get("hist-1").isPresent() && view.get("hist-2").isPresent(), "records retried, not skipped");
            assertEquals(3L, c.metrics().get("registry_retries_total").longValue());
        }
    }

    /** The webhook body for {@code alertId}; bodies for other alerts (other tests) are set aside. */
    private static JsonNode awaitHook(String alertId) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            JsonNode b = hookBodies.poll(100, TimeUnit.MILLISECONDS);
            if (b != null && b.get("alert").get("alertId").asText().equals(alertId)) return b;
        }
        throw new AssertionError("webhook never received alert " + alertId);
    }

    private static AlertAction readAction(String actionId) {
        Serde<AlertAction> serde = AvroSerdes.specific(AlertAction.class, stack.schemaRegistryUrl(), false);
        try (KafkaConsumer<String, AlertAction> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"), new StringDeserializer(), serde.deserializer())) {
            List<TopicPartition> parts = c.partitionsFor(Topics.ALERT_ACTIONS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            long deadline = System.currentTimeMillis() + 30_000;
            while (System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, AlertAction> rec : c.poll(Duration.ofMillis(200))) {
                    if (rec.value().getActionId().equals(actionId)) {
                        assertEquals(rec.value().getAlertId(), rec.key(), "actions are keyed by alert id");
                        return rec.value();
                    }
                }
            }
        }
        throw new AssertionError("action " + actionId + " not found on " + Topics.ALERT_ACTIONS);
    }

    private static String readUntil(BufferedReader in, String prefix) throws Exception {
        String line;
        while ((line = in.readLine()) != null) {
            if (line.startsWith(prefix)) return line;
        }
        throw new AssertionError("stream ended before '" + prefix + "'");
    }
}
