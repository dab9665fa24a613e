package org.triage.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.triage.events.Finding;
import org.triage.events.LabelPrototype;
import org.triage.events.LabelScore;
import org.triage.events.PrototypeKind;
import org.triage.events.RadiographEvent;
import org.triage.events.ThresholdMode;
import org.triage.platform.LocalStack;
import org.triage.schemas.Topics;
import org.triage.stream.testing.Events;
import org.triage.stream.testing.FakeEmbedder;
import org.triage.stream.testing.KafkaTestIo;

/** The stream on a real embedded broker and registry, with the deterministic fake model. */
@Timeout(180)
class EndToEndTest {
    private static LocalStack stack;

    @TempDir
    Path state;

    @BeforeAll
    static void startStack() throws Exception {
        stack = LocalStack.start();
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void everyRadiographGetsExactlyOneFindingAndANewPrototypeIsScoredForLaterRecords() throws Exception {
        String bootstrap = stack.bootstrapServers();
        String registry = stack.schemaRegistryUrl();
        try (KafkaProducer<String, RadiographEvent> images = KafkaTestIo.producer(bootstrap, registry, RadiographEvent.class);
             KafkaProducer<String, LabelPrototype> protos = KafkaTestIo.producer(bootstrap, registry, LabelPrototype.class);
             InferenceStream stream = InferenceStream.builder().bootstrapServers(bootstrap).schemaRegistryUrl(registry)
                     .applicationId("e2e-test").stateDir(state).modelDir(state)
                     .modelLoader(dir -> new FakeEmbedder("v7", 2)).maxBatch(8).maxDelayMs(20).metricsPort(0).build()) {
            protos.send(new ProducerRecord<>(Topics.LABEL_PROTOTYPES, "A",
                    Events.prototype("A", PrototypeKind.SEEN, ThresholdMode.NEVER, null, false, 1, 0))).get();
            stream.start();
            stream.awaitRunning(Duration.ofSeconds(60));

            int first = 30;
            for (int i = 0; i < first; i++) {
                send(images, "sop-" + i, i % 5);
            }
            images.flush();
            // The prototype goes live mid-run; probes until it shows up bound "live within seconds".
            long t0 = System.nanoTime();
            protos.send(new ProducerRecord<>(Topics.LABEL_PROTOTYPES, "covid",
                    Events.prototype("covid", PrototypeKind.UNSEEN, ThresholdMode.ABSOLUTE, 0.5, false, 0, 1))).get();
            int probes = 0;
            while (true) {
                String probe = "probe-" + probes++;
                send(images, probe, 0);
                images.flush();
                List<ConsumerRecord<String, Finding>> f = KafkaTestIo.readUntil(bootstrap, registry, Topics.FINDINGS, Finding.class,
                        Duration.ofSeconds(10), l -> l.stream().anyMatch(r -> r.key().equals(probe)));
                Finding pf = f.stream().filter(r -> r.key().equals(probe)).findFirst().orElseThrow().value();
                if (labels(pf).contains("covid")) {
                    break;
                }
                assertTrue(System.nanoTime() - t0 < 10_000_000_000L, "new prototype not in effect after 10 s");
            }
            long liveMs = (System.nanoTime() - t0) / 1_000_000;
            int second = 30;
            for (int i = first; i < first + second; i++) {
                send(images, "sop-" + i, i % 5);
            }
            images.flush();
            int expected = first + second + probes;
            List<ConsumerRecord<String, Finding>> findings = KafkaTestIo.readUntil(bootstrap, registry, Topics.FINDINGS, Finding.class,
                    Duration.ofSeconds(60), l -> l.size() >= expected);
            assertEquals(expected, findings.size(), "exactly one finding per radiograph");
            Map<String, Finding> bySop = new HashMap<>();
            for (ConsumerRecord<String, Finding> r : findings) {
                assertEquals(r.key(), r.value().getSopInstanceUid());
                assertEquals("v7", r.value().getModel().getVersion());
                bySop.put(r.key(), r.value());
            }
            assertEquals(expected, bySop.size(), "one finding per SOP UID");
            for (int i = 0; i < first + second; i++) {
                assertTrue(bySop.containsKey("sop-" + i), "finding for sop-" + i);
            }
            for (int i = first; i < first + second; i++) {
                assertEquals(Set.of("A", "covid"), new HashSet<>(labels(bySop.get("sop-" + i))), "later record scored on covid");
            }
            // Records at distance 0 from covid (image [0,1]) raise UNSEEN_CLASS alerts.
            StreamMetricsAssertions.awaitAlerts(stream, 1);

            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + stream.metricsPort();
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode(), health.body());
            String metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(metrics.contains("triage_stream_findings_total " + (double) expected)
                    || metrics.contains("triage_stream_findings_total{} " + (double) expected), metrics);
            assertTrue(metrics.contains("triage_stream_batch_size"), "batch size metric");
            assertTrue(metrics.contains("triage_stream_alerts_total{label=\"covid\",type=\"UNSEEN_CLASS\"}"), "per-label alert count");
            System.out.println("new prototype live after " + liveMs + " ms; snapshot " + stream.metrics());
        }
    }

    @Test
    void aFilmsPreviewReachesTheThumbnailsTopicUnderItsSopUid() throws Exception {
        String bootstrap = stack.bootstrapServers();
        String registry = stack.schemaRegistryUrl();
        java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(1024, 768, java.awt.image.BufferedImage.TYPE_USHORT_GRAY), "png", png);
        try (KafkaProducer<String, RadiographEvent> images = KafkaTestIo.producer(bootstrap, registry, RadiographEvent.class);
             InferenceStream stream = InferenceStream.builder().bootstrapServers(bootstrap).schemaRegistryUrl(registry)
                     .applicationId("e2e-thumbnails").stateDir(state).modelDir(state)
                     .modelLoader(dir -> new FakeEmbedder("v7", 2)).maxBatch(8).maxDelayMs(20).build()) {
            stream.start();
            stream.awaitRunning(Duration.ofSeconds(60));
            // The other test's films are on radiographs too (one stack for the class): this application reads them
            // first, and the writer's short queue drops previews while it is full (counted, as designed). Send the
            // film once that backlog has its outcomes, so the queue has room for it.
            long backlog = radiographsEndOffset(bootstrap);
            long deadline0 = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (stream.meters().thumbnailsHandled() < backlog && System.nanoTime() < deadline0) {
                Thread.sleep(100);
            }
            images.send(new ProducerRecord<>(Topics.RADIOGRAPHS, "thumb-1",
                    Events.radiograph("1.2.826.0.1.9.1", png.toByteArray(), System.currentTimeMillis()))).get();
            try (org.apache.kafka.clients.consumer.KafkaConsumer<String, byte[]> c = new org.apache.kafka.clients.consumer.KafkaConsumer<>(
                    Map.of("bootstrap.servers", bootstrap, "group.id", "thumbnail-reader", "auto.offset.reset", "earliest"),
                    new org.apache.kafka.common.serialization.StringDeserializer(), new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
                c.subscribe(List.of(Topics.THUMBNAILS));
                ConsumerRecord<String, byte[]> got = null;
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (got == null && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) got = r;
                }
                assertTrue(got != null, "no preview on " + Topics.THUMBNAILS);
                assertEquals("1.2.826.0.1.9.1", got.key());
                java.awt.image.BufferedImage t = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(got.value()));
                assertEquals(128, t.getWidth());
                assertEquals(96, t.getHeight());
            }
        }
    }

    private static void send(KafkaProducer<String, RadiographEvent> p, String sop, float x) {
        // image [x, 1]: distance to covid [0,1] is x
        p.send(new ProducerRecord<>(Topics.RADIOGRAPHS, sop, Events.radiograph(sop, FakeEmbedder.image(x, 1), System.currentTimeMillis())));
    }

    private static List<String> labels(Finding f) {
        return f.getLabels().stream().map(LabelScore::getLabelId).toList();
    }

    static final class StreamMetricsAssertions {
        static void awaitAlerts(InferenceStream s, long atLeast) throws InterruptedException {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (s.metrics().alerts().getOrDefault("UNSEEN_CLASS", 0L) < atLeast) {
                assertTrue(System.nanoTime() < deadline, "no UNSEEN_CLASS alert: " + s.metrics());
                Thread.sleep(50);
            }
        }
    }

    private static long radiographsEndOffset(String bootstrap) throws Exception {
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> ask = new java.util.HashMap<>();
            admin.describeTopics(List.of(Topics.RADIOGRAPHS)).allTopicNames().get().get(Topics.RADIOGRAPHS).partitions()
                    .forEach(pi -> ask.put(new org.apache.kafka.common.TopicPartition(Topics.RADIOGRAPHS, pi.partition()),
                            org.apache.kafka.clients.admin.OffsetSpec.latest()));
            return admin.listOffsets(ask).all().get().values().stream().mapToLong(o -> o.offset()).sum();
        }
    }
}
