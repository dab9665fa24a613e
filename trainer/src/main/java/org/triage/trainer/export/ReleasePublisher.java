package org.triage.trainer.export;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triage.events.Artifact;
import org.triage.events.ModelRelease;
import org.triage.events.ReleaseStatus;
import org.triage.model.manifest.ModelManifest;
import org.triage.model.onnx.Sha256;
import org.triage.schemas.Topics;
import org.triage.schemas.release.ReleaseHistory;

/**
 * {@code triage export --publish}: copies an export into a model store and announces it on the
 * compacted {@code model-releases} topic, keyed {@code name:version} so that every release keeps
 * its newest state through compaction and the stream can follow the PROMOTED one. The artifacts
 * are stored before the record is sent: a release on the topic always points at files that exist.
 * Moving a release through its lifecycle afterwards is {@code triage models} (trainer.lifecycle).
 */
public final class ReleasePublisher {
    private static final Logger LOG = LoggerFactory.getLogger(ReleasePublisher.class);
    private static final List<String> FILES = List.of(ModelManifest.VISUAL, ModelManifest.SEMANTIC, ModelManifest.FILE_NAME);

    private ReleasePublisher() {
    }

    /** The release record for an export stored at the given URIs. */
    public static ModelRelease release(Path exportDir, ModelManifest m, Map<String, URI> uris, ReleaseStatus status, String dataSnapshot)
            throws IOException {
        List<Artifact> artifacts = new ArrayList<>();
        for (String f : FILES) {
            Path file = exportDir.resolve(f);
            artifacts.add(Artifact.newBuilder().setName(f).setUri(uris.get(f).toString()).setSha256(Sha256.hex(file))
                    .setSizeBytes(Files.size(file)).build());
        }
        return ModelRelease.newBuilder()
                .setName(m.name())
                .setVersion(m.version())
                .setStatus(status)
                .setArtifacts(artifacts)
                .setInputSize(m.inputSize())
                .setInputChannels(m.channels())
                .setEmbeddingDim(m.embeddingDim())
                .setClassVectorDim(m.classVectorDim())
                .setDistance(m.distance())
                .setSeenLabels(List.copyOf(m.seenLabels()))
                .setMetrics(new LinkedHashMap<>(m.metrics()))
                .setThresholds(new LinkedHashMap<>(m.thresholds()))
                .setDataSnapshot(dataSnapshot)
                .setCreatedAt(Instant.now())
                .build();
    }

    /** Stores the export's files; returns their URIs by file name. */
    public static Map<String, URI> store(ModelStore store, Path exportDir, ModelManifest m) {
        Map<String, Path> files = new LinkedHashMap<>();
        for (String f : FILES) {
            Path p = exportDir.resolve(f);
            if (!Files.isRegularFile(p)) {
                throw new ExportException(f + ": missing in " + exportDir + "; export before publishing");
            }
            files.put(f, p);
        }
        return store.put(m.name(), m.version(), files);
    }

    /** Sends the record with an idempotent acks=all producer and waits for the broker's acknowledgement. */
    public static RecordMetadata send(String bootstrapServers, Serializer<ModelRelease> serializer, ModelRelease release, long timeoutMs) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "triage-export");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs);
        int requestTimeout = (int) Math.min(timeoutMs, 30_000);
        // The producer refuses delivery.timeout.ms < linger.ms + request.timeout.ms (a 30 s timeout used to fail that way).
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(timeoutMs, requestTimeout + 1_000L));
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, requestTimeout);
        try (KafkaProducer<String, ModelRelease> producer = new KafkaProducer<>(p, new StringSerializer(), serializer)) {
            RecordMetadata md = producer.send(new ProducerRecord<>(Topics.MODEL_RELEASES, ReleaseHistory.key(release), release))
                    .get(timeoutMs + 30_000, TimeUnit.MILLISECONDS);
            LOG.info("published {}:{} ({}) to {} partition {} offset {}", release.getName(), release.getVersion(), release.getStatus(),
                    md.topic(), md.partition(), md.offset());
            return md;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing the release", e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("cannot publish to " + Topics.MODEL_RELEASES + " at " + bootstrapServers + ": " + cause.getMessage(), cause);
        }
    }

    /** Identifies the training inputs: hashes of config.json and the parameter file of the model directory. */
    public static String dataSnapshot(Path modelDir, String paramsFile) {
        try {
            Path cfg = modelDir.resolve("config.json");
            Path params = modelDir.resolve(paramsFile);
            return "config.json sha256=" + (Files.isRegularFile(cfg) ? Sha256.hex(cfg) : "absent")
                    + "; " + paramsFile + " sha256=" + (Files.isRegularFile(params) ? Sha256.hex(params) : "absent");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
