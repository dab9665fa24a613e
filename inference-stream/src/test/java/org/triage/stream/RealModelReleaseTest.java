package org.triage.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.triage.events.Artifact;
import org.triage.events.Finding;
import org.triage.events.LabelPrototype;
import org.triage.events.ModelRelease;
import org.triage.events.NormalisedImage;
import org.triage.events.PrototypeKind;
import org.triage.events.RadiographEvent;
import org.triage.events.ReleaseStatus;
import org.triage.events.ThresholdMode;
import org.triage.model.onnx.Sha256;
import org.triage.platform.LocalStack;
import org.triage.schemas.Topics;
import org.triage.stream.testing.Events;
import org.triage.stream.testing.KafkaTestIo;
import org.triage.stream.testing.TinyModel;

/**
 * A real ONNX model through model-core (preprocessing of 16-bit PNGs, ONNX Runtime, the
 * manifest's distance), following model-releases: v1 serves, v2 is hot-swapped in, a tampered v3
 * is rejected and v2 keeps serving.
 */
@Timeout(240)
class RealModelReleaseTest {
    @TempDir
    Path tmp;

    @Test
    void followsPromotedReleasesAndRejectsATamperedOne() throws Exception {
        Path v1 = TinyModel.create(tmp.resolve("v1"), "tiny", "v1", 1);
        Path v2 = TinyModel.create(tmp.resolve("v2"), "tiny", "v2", 2);
        Path v3 = TinyModel.create(tmp.resolve("v3"), "tiny", "v3", 3);
        ModelRelease r3 = release(v3, "v3", 3000); // hashes taken before the tampering below
        Files.write(v3.resolve("visual.onnx"), new byte[] {1, 2, 3});
        try (LocalStack stack = LocalStack.start()) {
            String bootstrap = stack.bootstrapServers();
            String registry = stack.schemaRegistryUrl();
            try (KafkaProducer<String, ModelRelease> releases = KafkaTestIo.producer(bootstrap, registry, ModelRelease.class);
                 KafkaProducer<String, LabelPrototype> protos = KafkaTestIo.producer(bootstrap, registry, LabelPrototype.class);
                 KafkaProducer<String, RadiographEvent> images = KafkaTestIo.producer(bootstrap, registry, RadiographEvent.class)) {
                releases.send(new ProducerRecord<>(Topics.MODEL_RELEASES, "tiny", release(v1, "v1", 1000))).get();
                float[] a = new float[TinyModel.CLASS_DIM];
                float[] covid = new float[TinyModel.CLASS_DIM];
                a[0] = 1;
                covid[1] = 1;
                protos.send(new ProducerRecord<>(Topics.LABEL_PROTOTYPES, "A",
                        Events.prototype("A", PrototypeKind.SEEN, ThresholdMode.CALIBRATED, null, false, a))).get();
                protos.send(new ProducerRecord<>(Topics.LABEL_PROTOTYPES, "covid",
                        Events.prototype("covid", PrototypeKind.UNSEEN, ThresholdMode.ABSOLUTE, 0.01, false, covid))).get();
                try (InferenceStream stream = InferenceStream.builder().bootstrapServers(bootstrap).schemaRegistryUrl(registry)
                        .applicationId("release-test").stateDir(tmp.resolve("state")).followReleases("tiny")
                        .modelWait(Duration.ofSeconds(60)).maxBatch(4).maxDelayMs(20).build()) {
                    stream.start();
                    assertEquals("tiny:v1", stream.model().orElseThrow().ref());
                    assertEquals("cpu", stream.model().orElseThrow().device());
                    stream.awaitRunning(Duration.ofSeconds(60));
                    sendImages(images, 0, 10);
                    awaitFindings(bootstrap, registry, 10);

                    releases.send(new ProducerRecord<>(Topics.MODEL_RELEASES, "tiny", release(v2, "v2", 2000))).get();
                    awaitModel(stream, "tiny:v2");
                    sendImages(images, 10, 10);
                    awaitFindings(bootstrap, registry, 20);

                    releases.send(new ProducerRecord<>(Topics.MODEL_RELEASES, "tiny", r3)).get();
                    long deadline = System.nanoTime() + 30_000_000_000L;
                    while (!stream.rejectedReleases().contains("tiny:v3")) {
                        assertTrue(System.nanoTime() < deadline, "tampered release neither loaded nor rejected");
                        Thread.sleep(50);
                    }
                    assertEquals("tiny:v2", stream.model().orElseThrow().ref(), "old model keeps serving");
                    sendImages(images, 20, 5);
                    List<ConsumerRecord<String, Finding>> all = awaitFindings(bootstrap, registry, 25);
                    assertEquals(25, all.size());
                    Map<String, String> versionBySop = new HashMap<>();
                    for (ConsumerRecord<String, Finding> r : all) {
                        Finding f = r.value();
                        versionBySop.put(f.getSopInstanceUid(), f.getModel().getVersion());
                        assertEquals(2, f.getLabels().size(), "scored on both prototypes");
                        assertEquals(TinyModel.EMBEDDING, 8);
                        assertTrue(Float.isFinite(f.getLabels().get(0).getDistance()));
                        assertTrue(f.getLabels().get(0).getDistance() <= f.getLabels().get(1).getDistance());
                    }
                    for (int i = 0; i < 25; i++) {
                        assertEquals(i < 10 ? "v1" : "v2", versionBySop.get("real-" + i), "model version of real-" + i);
                    }
                    System.out.println("real-model snapshot: " + stream.metrics());
                }
            }
        }
    }

    private static List<ConsumerRecord<String, Finding>> awaitFindings(String bootstrap, String registry, int n) {
        List<ConsumerRecord<String, Finding>> f = KafkaTestIo.readUntil(bootstrap, registry, Topics.FINDINGS, Finding.class,
                Duration.ofSeconds(60), l -> l.size() >= n);
        assertEquals(n, f.size(), "findings so far");
        return f;
    }

    private static void awaitModel(InferenceStream s, String ref) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!s.model().map(m -> m.ref().equals(ref)).orElse(false)) {
            assertTrue(System.nanoTime() < deadline, "model " + ref + " not in service; rejected: " + s.rejectedReleases());
            Thread.sleep(50);
        }
    }

    private static void sendImages(KafkaProducer<String, RadiographEvent> p, int from, int n) throws Exception {
        for (int i = from; i < from + n; i++) {
            String sop = "real-" + i;
            byte[] png = TinyModel.png(64, i);
            RadiographEvent ev = Events.radiograph(sop, png, System.currentTimeMillis());
            NormalisedImage img = ev.getImage();
            img.setWidth(64);
            img.setHeight(64);
            img.setData(ByteBuffer.wrap(png));
            img.setSha256(Sha256.hex(png));
            p.send(new ProducerRecord<>(Topics.RADIOGRAPHS, sop, ev));
        }
        p.flush();
    }

    private static ModelRelease release(Path dir, String version, long createdAt) throws Exception {
        List<Artifact> artifacts = new ArrayList<>();
        for (String f : List.of("model.json", "visual.onnx", "semantic.onnx")) {
            Path file = dir.resolve(f);
            artifacts.add(Artifact.newBuilder().setName(f).setUri(file.toUri().toString()).setSha256(Sha256.hex(file))
                    .setSizeBytes(Files.size(file)).build());
        }
        return ModelRelease.newBuilder().setName("tiny").setVersion(version).setStatus(ReleaseStatus.PROMOTED).setArtifacts(artifacts)
                .setInputSize(TinyModel.SIZE).setInputChannels(TinyModel.CHANNELS).setEmbeddingDim(TinyModel.EMBEDDING)
                .setClassVectorDim(TinyModel.CLASS_DIM).setDistance("weighted-euclidean").setSeenLabels(List.of("A"))
                .setCreatedAt(Instant.ofEpochMilli(createdAt)).build();
    }
}
