package org.triage.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.triage.events.Artifact;
import org.triage.events.ModelRelease;
import org.triage.events.ReleaseStatus;
import org.triage.model.onnx.Sha256;
import org.triage.platform.LocalStack;
import org.triage.platform.LocalStackOptions;
import org.triage.schemas.Topics;
import org.triage.schemas.kafka.KafkaClientProperties;
import org.triage.schemas.serde.AvroSerdes;
import org.triage.stream.model.PromotedRelease;
import org.triage.trainer.export.ReleasePublisher;
import picocli.CommandLine;

/**
 * {@code triage models} against a real broker and registry: releases published by the trainer
 * (and one old name-keyed record) are listed, promoted by the champion/challenger rule and rolled
 * back, and the stream's own reading of the topic ({@link PromotedRelease}) follows every move.
 */
@Timeout(240)
class ModelsCommandTest {
    private static final String NAME = "cxr";

    @TempDir
    Path tmp;

    record Run(int rc, String out, String err) {
    }

    @Test
    void publishListPromoteRollback_theFollowerSeesEachMove() throws Exception {
        try (LocalStack stack = LocalStack.start(LocalStackOptions.defaults().dataDir(tmp.resolve("kafka")))) {
            String bootstrap = stack.bootstrapServers();
            String registry = stack.schemaRegistryUrl();

            // Before the lifecycle: the newest release of a name was keyed by the name alone.
            sendOldStyle(stack, release("v1", 1000, 0.70, 0.80, ReleaseStatus.PROMOTED));
            assertEquals("v1", followed(stack), "an old-style name-keyed record is understood");

            try (var serde = AvroSerdes.specific(ModelRelease.class, registry, false)) {
                for (ModelRelease r : List.of(release("v2", 2000, 0.72, 0.80, ReleaseStatus.CANDIDATE),
                        release("v3", 3000, 0.60, 0.80, ReleaseStatus.CANDIDATE), release("v4", 4000, 0.90, 0.90, ReleaseStatus.CANDIDATE))) {
                    ReleasePublisher.send(bootstrap, serde.serializer(), r, 30_000);
                }
            }
            Files.writeString(tmp.resolve("v4").resolve("visual.onnx"), "tampered");

            Run list = triage(stack, "models", "list", "--name", NAME);
            assertEquals(0, list.rc(), list.err());
            assertTrue(list.out().lines().anyMatch(l -> l.startsWith("*") && l.contains(" v1 ") && l.contains("PROMOTED")
                    && l.contains("0.7000") && l.contains("0.8000")), list.out());
            assertTrue(list.out().lines().anyMatch(l -> l.contains(" v2 ") && l.contains("CANDIDATE") && l.contains(" v1 ")), "parent shown\n" + list.out());
            JsonNode all = new ObjectMapper().readTree(triage(stack, "models", "list", "--json").out());
            assertEquals(4, all.size(), all.toString());

            Run promote = triage(stack, "models", "promote", "--name", NAME, "--version", "v2", "--by", "alice", "--note", "better covid AUROC");
            assertEquals(0, promote.rc(), promote.err());
            assertEquals("promoted cxr:v2, retired cxr:v1", promote.out().strip());
            assertEquals("v2", followed(stack), "the stream follows the promoted release");
            JsonNode v2 = new ObjectMapper().readTree(triage(stack, "models", "show", "--name", NAME, "--version", "v2", "--json").out());
            assertEquals("PROMOTED", v2.get("status").asText());
            assertEquals("alice", v2.get("statusChangedBy").asText());
            assertEquals("better covid AUROC", v2.get("statusNote").asText());
            assertEquals("PROMOTE", v2.get("decision").get("outcome").asText());
            assertEquals("v1", v2.get("decision").get("championVersion").asText());
            assertEquals(0.70, v2.get("decision").get("championMetrics").get("harmonicMean").asDouble(), 1e-9);
            assertEquals(12, v2.get("dataOffsets").get("labels-0").asLong());
            Run v1 = triage(stack, "models", "show", "--name", NAME, "--version", "v1");
            assertTrue(v1.out().contains("RETIRED") && v1.out().contains("replaced by v2"), v1.out());

            Run worse = refused(stack, "models", "promote", "--name", NAME, "--version", "v3", "--by", "alice");
            assertTrue(worse.err().contains("cxr:v3 does not beat the champion cxr:v2") && worse.err().contains("--force"), worse.err());
            Run v3 = triage(stack, "models", "show", "--name", NAME, "--version", "v3");
            assertTrue(v3.out().contains("REJECT") && v3.out().contains("harmonic mean 0.6000 < champion 0.7200"), v3.out());
            assertEquals("v2", followed(stack));

            Run tampered = refused(stack, "models", "promote", "--name", NAME, "--version", "v4", "--by", "alice");
            assertTrue(tampered.err().contains("cxr:v4 cannot go into service: visual.onnx: SHA-256"), tampered.err());
            Run unknown = refused(stack, "models", "promote", "--name", NAME, "--version", "v9", "--by", "alice");
            assertTrue(unknown.err().contains("no release cxr:v9"), unknown.err());
            Run noWho = refused(stack, "models", "promote", "--name", NAME, "--version", "v3");
            assertTrue(noWho.err().contains("--by"), noWho.err());

            Run rollback = triage(stack, "models", "rollback", "--name", NAME, "--by", "bob");
            assertEquals(0, rollback.rc(), rollback.err());
            assertEquals("rolled back cxr from v2 to v1", rollback.out().strip());
            assertEquals("v1", followed(stack), "the stream follows the rollback");
            Run again = refused(stack, "models", "rollback", "--name", NAME, "--by", "bob");
            assertTrue(again.err().contains("no earlier release of 'cxr'"), again.err());

            Run after = triage(stack, "models", "list", "--name", NAME);
            assertEquals(1, after.out().lines().filter(l -> l.contains("PROMOTED")).count(), after.out());
            assertTrue(after.out().lines().anyMatch(l -> l.startsWith("*") && l.contains(" v1 ")), after.out());
        }
    }

    private String followed(LocalStack stack) {
        return PromotedRelease.find(stack.bootstrapServers(), stack.schemaRegistryUrl(), KafkaClientProperties.none(), NAME,
                Duration.ofSeconds(30)).map(ModelRelease::getVersion).orElse(null);
    }

    /** Exit 2 and exactly one line on stderr, never a stack trace. */
    private Run refused(LocalStack stack, String... args) {
        Run r = triage(stack, args);
        assertEquals(2, r.rc(), String.join(" ", args) + ": " + r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
        return r;
    }

    private Run triage(LocalStack stack, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--bootstrap-servers", stack.bootstrapServers(), "--schema-registry-url", stack.schemaRegistryUrl()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new TriageMain());
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int rc = cmd.execute(all.toArray(String[]::new));
        return new Run(rc, out.toString(), err.toString());
    }

    private ModelRelease release(String version, long createdAt, double harmonic, double seen, ReleaseStatus status) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(version));
        List<Artifact> artifacts = new ArrayList<>();
        for (String f : List.of("visual.onnx", "semantic.onnx", "model.json")) {
            Path p = dir.resolve(f);
            Files.writeString(p, version + " " + f, StandardCharsets.UTF_8);
            artifacts.add(Artifact.newBuilder().setName(f).setUri(p.toUri().toString()).setSha256(Sha256.hex(p)).setSizeBytes(Files.size(p)).build());
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("seenMean", seen);
        metrics.put("unseenMean", seen * harmonic / (2 * seen - harmonic));
        metrics.put("harmonicMean", harmonic);
        return ModelRelease.newBuilder().setName(NAME).setVersion(version).setStatus(status).setArtifacts(artifacts).setInputSize(32)
                .setInputChannels(3).setEmbeddingDim(8).setClassVectorDim(12).setDistance("weighted-euclidean").setSeenLabels(List.of("a"))
                .setMetrics(metrics).setCreatedAt(Instant.ofEpochMilli(createdAt))
                .setParentVersion("v1".equals(version) ? null : "v1").setDataOffsets(Map.of("labels-0", 12L)).build();
    }

    private static void sendOldStyle(LocalStack stack, ModelRelease r) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        try (var serde = AvroSerdes.specific(ModelRelease.class, stack.schemaRegistryUrl(), false);
             KafkaProducer<String, ModelRelease> producer = new KafkaProducer<>(p, new StringSerializer(), serde.serializer())) {
            producer.send(new ProducerRecord<>(Topics.MODEL_RELEASES, r.getName(), r)).get();
        }
    }
}
