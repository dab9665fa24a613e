package org.triage.stream.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.triage.events.Artifact;
import org.triage.events.ModelRelease;
import org.triage.events.ReleaseStatus;
import org.triage.model.onnx.Sha256;
import org.triage.platform.LocalStack;
import org.triage.schemas.Topics;
import org.triage.schemas.serde.AvroSerdes;
import org.triage.stream.testing.FakeEmbedder;
import org.triage.stream.testing.KafkaTestIo;

/**
 * The follower hot-swaps along the records the lifecycle writes (key name:version, the new
 * PROMOTED before the old RETIRED): an old name-keyed release first, then a promotion, then a
 * rollback to the older version.
 */
@Timeout(120)
class ReleaseFollowerLifecycleTest {
    @TempDir
    Path tmp;

    @Test
    void followsPromotionAndRollback() throws Exception {
        List<String> swaps = new CopyOnWriteArrayList<>();
        try (LocalStack stack = LocalStack.start();
             KafkaProducer<String, ModelRelease> releases = KafkaTestIo.producer(stack.bootstrapServers(), stack.schemaRegistryUrl(),
                     ModelRelease.class);
             ModelHolder holder = new ModelHolder()) {
            ModelLoader loader = dir -> new FakeEmbedder(dir.getFileName().toString(), 4); // model "fake", version = folder name
            try (var serde = AvroSerdes.specific(ModelRelease.class, stack.schemaRegistryUrl(), false);
                 ReleaseFollower follower = new ReleaseFollower(stack.bootstrapServers(), serde.deserializer(), loader, holder, "fake", null,
                         info -> swaps.add(info.version()))) {
                ModelRelease v1 = release("v1", 1000);
                ModelRelease v2 = release("v2", 2000);
                releases.send(new ProducerRecord<>(Topics.MODEL_RELEASES, "fake", v1)).get(); // before the lifecycle: keyed by name
                follower.start();
                await(holder, "fake:v1");

                releases.send(new ProducerRecord<>(Topics.MODEL_RELEASES, "fake:v2", v2)).get(); // published as a CANDIDATE
                releases.send(new ProducerRecord<>(Topics.MODEL_RELEASES, "fake:v2", changed(v2, ReleaseStatus.PROMOTED, 5000))).get();
                releases.send(new ProducerRecord<>(Topics.MODEL_RELEASES, "fake:v1", changed(v1, ReleaseStatus.RETIRED, 5000))).get();
                await(holder, "fake:v2");

                releases.send(new ProducerRecord<>(Topics.MODEL_RELEASES, "fake:v1", changed(v1, ReleaseStatus.PROMOTED, 6000))).get();
                releases.send(new ProducerRecord<>(Topics.MODEL_RELEASES, "fake:v2", changed(v2, ReleaseStatus.RETIRED, 6000))).get();
                await(holder, "fake:v1");
                assertEquals(List.of("v1", "v2", "v1"), swaps);
                assertTrue(follower.rejected().isEmpty(), follower.rejected().toString());
            }
        }
    }

    private static void await(ModelHolder holder, String ref) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!holder.info().map(i -> i.ref().equals(ref)).orElse(false)) {
            assertTrue(System.nanoTime() < deadline, ref + " not in service; serving " + holder.info().map(ModelInfo::ref).orElse("nothing"));
            Thread.sleep(50);
        }
    }

    private ModelRelease release(String version, long createdAt) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(version));
        Path manifest = Files.writeString(dir.resolve("model.json"), "{\"version\":\"" + version + "\"}");
        List<Artifact> artifacts = new ArrayList<>();
        artifacts.add(Artifact.newBuilder().setName("model.json").setUri(manifest.toUri().toString()).setSha256(Sha256.hex(manifest))
                .setSizeBytes(Files.size(manifest)).build());
        return ModelRelease.newBuilder().setName("fake").setVersion(version).setStatus(createdAt == 1000 ? ReleaseStatus.PROMOTED
                        : ReleaseStatus.CANDIDATE).setArtifacts(artifacts).setInputSize(4).setInputChannels(1).setEmbeddingDim(4)
                .setClassVectorDim(4).setDistance("euclidean").setSeenLabels(List.of()).setCreatedAt(Instant.ofEpochMilli(createdAt)).build();
    }

    private static ModelRelease changed(ModelRelease r, ReleaseStatus status, long at) {
        return ModelRelease.newBuilder(r).setStatus(status).setStatusChangedAt(Instant.ofEpochMilli(at)).setStatusChangedBy("test").build();
    }
}
