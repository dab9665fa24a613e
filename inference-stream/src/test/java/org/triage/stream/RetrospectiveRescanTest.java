package org.triage.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.triage.events.Alert;
import org.triage.events.AlertType;
import org.triage.events.Finding;
import org.triage.events.ImageEmbedding;
import org.triage.events.LabelPrototype;
import org.triage.events.PrototypeKind;
import org.triage.events.RadiographEvent;
import org.triage.events.ThresholdMode;
import org.triage.platform.LocalStack;
import org.triage.platform.LocalStackOptions;
import org.triage.schemas.Topics;
import org.triage.stream.testing.Events;
import org.triage.stream.testing.FakeEmbedder;
import org.triage.stream.testing.KafkaTestIo;

/**
 * A new unseen prototype with an ABSOLUTE threshold is applied to the stored embeddings of earlier
 * films: one RETROSPECTIVE_MATCH per film within the threshold, exactly once although two
 * instances of the stream (same application id) run.
 */
@Timeout(240)
class RetrospectiveRescanTest {
    private static final int FILMS = 60;
    private static final float THRESHOLD = 0.5f;

    @TempDir
    Path tmp;

    @Test
    void aNewPrototypeIsAppliedOnceToTheEarlierFilmsOfTheModelInService() throws Exception {
        try (LocalStack stack = LocalStack.start(LocalStackOptions.defaults().partitions(2))) {
            String bootstrap = stack.bootstrapServers();
            String registry = stack.schemaRegistryUrl();
            try (KafkaProducer<String, RadiographEvent> images = KafkaTestIo.producer(bootstrap, registry, RadiographEvent.class);
                 KafkaProducer<String, LabelPrototype> protos = KafkaTestIo.producer(bootstrap, registry, LabelPrototype.class);
                 InferenceStream a = stream(bootstrap, registry, Files.createDirectories(tmp.resolve("a")));
                 InferenceStream b = stream(bootstrap, registry, Files.createDirectories(tmp.resolve("b")))) {
                // A seen label that never alerts: the rescanner skips it (policy) and commits its offset.
                protos.send(new ProducerRecord<>(Topics.LABEL_PROTOTYPES, "A",
                        Events.prototype("A", PrototypeKind.SEEN, ThresholdMode.NEVER, null, false, 1, 0))).get();
                a.start();
                b.start();
                a.awaitRunning(Duration.ofSeconds(60));
                b.awaitRunning(Duration.ofSeconds(60));

                // Every 5th film is of the new class: near (0,1); the others lie about 1 away. Noise
                // puts some of either on the wrong side of the threshold.
                Random rnd = new Random(42);
                Map<String, Boolean> truth = new HashMap<>();
                Map<String, Long> receivedAt = new HashMap<>();
                long now = System.currentTimeMillis();
                for (int i = 0; i < FILMS; i++) {
                    String sop = "film-" + i;
                    boolean covid = i % 5 == 0;
                    double angle = rnd.nextDouble() * 2 * Math.PI;
                    float x = (float) ((covid ? 0 : Math.cos(angle)) + 0.2 * rnd.nextGaussian());
                    float y = (float) ((covid ? 1 : 1 + Math.sin(angle)) + 0.2 * rnd.nextGaussian());
                    long at = now - (FILMS - i) * 1000L;
                    truth.put(sop, covid);
                    receivedAt.put(sop, at);
                    images.send(new ProducerRecord<>(Topics.RADIOGRAPHS, sop, Events.radiograph(sop, FakeEmbedder.image(x, y), at)));
                }
                images.flush();
                List<ConsumerRecord<String, Finding>> findings = KafkaTestIo.readUntil(bootstrap, registry, Topics.FINDINGS, Finding.class,
                        Duration.ofSeconds(90), l -> l.size() >= FILMS);
                assertEquals(FILMS, findings.size(), "one finding per film");
                // The embeddings were committed with the findings.
                List<ConsumerRecord<String, ImageEmbedding>> stored = KafkaTestIo.readUntil(bootstrap, registry, Topics.EMBEDDINGS,
                        ImageEmbedding.class, Duration.ofSeconds(30), l -> l.size() >= FILMS);
                assertEquals(FILMS, stored.size(), "one stored embedding per film");

                FakeEmbedder metric = new FakeEmbedder("v7", 2);
                float[] covidVector = {0, 1};
                Set<String> expected = within(stored, covidVector, metric);
                double ctrlAngle = new Random(7).nextDouble() * 2 * Math.PI;
                float[] control = {(float) Math.cos(ctrlAngle), (float) Math.sin(ctrlAngle)};

                protos.send(new ProducerRecord<>(Topics.LABEL_PROTOTYPES, "covid",
                        Events.prototype("covid", PrototypeKind.UNSEEN, ThresholdMode.ABSOLUTE, (double) THRESHOLD, false, covidVector))).get();
                long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                while (completed(a) + completed(b) < 1) {
                    assertTrue(System.nanoTime() < deadline, "no rescan completed: " + a.meters().rescans() + " / " + b.meters().rescans());
                    Thread.sleep(100);
                }
                List<ConsumerRecord<String, Alert>> alerts = KafkaTestIo.readUntil(bootstrap, registry, Topics.ALERTS, Alert.class,
                        Duration.ofSeconds(15), l -> retrospective(l).size() >= expected.size());
                List<Alert> matches = retrospective(alerts);
                Set<String> ids = new HashSet<>();
                Set<String> got = new TreeSet<>();
                for (Alert m : matches) {
                    assertTrue(ids.add(m.getAlertId()), "duplicate retrospective alert " + m.getAlertId());
                    assertTrue(got.add(m.getSopInstanceUid()), "two retrospective alerts for " + m.getSopInstanceUid());
                    assertEquals("covid", m.getLabelId());
                    assertNotNull(m.getFilmTime(), "filmTime of " + m.getSopInstanceUid());
                    assertEquals((long) receivedAt.get(m.getSopInstanceUid()), m.getFilmTime().toEpochMilli(), "filmTime = receivedAt");
                    assertEquals("v7", m.getModel().getVersion());
                    assertTrue(m.getScore() <= THRESHOLD, "score within the threshold");
                    assertEquals(1, m.getEvidence().size());
                }
                assertEquals(new TreeSet<>(expected), got, "retrospective matches = the earlier films within the threshold");
                // Exactly one of the two instances handled each prototype record.
                assertEquals(1, completed(a) + completed(b), "the covid rescan ran once: " + a.meters().rescans() + " / " + b.meters().rescans());
                assertEquals(1, count(a, "skipped-policy") + count(b, "skipped-policy"), "prototype A handled once");
                assertEquals(FILMS, a.meters().rescanEmbeddingsRead() + b.meters().rescanEmbeddingsRead(), "embeddings scanned");
                long matched = a.meters().rescanMatches().getOrDefault("covid", 0L) + b.meters().rescanMatches().getOrDefault("covid", 0L);
                assertEquals(expected.size(), matched, "matches metric");

                double[] pr = precisionRecall(got, truth);
                double[] ctrl = precisionRecall(within(stored, control, metric), truth);
                System.out.printf("retrospective rescan: %d films (%d of the class), %d matches: precision %.2f recall %.2f; "
                                + "control vector (%.2f,%.2f), same norm: %d matches, precision %.2f recall %.2f%n",
                        FILMS, truth.values().stream().filter(v -> v).count(), got.size(), pr[0], pr[1], control[0], control[1],
                        within(stored, control, metric).size(), ctrl[0], ctrl[1]);
                assertTrue(pr[1] > ctrl[1], "the prototype finds more of its class than a random vector");
            }
        }
    }

    private static InferenceStream stream(String bootstrap, String registry, Path state) {
        return InferenceStream.builder().bootstrapServers(bootstrap).schemaRegistryUrl(registry).applicationId("rescan-test")
                .stateDir(state).modelDir(state).modelLoader(dir -> new FakeEmbedder("v7", 2)).maxBatch(8).maxDelayMs(20)
                .rescanLookback(Duration.ofDays(30)).build();
    }

    private static long completed(InferenceStream s) {
        return count(s, "completed");
    }

    private static long count(InferenceStream s, String outcome) {
        return s.meters().rescans().getOrDefault(outcome, 0L);
    }

    private static List<Alert> retrospective(List<ConsumerRecord<String, Alert>> l) {
        return l.stream().map(ConsumerRecord::value).filter(a -> a.getType() == AlertType.RETROSPECTIVE_MATCH).toList();
    }

    private static Set<String> within(List<ConsumerRecord<String, ImageEmbedding>> stored, float[] prototype, FakeEmbedder metric) {
        Set<String> out = new TreeSet<>();
        for (ConsumerRecord<String, ImageEmbedding> r : stored) {
            List<Float> v = r.value().getVector();
            float[] e = {v.get(0), v.get(1)};
            if (metric.distance(e, prototype) <= THRESHOLD) {
                out.add(r.value().getSopInstanceUid());
            }
        }
        return out;
    }

    private static double[] precisionRecall(Set<String> flagged, Map<String, Boolean> truth) {
        long tp = flagged.stream().filter(truth::get).count();
        long positives = truth.values().stream().filter(v -> v).count();
        return new double[] {flagged.isEmpty() ? 0 : tp / (double) flagged.size(), positives == 0 ? 0 : tp / (double) positives};
    }
}
