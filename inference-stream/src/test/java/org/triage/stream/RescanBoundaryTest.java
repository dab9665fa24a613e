package org.triage.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.triage.events.Alert;
import org.triage.events.AlertType;
import org.triage.events.Finding;
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
 * Films keep arriving while a new prototype is added. Every film of the class must get exactly one
 * alert for it: live (UNSEEN_CLASS) when it was scored after the prototype reached the scoring
 * task, retrospective (RETROSPECTIVE_MATCH) when before. None in between, none twice.
 */
@Timeout(240)
class RescanBoundaryTest {
    private static final int BEFORE = 80;
    private static final int DURING = 120;

    @TempDir
    Path tmp;

    @Test
    void aFilmScoredAroundTheAddGetsOneAlertLiveOrRetrospective() throws Exception {
        try (LocalStack stack = LocalStack.start(LocalStackOptions.defaults().partitions(2))) {
            String bootstrap = stack.bootstrapServers();
            String registry = stack.schemaRegistryUrl();
            try (KafkaProducer<String, RadiographEvent> images = KafkaTestIo.producer(bootstrap, registry, RadiographEvent.class);
                 KafkaProducer<String, LabelPrototype> protos = KafkaTestIo.producer(bootstrap, registry, LabelPrototype.class);
                 InferenceStream stream = InferenceStream.builder().bootstrapServers(bootstrap).schemaRegistryUrl(registry)
                         .applicationId("rescan-boundary").stateDir(Files.createDirectories(tmp.resolve("s"))).modelDir(tmp)
                         .modelLoader(dir -> new FakeEmbedder("v7", 2)).maxBatch(4).maxDelayMs(5)
                         .rescanLookback(Duration.ofDays(30)).build()) {
                // A seen label far away keeps the scorer busy without matching.
                protos.send(new ProducerRecord<>(Topics.LABEL_PROTOTYPES, "A",
                        Events.prototype("A", PrototypeKind.SEEN, ThresholdMode.NEVER, null, false, 5, 5))).get();
                stream.start();
                stream.awaitRunning(Duration.ofSeconds(60));

                Random rnd = new Random(3);
                AtomicInteger sent = new AtomicInteger();
                Runnable sendOne = () -> {
                    int i = sent.getAndIncrement();
                    float x = (float) (0.05 * rnd.nextGaussian());
                    float y = (float) (1 + 0.05 * rnd.nextGaussian());
                    images.send(new ProducerRecord<>(Topics.RADIOGRAPHS, "film-" + i,
                            Events.radiograph("film-" + i, FakeEmbedder.image(x, y), System.currentTimeMillis())));
                };
                for (int i = 0; i < BEFORE; i++) {
                    sendOne.run();
                }
                images.flush();
                KafkaTestIo.readUntil(bootstrap, registry, Topics.FINDINGS, Finding.class, Duration.ofSeconds(60), l -> l.size() >= BEFORE);
                // The prototype lands while films keep coming, one every few milliseconds, some still in flight.
                Thread feeder = new Thread(() -> {
                    for (int i = 0; i < DURING; i++) {
                        sendOne.run();
                        sleep(5);
                    }
                    images.flush();
                });
                feeder.start();
                sleep(DURING * 5 / 3);
                protos.send(new ProducerRecord<>(Topics.LABEL_PROTOTYPES, "covid",
                        Events.prototype("covid", PrototypeKind.UNSEEN, ThresholdMode.ABSOLUTE, 0.5, false, new float[] {0, 1}))).get();
                feeder.join();
                int total = BEFORE + DURING;
                KafkaTestIo.readUntil(bootstrap, registry, Topics.FINDINGS, Finding.class, Duration.ofSeconds(60), l -> l.size() >= total);
                long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                while (stream.meters().rescans().getOrDefault("completed", 0L) < 1) {
                    assertTrue(System.nanoTime() < deadline, "no rescan completed: " + stream.meters().rescans());
                    sleep(100);
                }
                List<ConsumerRecord<String, Alert>> alerts = KafkaTestIo.readUntil(bootstrap, registry, Topics.ALERTS, Alert.class,
                        Duration.ofSeconds(20), l -> covid(l).size() >= total);
                Map<String, List<AlertType>> byFilm = new TreeMap<>();
                for (Alert a : covid(alerts)) {
                    byFilm.computeIfAbsent(a.getSopInstanceUid(), k -> new java.util.ArrayList<>()).add(a.getType());
                }
                Map<AlertType, Integer> kinds = new HashMap<>();
                byFilm.values().forEach(l -> l.forEach(t -> kinds.merge(t, 1, Integer::sum)));
                System.out.printf("rescan boundary: %d films, alerts by kind %s%n", total, kinds);
                for (int i = 0; i < total; i++) {
                    List<AlertType> got = byFilm.getOrDefault("film-" + i, List.of());
                    assertEquals(1, got.size(), "film-" + i + " must have exactly one covid alert, has " + got);
                }
                assertTrue(kinds.getOrDefault(AlertType.RETROSPECTIVE_MATCH, 0) >= BEFORE, "the earlier films matched retrospectively");
                assertTrue(kinds.getOrDefault(AlertType.UNSEEN_CLASS, 0) > 0, "the later films matched live");
            }
        }
    }

    private static List<Alert> covid(List<ConsumerRecord<String, Alert>> l) {
        return l.stream().map(ConsumerRecord::value).filter(a -> "covid".equals(a.getLabelId()))
                .filter(a -> a.getType() == AlertType.RETROSPECTIVE_MATCH || a.getType() == AlertType.UNSEEN_CLASS).toList();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
