package org.triage.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.triage.events.Finding;
import org.triage.events.LabelPrototype;
import org.triage.events.PrototypeKind;
import org.triage.events.RadiographEvent;
import org.triage.events.ThresholdMode;
import org.triage.platform.LocalStack;
import org.triage.schemas.Topics;
import org.triage.schemas.kafka.TopicRecords;
import org.triage.schemas.serde.AvroSerdes;
import org.triage.stream.model.BatchEmbedder;
import org.triage.stream.model.ModelInfo;
import org.triage.stream.testing.Events;
import org.triage.stream.testing.FakeEmbedder;
import org.triage.stream.testing.KafkaTestIo;
import org.triage.stream.topology.Lane;

/**
 * STAT before routine on a real broker: with a backlog of 500 ROUTINE films on radiographs and a
 * model that takes 40 ms a batch, a STAT film sent afterwards to radiographs-stat is scored long
 * before the backlog drains; it is copied onto radiographs (marked) and not scored a second time.
 */
@Timeout(240)
class StatLaneTest {
    private static final int BACKLOG = 500;

    @TempDir
    Path state;

    @Test
    void aStatFilmOvertakesARoutineBacklogAndIsScoredOnce() throws Exception {
        try (LocalStack stack = LocalStack.start()) {
            String bootstrap = stack.bootstrapServers();
            String registry = stack.schemaRegistryUrl();
            try (KafkaProducer<String, RadiographEvent> images = KafkaTestIo.producer(bootstrap, registry, RadiographEvent.class);
                 KafkaProducer<String, LabelPrototype> protos = KafkaTestIo.producer(bootstrap, registry, LabelPrototype.class)) {
                protos.send(new ProducerRecord<>(Topics.LABEL_PROTOTYPES, "A",
                        Events.prototype("A", PrototypeKind.SEEN, ThresholdMode.NEVER, null, false, 1, 0))).get();
                for (int i = 0; i < BACKLOG; i++) {
                    images.send(new ProducerRecord<>(Topics.RADIOGRAPHS, "routine-" + i,
                            Events.radiograph("routine-" + i, FakeEmbedder.image(i % 7, 1), System.currentTimeMillis())));
                }
                images.flush();
                try (InferenceStream stream = InferenceStream.builder().bootstrapServers(bootstrap).schemaRegistryUrl(registry)
                        .applicationId("stat-lane-test").stateDir(state).modelDir(state)
                        .modelLoader(dir -> new SlowEmbedder(new FakeEmbedder("v1", 2), 100)).maxBatch(8).maxDelayMs(20).build()) {
                    stream.start();
                    stream.awaitRunning(Duration.ofSeconds(60));
                    // The backlog has started to drain: the STAT film arrives behind most of it.
                    KafkaTestIo.readUntil(bootstrap, registry, Topics.FINDINGS, Finding.class, Duration.ofSeconds(60), l -> l.size() >= 16);
                    images.send(new ProducerRecord<>(Topics.RADIOGRAPHS_STAT, "stat-1",
                            Events.radiograph("stat-1", FakeEmbedder.image(3, 1), System.currentTimeMillis()))).get();

                    KafkaTestIo.readUntil(bootstrap, registry, Topics.FINDINGS, Finding.class, Duration.ofSeconds(180),
                            l -> l.size() >= BACKLOG + 1);
                    Thread.sleep(2_000); // a second finding of the STAT film would come with the routine lane's pass over its copy
                    Properties p = new Properties();
                    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
                    List<Finding> findings;
                    try (var serde = AvroSerdes.specific(Finding.class, registry, false)) {
                        findings = TopicRecords.all(p, Topics.FINDINGS, serde.deserializer(), Duration.ofSeconds(30)).stream()
                                .map(ConsumerRecord::value).toList();
                    }
                    Map<String, Long> perFilm = findings.stream().collect(Collectors.groupingBy(f -> f.getSopInstanceUid(),
                            Collectors.counting()));
                    assertEquals(BACKLOG + 1, perFilm.size(), "every film has a finding");
                    assertEquals(List.of(), perFilm.entrySet().stream().filter(e -> e.getValue() != 1).map(Map.Entry::getKey).toList(),
                            "no film is scored twice");
                    Finding stat = findings.stream().filter(f -> f.getSopInstanceUid().equals("stat-1")).findFirst().orElseThrow();
                    long routineBefore = findings.stream().filter(f -> !f.getSopInstanceUid().equals("stat-1"))
                            .filter(f -> f.getScoredAt().isBefore(stat.getScoredAt())).count();
                    long routineAfter = BACKLOG - routineBefore;
                    System.out.printf("STAT film: scored after %d and before %d of the %d routine films, %d ms from receipt to finding%n",
                            routineBefore, routineAfter, BACKLOG, stat.getLatencyMs());
                    assertTrue(routineAfter > BACKLOG / 2, "the STAT film overtakes the backlog: only " + routineAfter
                            + " routine films were scored after it");

                    // radiographs stays the log of every film: the STAT film is there once, marked as scored in its lane.
                    List<ConsumerRecord<String, byte[]>> copies = TopicRecords.all(p, Topics.RADIOGRAPHS, new ByteArrayDeserializer(),
                            Duration.ofSeconds(30)).stream().filter(r -> "stat-1".equals(r.key())).toList();
                    assertEquals(1, copies.size());
                    assertTrue(Lane.scoredElsewhere(copies.get(0).headers()));
                    assertEquals(1, stream.meters().laneCopiesSkipped());
                }
            }
        }
    }

    /** The fake model, slowed to the pace of a real one so that a backlog takes seconds to drain. */
    private record SlowEmbedder(FakeEmbedder inner, long millisPerBatch) implements BatchEmbedder {
        @Override
        public ModelInfo info() {
            return inner.info();
        }

        @Override
        public float[] preprocess(byte[] encodedImage) {
            return inner.preprocess(encodedImage);
        }

        @Override
        public float[][] embed(float[][] batch) {
            try {
                Thread.sleep(millisPerBatch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return inner.embed(batch);
        }

        @Override
        public float[][] project(float[][] classVectors) {
            return inner.project(classVectors);
        }

        @Override
        public float distance(float[] embedding, float[] prototype) {
            return inner.distance(embedding, prototype);
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
