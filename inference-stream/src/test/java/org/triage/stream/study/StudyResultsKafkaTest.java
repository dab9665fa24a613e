package org.triage.stream.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.triage.events.Finding;
import org.triage.events.LabelPrototype;
import org.triage.events.PrototypeKind;
import org.triage.events.RadiographEvent;
import org.triage.events.StudyResult;
import org.triage.events.ThresholdMode;
import org.triage.platform.LocalStack;
import org.triage.schemas.Topics;
import org.triage.stream.InferenceStream;
import org.triage.stream.testing.Events;
import org.triage.stream.testing.FakeEmbedder;
import org.triage.stream.testing.KafkaTestIo;

/**
 * Studies as a whole on a real broker: a PA + lateral study and a one-film study give one finding per film and one
 * study result each after the quiet time, also when the stream instance is killed between the films' findings and the
 * end of the quiet time (a new instance, with an empty state folder, restores the groups from their changelogs);
 * a late film of the first study then gives its version 2.
 */
@Timeout(240)
class StudyResultsKafkaTest {
    private static final Duration QUIET = Duration.ofSeconds(6);

    @TempDir
    Path state;

    @Test
    void aTwoFilmStudyGivesOneStudyResultAndOneFindingPerFilmAcrossACrash() throws Exception {
        try (LocalStack stack = LocalStack.start()) {
            String bootstrap = stack.bootstrapServers();
            String registry = stack.schemaRegistryUrl();
            try (KafkaProducer<String, RadiographEvent> images = KafkaTestIo.producer(bootstrap, registry, RadiographEvent.class);
                 KafkaProducer<String, LabelPrototype> protos = KafkaTestIo.producer(bootstrap, registry, LabelPrototype.class)) {
                protos.send(new ProducerRecord<>(Topics.LABEL_PROTOTYPES, "A",
                        Events.prototype("A", PrototypeKind.SEEN, ThresholdMode.NEVER, null, false, 1, 0))).get();
                send(images, "pa-1", "study-two", 1);
                send(images, "lat-1", "study-two", 2);
                send(images, "single-1", "study-one", 3);

                long firstFilmsScored;
                try (InferenceStream stream = stream(bootstrap, registry, state.resolve("a"))) {
                    stream.start();
                    stream.awaitRunning(Duration.ofSeconds(60));
                    KafkaTestIo.readUntil(bootstrap, registry, Topics.FINDINGS, Finding.class, Duration.ofSeconds(60), l -> l.size() >= 3);
                    firstFilmsScored = System.currentTimeMillis();
                    // Closed at once: the groups are in the stores (and their changelogs), no result is due yet.
                }
                List<ConsumerRecord<String, StudyResult>> early = KafkaTestIo.readUntil(bootstrap, registry, Topics.STUDY_RESULTS,
                        StudyResult.class, Duration.ofSeconds(1), l -> false);
                assertEquals(List.of(), early.stream().map(ConsumerRecord::key).toList(), "nothing before the quiet time ended");

                try (InferenceStream stream = stream(bootstrap, registry, state.resolve("b"))) {
                    stream.start();
                    stream.awaitRunning(Duration.ofSeconds(60));
                    List<StudyResult> results = values(KafkaTestIo.readUntil(bootstrap, registry, Topics.STUDY_RESULTS, StudyResult.class,
                            Duration.ofSeconds(90), l -> l.size() >= 2));
                    Map<String, StudyResult> byStudy = results.stream().collect(Collectors.toMap(StudyResult::getStudyInstanceUid, r -> r));
                    StudyResult two = byStudy.get("study-two");
                    assertEquals(1, two.getVersion());
                    assertEquals(List.of("pa-1", "lat-1"), two.getFilms().stream().map(f -> f.getSopInstanceUid()).toList());
                    assertEquals(1, byStudy.get("study-one").getFilms().size());
                    assertTrue(two.getEmittedAt().toEpochMilli() - firstFilmsScored >= QUIET.toMillis() - 1000,
                            "emitted after the quiet time");

                    // A late lateral: version 2 of the same study with three films.
                    send(images, "lat-2", "study-two", 4);
                    List<StudyResult> after = values(KafkaTestIo.readUntil(bootstrap, registry, Topics.STUDY_RESULTS, StudyResult.class,
                            Duration.ofSeconds(60), l -> l.size() >= 3));
                    StudyResult v2 = after.stream().filter(r -> r.getStudyInstanceUid().equals("study-two") && r.getVersion() == 2)
                            .findFirst().orElseThrow();
                    assertEquals(3, v2.getFilms().size());
                    Thread.sleep(QUIET.toMillis() + 2000); // room for a duplicate, were one to come
                    List<StudyResult> all = values(KafkaTestIo.readUntil(bootstrap, registry, Topics.STUDY_RESULTS, StudyResult.class,
                            Duration.ofSeconds(2), l -> false));
                    assertEquals(3, all.size(), "one result per study version: " + all.stream()
                            .map(r -> r.getStudyInstanceUid() + " v" + r.getVersion()).toList());
                    List<Finding> findings = values(KafkaTestIo.readUntil(bootstrap, registry, Topics.FINDINGS, Finding.class,
                            Duration.ofSeconds(2), l -> false));
                    assertEquals(Map.of("pa-1", 1L, "lat-1", 1L, "single-1", 1L, "lat-2", 1L), findings.stream()
                            .collect(Collectors.groupingBy(Finding::getSopInstanceUid, Collectors.counting())), "one finding per film");
                }
            }
        }
    }

    private static InferenceStream stream(String bootstrap, String registry, Path stateDir) {
        return InferenceStream.builder().bootstrapServers(bootstrap).schemaRegistryUrl(registry).applicationId("study-results-test")
                .stateDir(stateDir).modelDir(stateDir).modelLoader(dir -> new FakeEmbedder("v1", 2)).maxBatch(8).maxDelayMs(20)
                .studies(StudySettings.defaults("study-results-test").withQuietTime(QUIET)).build();
    }

    private static void send(KafkaProducer<String, RadiographEvent> images, String sop, String study, int seed) throws Exception {
        RadiographEvent e = Events.radiograph(sop, FakeEmbedder.image(seed, 1), System.currentTimeMillis());
        e.setStudyInstanceUid(study);
        images.send(new ProducerRecord<>(Topics.RADIOGRAPHS, study, e)).get();
    }

    private static <T> List<T> values(List<ConsumerRecord<String, T>> records) {
        return records.stream().map(ConsumerRecord::value).toList();
    }
}
