package org.triage.stream.model;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.function.Consumer;
import java.util.HexFormat;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triage.events.Artifact;
import org.triage.schemas.kafka.KafkaClientProperties;
import org.triage.events.ModelRelease;
import org.triage.schemas.Topics;
import org.triage.schemas.release.ReleaseHistory;

/**
 * Follows model-releases and puts the PROMOTED release into service. The new model is loaded
 * beside the old one, which keeps serving until the swap; a release that fails to load (missing
 * file, SHA-256 mismatch, bad graph) is rejected, logged, and not retried.
 */
public final class ReleaseFollower implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReleaseFollower.class);

    private final KafkaConsumer<String, ModelRelease> consumer;
    private final ModelLoader loader;
    private final ModelHolder holder;
    private final String modelName;
    private final Consumer<ModelInfo> onSwap;
    private final ReleaseHistory history = new ReleaseHistory();
    private final Set<String> rejected = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile String serving;

    /**
     * @param modelName follow only this model name; null follows the PROMOTED release whose status changed last
     */
    public ReleaseFollower(String bootstrapServers, Deserializer<ModelRelease> deserializer, ModelLoader loader, ModelHolder holder,
                           String modelName, String initialServing, Consumer<ModelInfo> onSwap) {
        this(bootstrapServers, KafkaClientProperties.none(), deserializer, loader, holder, modelName, initialServing, onSwap);
    }

    /** @param client security settings; the follower's own settings win */
    public ReleaseFollower(String bootstrapServers, KafkaClientProperties client, Deserializer<ModelRelease> deserializer, ModelLoader loader,
                           ModelHolder holder, String modelName, String initialServing, Consumer<ModelInfo> onSwap) {
        Properties p = client.newProperties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), deserializer);
        this.loader = loader;
        this.holder = holder;
        this.modelName = modelName;
        this.onSwap = onSwap;
        this.serving = initialServing;
        this.thread = new Thread(this::run, "triage-release-follower");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    private void run() {
        try {
            List<TopicPartition> parts = consumer.partitionsFor(Topics.MODEL_RELEASES, Duration.ofSeconds(30)).stream()
                    .map(pi -> new TopicPartition(pi.topic(), pi.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            while (running) {
                boolean changed = false;
                for (ConsumerRecord<String, ModelRelease> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.key() == null) {
                        continue;
                    }
                    history.accept(r.key(), r.value());
                    changed = true;
                }
                if (changed) {
                    maybeSwap();
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("release follower stopped: {}", e.toString());
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private void maybeSwap() {
        ModelRelease target = history.promoted(modelName).orElse(null);
        if (target == null) {
            return;
        }
        String ref = target.getName() + ":" + target.getVersion();
        if (ref.equals(serving) || rejected.contains(ref)) {
            return;
        }
        LOG.info("loading promoted release {}", ref);
        BatchEmbedder model = null;
        try {
            Path dir = verify(target);
            model = loader.load(dir);
            if (!model.info().ref().equals(ref)) {
                throw new IllegalStateException("model.json says " + model.info().ref() + " but the release is " + ref);
            }
            holder.swap(model);
            serving = ref;
            onSwap.accept(model.info());
        } catch (RuntimeException e) {
            rejected.add(ref);
            if (model != null) {
                model.close();
            }
            LOG.error("release {} rejected, {} keeps serving: {}", ref, serving == null ? "no model" : serving, e.getMessage());
        }
    }

    /** Checks every artifact against its SHA-256 and returns the model directory (where model.json is). */
    public static Path verify(ModelRelease r) {
        Path dir = null;
        for (Artifact a : r.getArtifacts()) {
            URI uri = URI.create(a.getUri());
            if (!"file".equalsIgnoreCase(uri.getScheme())) {
                throw new IllegalArgumentException("artifact " + a.getName() + ": unsupported URI scheme '" + uri.getScheme() + "'");
            }
            Path file = Path.of(uri);
            String sha = sha256(file);
            if (!sha.equalsIgnoreCase(a.getSha256())) {
                throw new IllegalArgumentException("artifact " + a.getName() + ": SHA-256 mismatch (" + file.getFileName() + ")");
            }
            if (dir == null || "model.json".equals(a.getName())) {
                dir = file.toAbsolutePath().getParent();
            }
        }
        if (dir == null) {
            throw new IllegalArgumentException("release has no artifacts");
        }
        return dir;
    }

    private static String sha256(Path file) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getClass().getSimpleName());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Releases (name:version) that failed to load and were not put into service. */
    public Set<String> rejected() {
        return Set.copyOf(rejected);
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
