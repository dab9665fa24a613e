package org.triage.trainer.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triage.events.Artifact;
import org.triage.events.ModelRelease;
import org.triage.events.ReleaseStatus;
import org.triage.model.manifest.ModelManifest;
import org.triage.model.onnx.ExportedModel;
import org.triage.model.onnx.Sha256;
import org.triage.platform.LocalStack;
import org.triage.platform.LocalStackOptions;
import org.triage.schemas.Topics;
import org.triage.schemas.kafka.TopicRecords;
import org.triage.schemas.serde.AvroSerdes;
import org.triage.trainer.cli.ExportCommand;
import org.triage.trainer.model.ArchSpec;
import picocli.CommandLine;

/** {@code triage export --publish}: artifacts in the store, a ModelRelease on model-releases that loads back. */
class PublishTest {
    @TempDir
    Path tmp;

    @Test
    void exportPublishesAReleaseThatLoadsFromTheStore() throws Exception {
        Path model = ExportFixtures.randomModel(tmp.resolve("model"), ArchSpec.densenetTiny(), 36, 32, 12, 5);
        Path store = tmp.resolve("store");
        try (LocalStack stack = LocalStack.start(LocalStackOptions.defaults().dataDir(tmp.resolve("kafka")))) {
            int rc = new CommandLine(new ExportCommand()).execute("--model", model.toString(), "--out", tmp.resolve("out").toString(),
                    "--release-version", "v1", "--publish", "--status", "PROMOTED", "--store", store.toUri().toString(),
                    "--bootstrap-servers", stack.bootstrapServers(), "--schema-registry-url", stack.schemaRegistryUrl());
            assertEquals(0, rc, "export --publish exit code");

            ModelRelease r = readLast(stack);
            assertEquals("cm-dml-gzsl", r.getName());
            assertEquals("v1", r.getVersion());
            assertEquals(ReleaseStatus.PROMOTED, r.getStatus());
            assertEquals(8, r.getEmbeddingDim());
            assertEquals(32, r.getInputSize());
            assertEquals(List.of("visual.onnx", "semantic.onnx", "model.json"), r.getArtifacts().stream().map(Artifact::getName).toList());
            for (Artifact a : r.getArtifacts()) {
                Path f = Path.of(URI.create(a.getUri()));
                assertTrue(f.startsWith(store.resolve("cm-dml-gzsl").resolve("v1")), a.getUri());
                assertEquals(a.getSha256(), Sha256.hex(f), a.getName() + " SHA-256 in the release matches the stored file");
                assertEquals(a.getSizeBytes(), Files.size(f));
            }
            try (ExportedModel loaded = ExportedModel.load(store.resolve("cm-dml-gzsl/v1"), ExportedModel.DevicePreference.CPU)) {
                assertEquals("v1", loaded.manifest().version());
            }

            // Same version again with different bytes: refused, nothing sent.
            Path other = ExportFixtures.randomModel(tmp.resolve("model2"), ArchSpec.densenetTiny(), 36, 32, 12, 6);
            int rc2 = new CommandLine(new ExportCommand()).execute("--model", other.toString(), "--out", tmp.resolve("out2").toString(),
                    "--release-version", "v1", "--publish", "--store", store.toString(),
                    "--bootstrap-servers", stack.bootstrapServers(), "--schema-registry-url", stack.schemaRegistryUrl());
            assertNotEquals(0, rc2, "a different release under an existing version must be refused");
        }
    }

    private static ModelRelease readLast(LocalStack stack) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        try (var serde = AvroSerdes.specific(ModelRelease.class, stack.schemaRegistryUrl(), false)) {
            List<ConsumerRecord<String, ModelRelease>> got = TopicRecords.all(p, Topics.MODEL_RELEASES, serde.deserializer(),
                    Duration.ofSeconds(30));
            assertEquals(1, got.size(), "one release record");
            assertEquals("cm-dml-gzsl:v1", got.get(0).key(), "keyed by name:version, so history survives compaction");
            return got.get(0).value();
        }
    }

    @Test
    void storeRefusesUnknownSchemesAndUnsafeNames() {
        IllegalArgumentException s3 = assertThrows(IllegalArgumentException.class, () -> ModelStore.open("s3://bucket/models"));
        assertTrue(s3.getMessage().contains("s3: is reserved"), s3.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ModelStore.open("ftp://x/y"));
        ModelStore store = ModelStore.open(tmp.toString());
        assertThrows(IllegalArgumentException.class, () -> store.put("../evil", "v1", Map.of()));
        assertThrows(IllegalArgumentException.class, () -> store.put("m", "v1/../../x", Map.of()));
    }

    @Test
    void thresholdsMeetTheTargetSpecificity() {
        // 20 negatives at distances 1..20, 5 positives at 0.5..2.5
        float[][] d = new float[25][1];
        boolean[][] t = new boolean[25][1];
        for (int i = 0; i < 20; i++) {
            d[i][0] = i + 1;
        }
        for (int i = 0; i < 5; i++) {
            d[20 + i][0] = 0.5f * (i + 1);
            t[20 + i][0] = true;
        }
        var op = ThresholdCalibrator.calibrate(List.of("x"), d, t, 0.95).get("x");
        // k = floor(0.05 * 20) = 1 negative may fall under the threshold: just below the 2nd smallest (2.0).
        assertEquals(Math.nextDown(2f), op.threshold());
        assertEquals(0.95, op.specificity(), 1e-9);
        assertEquals(3.0 / 5, op.sensitivity(), 1e-9); // 0.5, 1.0, 1.5 are <= 1.99..
        var strict = ThresholdCalibrator.calibrate(List.of("x"), d, t, 1.0).get("x");
        assertEquals(1.0, strict.specificity(), 1e-9);
        assertTrue(strict.threshold() < 1f);
    }

    @Test
    void manifestRoundTripsAndRejectsNonsense() throws Exception {
        ModelManifest m = new ModelManifest("n", "v", "densenet-tiny", 17, 36, 32, 3, new float[] {0.5f, 0.5f, 0.5f},
                new float[] {0.2f, 0.2f, 0.2f}, 8, 12, "enc", "weighted-euclidean", List.of("a"), List.of("b"), Map.of("seenMean", 0.7),
                Map.of("a", 1.5f), 0.95, Map.of(ModelManifest.VISUAL, "0".repeat(64), ModelManifest.SEMANTIC, "1".repeat(64)));
        m.write(tmp);
        ModelManifest back = ModelManifest.read(tmp);
        assertEquals(m.name(), back.name());
        assertEquals(m.thresholds(), back.thresholds());
        assertEquals(m.artifacts(), back.artifacts());
        assertEquals(0.2f, back.std()[1]);
        ModelManifest bad = new ModelManifest("n", "v", "x", 17, 36, 32, 3, new float[] {0.5f}, new float[] {0.2f, 0.2f, 0.2f}, 8, 12,
                "enc", "weighted-euclidean", List.of("a"), List.of(), Map.of(), Map.of(), 0.95, Map.of(ModelManifest.VISUAL, "zz"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bad.write(tmp.resolve("bad")));
        assertTrue(e.getMessage().contains("mean must have one value per channel") && e.getMessage().contains("semantic.onnx"), e.getMessage());
    }
}
