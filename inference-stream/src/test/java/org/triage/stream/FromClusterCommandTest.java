package org.triage.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.triage.events.Alert;
import org.triage.events.AlertType;
import org.triage.events.Calibration;
import org.triage.events.ImageEmbedding;
import org.triage.events.LabelPrototype;
import org.triage.events.ModelRef;
import org.triage.events.NoveltyCluster;
import org.triage.events.Severity;
import org.triage.platform.LocalStack;
import org.triage.schemas.Topics;
import org.triage.stream.cli.PrototypeRepository;
import org.triage.stream.cli.PrototypesCommand;
import org.triage.stream.model.BatchEmbedder;
import org.triage.stream.model.OnnxModelLoader;
import org.triage.stream.testing.CliRun;
import org.triage.stream.testing.KafkaTestIo;
import org.triage.stream.testing.TinyModel;

/**
 * {@code prototypes add --from-cluster}: the centroid of a NOVELTY_CLUSTER alert becomes a
 * shared-space prototype of the model that found it, calibrated on that model's stored
 * embeddings (the threshold recomputed here independently); a cluster of another model and an
 * unknown cluster are refused with what to do.
 */
@Timeout(180)
class FromClusterCommandTest {
    @TempDir
    Path tmp;

    @Test
    void aClusterCentroidBecomesACalibratedPrototypeOfItsModel() throws Exception {
        Path dir = TinyModel.create(tmp.resolve("model"), "tiny", "1", 9);
        try (LocalStack stack = LocalStack.start(); BatchEmbedder model = new OnnxModelLoader().load(dir)) {
            String bootstrap = stack.bootstrapServers();
            String registry = stack.schemaRegistryUrl();
            Random rng = new Random(5);
            float[] centroid = new float[TinyModel.EMBEDDING];
            for (int j = 0; j < centroid.length; j++) {
                centroid[j] = (float) rng.nextGaussian();
            }
            List<float[]> reference = new ArrayList<>();
            try (KafkaProducer<String, ImageEmbedding> emb = KafkaTestIo.producer(bootstrap, registry, ImageEmbedding.class);
                 KafkaProducer<String, Alert> alerts = KafkaTestIo.producer(bootstrap, registry, Alert.class)) {
                for (int i = 0; i < 300; i++) {
                    float[] e = new float[TinyModel.EMBEDDING];
                    for (int j = 0; j < e.length; j++) {
                        e[j] = (i % 5 == 0 ? centroid[j] : 0) + (float) (rng.nextGaussian() * (i % 5 == 0 ? 0.1 : 1.0));
                    }
                    reference.add(e);
                    emb.send(new ProducerRecord<>(Topics.EMBEDDINGS, "sop-" + i, embedding("sop-" + i, e)));
                }
                // The same cluster as the stream re-sends it while it grows: the largest wins.
                alerts.send(new ProducerRecord<>(Topics.ALERTS, "a1", clusterAlert("c-0123456789ab", "1", 5, centroid, 0.5f)));
                alerts.send(new ProducerRecord<>(Topics.ALERTS, "a1", clusterAlert("c-0123456789ab", "1", 7, centroid, 0f)));
                alerts.send(new ProducerRecord<>(Topics.ALERTS, "a2", clusterAlert("c-old000000000", "0", 9, centroid, 0f)));
                emb.flush();
                alerts.flush();
            }
            CliRun run = CliRun.of(new PrototypesCommand(), bootstrap, registry, "add", "--id", "x-disease", "--name", "X disease",
                    "--from-cluster", "c-0123456789ab", "--model", dir.toString(), "--target-rate", "0.2", "--author", "epi");
            assertEquals(0, run.code(), run.err());
            assertTrue(run.out().contains("from cluster c-0123456789ab (7 films"), run.out());
            System.out.println(run.out().strip());

            LabelPrototype p = new PrototypeRepository(bootstrap, registry).current(Duration.ofSeconds(30)).get("x-disease");
            assertNotNull(p.getEmbedding());
            assertEquals("tiny:1", p.getEmbedding().getModel());
            assertEquals(0, p.getDimension());
            for (int j = 0; j < centroid.length; j++) {
                assertEquals(centroid[j], p.getEmbedding().getVector().get(j), 0f);
            }
            float[] d = new float[reference.size()];
            for (int i = 0; i < d.length; i++) {
                d[i] = model.distance(reference.get(i), centroid);
            }
            Arrays.sort(d);
            Calibration c = p.getAlertPolicy().getCalibration();
            assertNotNull(c, "calibrated at add time");
            assertEquals(d[(int) Math.ceil(0.2 * d.length) - 1], c.getThreshold(), 1e-6, "the 20% quantile of distances to the centroid");

            CliRun other = CliRun.of(new PrototypesCommand(), bootstrap, registry, "add", "--id", "y", "--name", "Y",
                    "--from-cluster", "c-old000000000", "--model", dir.toString());
            assertEquals(2, other.code());
            assertTrue(other.err().contains("was found by model tiny:0") && other.err().contains("class vector"), other.err());
            CliRun unknown = CliRun.of(new PrototypesCommand(), bootstrap, registry, "add", "--id", "z", "--name", "Z",
                    "--from-cluster", "c-nope", "--model", dir.toString());
            assertEquals(2, unknown.code());
            assertTrue(unknown.err().contains("no NOVELTY_CLUSTER alert for cluster 'c-nope'"), unknown.err());
        }
    }

    private static ImageEmbedding embedding(String sop, float[] v) {
        List<Float> vector = new ArrayList<>();
        for (float f : v) {
            vector.add(f);
        }
        return ImageEmbedding.newBuilder().setSopInstanceUid(sop).setPatientPseudonym("p").setVector(vector)
                .setModel(ModelRef.newBuilder().setName("tiny").setVersion("1").build()).setReceivedAt(Instant.now()).build();
    }

    private static Alert clusterAlert(String clusterId, String version, int size, float[] centroid, float shift) {
        List<Float> c = new ArrayList<>();
        for (float f : centroid) {
            c.add(f + shift);
        }
        Instant now = Instant.now();
        return Alert.newBuilder().setAlertId("a-" + clusterId).setType(AlertType.NOVELTY_CLUSTER).setLabelId(null).setScore(size)
                .setThreshold(5).setSeverity(Severity.MEDIUM).setSopInstanceUid("sop-0").setPatientPseudonym("p")
                .setModel(ModelRef.newBuilder().setName("tiny").setVersion(version).build()).setEvidence(new ArrayList<>())
                .setCreatedAt(now).setCluster(NoveltyCluster.newBuilder().setClusterId(clusterId).setSize(size)
                        .setMembers(new ArrayList<>(List.of("sop-0"))).setCentroid(c).setRadius(0.3f).setFirstSeen(now).setLastSeen(now).build())
                .build();
    }
}
