package org.triage.stream;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triage.events.ModelRelease;
import org.triage.schemas.RecordSizes;
import org.triage.schemas.kafka.KafkaAuthErrors;
import org.triage.schemas.kafka.KafkaClientProperties;
import org.triage.schemas.metrics.MetricsServer;
import org.triage.stream.cluster.ClusterSettings;
import org.triage.stream.cluster.NovelFilmsTopic;
import org.triage.schemas.Topics;
import org.triage.stream.study.StudySettings;
import org.triage.stream.study.StudyTopology;
import org.triage.stream.topology.OwnTopic;
import org.triage.stream.metrics.StreamMetrics;
import org.triage.stream.model.BatchEmbedder;
import org.triage.stream.model.ModelHolder;
import org.triage.stream.model.ModelInfo;
import org.triage.stream.model.ModelLoader;
import org.triage.stream.model.OnnxModelLoader;
import org.triage.stream.model.ReleaseFollower;
import org.triage.stream.rescan.RetrospectiveScanner;
import org.triage.stream.serde.EventSerdes;
import org.triage.stream.serde.RegistryEventSerdes;
import org.triage.stream.thumbnail.ThumbnailWriter;
import org.triage.stream.topology.DlqSink;
import org.triage.stream.topology.ErrorHandlers;
import org.triage.stream.topology.KafkaDlqSink;
import org.triage.stream.topology.KafkaSourceReader;
import org.triage.stream.topology.Lane;
import org.triage.stream.topology.PrototypeCache;
import org.triage.stream.topology.StreamSettings;
import org.triage.stream.topology.StreamTopology;

/**
 * The inference stream, in process: what {@code triage stream} runs and what the demo and the
 * tests embed.
 *
 * <pre>{@code
 * try (InferenceStream s = InferenceStream.builder()
 *         .bootstrapServers(stack.bootstrapServers()).schemaRegistryUrl(stack.schemaRegistryUrl())
 *         .modelDir(modelDir)                // or .followReleases(null)
 *         .stateDir(tmp).maxBatch(32).maxDelayMs(50).build()) {
 *     s.start();
 *     s.awaitRunning(Duration.ofSeconds(60));
 *     ... s.metrics() ...
 * }
 * }</pre>
 */
public final class InferenceStream implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InferenceStream.class);

    private final Builder b;
    private final StreamMetrics metrics = new StreamMetrics();
    private final ModelHolder models = new ModelHolder();
    private final PrototypeCache prototypeCache = new PrototypeCache();
    private ExecutorService preprocessPool;
    private ExecutorService statPreprocessPool;
    private ExecutorService inferencePool;
    private DlqSink dlq;
    private ThumbnailWriter thumbnails;
    private KafkaStreams streams;
    /** The STAT lane ({@link Lane#STAT}) as an application of its own: see {@link StreamTopology}. */
    private KafkaStreams statStreams;
    private ReleaseFollower follower;
    private MetricsServer metricsServer;
    private RetrospectiveScanner rescanner;
    private volatile boolean closed;
    private static final long THREAD_BACKOFF_FIRST_MS = 1_000;
    private static final long THREAD_BACKOFF_MAX_MS = 5_000;
    private volatile long lastThreadFailure;
    private volatile long threadBackoffMs = THREAD_BACKOFF_FIRST_MS;
    private volatile String fatal;

    private InferenceStream(Builder b) {
        this.b = b;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Loads the model (or waits for a PROMOTED release, up to the builder's model wait), then starts
     * the topology. Throws when the given model does not load or no release arrives in time.
     */
    public synchronized void start() throws TimeoutException {
        if (streams != null) {
            throw new IllegalStateException("already started");
        }
        EventSerdes serdes = b.serdes != null ? b.serdes : new RegistryEventSerdes(b.client.serdeConfig(b.schemaRegistryUrl));
        if (b.modelDir != null) {
            BatchEmbedder model = b.loader.load(b.modelDir);
            models.swap(model);
            onModel(model.info());
        }
        if (b.follow) {
            follower = new ReleaseFollower(b.bootstrapServers, b.client, serdes.value(ModelRelease.class).deserializer(), b.loader, models,
                    b.followModelName, models.info().map(ModelInfo::ref).orElse(null), this::onModel);
            follower.start();
            long deadline = System.nanoTime() + b.modelWait.toNanos();
            while (models.info().isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException("no PROMOTED release on model-releases loaded within " + b.modelWait.toSeconds() + " s");
                }
                sleep(100);
            }
        }
        AtomicInteger n = new AtomicInteger();
        preprocessPool = Executors.newFixedThreadPool(b.settings.preprocessThreads(), r -> {
            Thread t = new Thread(r, "triage-preprocess-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        AtomicInteger m = new AtomicInteger();
        inferencePool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "triage-inference-" + m.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        dlq = b.prototypeDlq != null ? b.prototypeDlq : new KafkaDlqSink(b.bootstrapServers, b.client);
        Properties readerConfig = sourceReaderProperties();
        ClusterSettings clusters = b.clusters != null ? b.clusters : ClusterSettings.defaults(b.applicationId);
        StudySettings studies = b.studies != null ? b.studies : StudySettings.defaults(b.applicationId);
        ensureOwnTopics(clusters, studies);
        thumbnails = ThumbnailWriter.connect(b.bootstrapServers, b.client, metrics);
        Topology topology = StreamTopology.build(b.settings, clusters, serdes, models, prototypeCache, preprocessPool, inferencePool, metrics, dlq,
                thumbnails, () -> new KafkaSourceReader(readerConfig, Duration.ofSeconds(30)));
        StudyTopology.addTo(topology, studies, serdes, metrics);
        streams = new KafkaStreams(topology, properties(b.applicationId, b.threads));
        streams.setUncaughtExceptionHandler(this::onThreadFailure);
        streams.setStateListener((now, before) -> LOG.info("stream state {} -> {}", before, now));
        // The STAT lane: its own consumer, thread and preprocessing, so a STAT film never queues behind the routine backlog.
        AtomicInteger k = new AtomicInteger();
        statPreprocessPool = Executors.newFixedThreadPool(1, r -> {
            Thread t = new Thread(r, "triage-preprocess-stat-" + k.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        Topology statTopology = StreamTopology.build(Lane.STAT, b.settings, clusters, serdes, models, prototypeCache, statPreprocessPool,
                inferencePool, metrics, dlq, thumbnails, () -> new KafkaSourceReader(readerConfig, Duration.ofSeconds(30)));
        statStreams = new KafkaStreams(statTopology, properties(statApplicationId(), 1));
        statStreams.setUncaughtExceptionHandler(this::onThreadFailure);
        statStreams.setStateListener((now, before) -> LOG.info("STAT lane state {} -> {}", before, now));
        if (b.metricsPort >= 0) {
            try {
                metricsServer = new MetricsServer(b.metricsBind, b.metricsPort, metrics::scrape, this::healthProblem);
                LOG.info("metrics on http://{}:{}/metrics, health on /health", b.metricsBind, metricsServer.port());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open the metrics port " + b.metricsPort, e);
            }
        }
        try {
            streams.start();
            statStreams.start();
        } catch (RuntimeException e) {
            // The global (prototype) thread connects during start(): a credentials problem surfaces here, not in the handler.
            String auth = KafkaAuthErrors.describe(e, b.bootstrapServers, b.client);
            if (auth == null) {
                throw e;
            }
            fatal = auth;
            throw new IllegalStateException(auth, e);
        }
        if (!b.rescanLookback.isZero()) {
            rescanner = new RetrospectiveScanner(new RetrospectiveScanner.Config(b.bootstrapServers, b.schemaRegistryUrl, b.client,
                    b.applicationId, rescanInstanceId(), b.rescanLookback, b.rescanTimeout), serdes, models, metrics);
            rescanner.start();
        }
        LOG.info("inference stream started: application.id={} max-batch={} max-delay-ms={} model={}", b.applicationId,
                b.settings.maxBatch(), b.settings.maxDelayMs(), models.info().map(ModelInfo::ref).orElse("-"));
    }

    /**
     * A stream thread died: its tasks were closed without committing, so replacing the thread retries
     * them from the last commit. The backoff grows while failures repeat, so an outage of the registry
     * or the brokers is waited out instead of spun on.
     */
    private StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse onThreadFailure(Throwable e) {
        // Wrong credentials or missing ACLs do not heal by replacing the thread: stop instead of looping.
        String auth = KafkaAuthErrors.describe(e, b.bootstrapServers, b.client);
        if (auth != null) {
            fatal = auth;
            LOG.error("{}", auth);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        long now = System.currentTimeMillis();
        long last = lastThreadFailure;
        lastThreadFailure = now;
        threadBackoffMs = now - last > 60_000 ? THREAD_BACKOFF_FIRST_MS : Math.min(THREAD_BACKOFF_MAX_MS, threadBackoffMs * 2);
        java.util.Optional<String> dependency = org.triage.stream.topology.Failures.infrastructure(e);
        if (dependency.isPresent()) {
            LOG.warn("{} unavailable; stream thread retries in {} ms from its last commit: {}", dependency.get(), threadBackoffMs,
                    rootMessage(e));
        } else {
            LOG.error("stream thread failed; replacing it in {} ms: {}", threadBackoffMs, rootMessage(e));
        }
        if (!closed) {
            try {
                Thread.sleep(threadBackoffMs);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
        return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    /** What to tell an operator: our own exception's message when there is one, else the deepest cause. */
    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            if (t instanceof org.triage.stream.topology.InfrastructureException) {
                return t.getMessage();
            }
            t = t.getCause();
        }
        return t == e ? e.toString() : e.getClass().getSimpleName() + " caused by " + t;
    }

    /** The plain consumer that re-reads pending records after a restart: the stream's connection settings. */
    /**
     * The topics of the processor API's sub-topologies (Streams creates only its DSL's): the clusterer's and the study
     * grouper's. The first broker calls of start(): wrong credentials must read as one line here too.
     */
    private void ensureOwnTopics(ClusterSettings clusters, StudySettings studies) {
        Object rf = b.extra.get(StreamsConfig.REPLICATION_FACTOR_CONFIG);
        Optional<Short> replication = rf == null || Short.parseShort(rf.toString()) < 1 ? Optional.empty()
                : Optional.of(Short.parseShort(rf.toString()));
        try {
            if (clusters.enabled()) {
                NovelFilmsTopic.ensure(b.bootstrapServers, b.client, clusters, replication);
            }
            if (studies.enabled()) {
                // As many partitions as findings: the grouping spreads over instances as the scoring does.
                OwnTopic.ensure(b.bootstrapServers, b.client, studies.topic(), OwnTopic.partitionsOf(b.bootstrapServers, b.client, Topics.FINDINGS),
                        Map.of("retention.ms", Long.toString(studies.lateWindow().plusDays(7).toMillis())), replication,
                        "the study grouper (its partitions must match findings')");
            }
        } catch (RuntimeException e) {
            String auth = KafkaAuthErrors.describe(e, b.bootstrapServers, b.client);
            if (auth == null) {
                throw e;
            }
            fatal = auth;
            throw new IllegalStateException(auth, e);
        }
    }

    private Properties sourceReaderProperties() {
        Properties p = new Properties();
        b.client.applyTo(p);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, b.applicationId + "-source-reader");
        return p;
    }

    /**
     * The rescanner's transactional-id suffix: stable across restarts of this instance (kept in the
     * state directory, so a restart fences and aborts what its predecessor left open), different
     * between instances (each has its own state directory). Without a state directory: random.
     */
    private String rescanInstanceId() {
        if (b.rescanInstanceId != null) {
            return b.rescanInstanceId;
        }
        if (b.stateDir == null) {
            return java.util.UUID.randomUUID().toString();
        }
        Path f = b.stateDir.resolve("rescan-instance-id");
        try {
            if (java.nio.file.Files.exists(f)) {
                String id = java.nio.file.Files.readString(f).trim();
                if (!id.isEmpty()) {
                    return id;
                }
            }
            java.nio.file.Files.createDirectories(b.stateDir);
            String id = java.util.UUID.randomUUID().toString();
            java.nio.file.Files.writeString(f, id);
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the rescan instance id in " + f, e);
        }
    }

    private void onModel(ModelInfo info) {
        metrics.model(info.ref(), info.device());
        LOG.info("model {} on device {}", info.ref(), info.device());
    }

    /** The STAT lane's application id: its group, transactional ids and changelogs share the stream's prefix. */
    public String statApplicationId() {
        return b.applicationId + "-stat";
    }

    private Properties properties(String applicationId, int threads) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers);
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, b.commitIntervalMs);
        // The wall-clock punctuator only fires between polls: keep polls short relative to max-delay.
        p.put(StreamsConfig.POLL_MS_CONFIG, Math.max(1, Math.min(100, b.settings.maxDelayMs() / 4)));
        if (b.stateDir != null) {
            p.put(StreamsConfig.STATE_DIR_CONFIG, b.stateDir.toString());
        }
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, ErrorHandlers.Deserialization.class);
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, ErrorHandlers.Processing.class);
        p.put(ErrorHandlers.DLQ_SINK_CONFIG, dlq);
        p.put(ErrorHandlers.METRICS_CONFIG, metrics);
        p.put("schema.registry.url", b.schemaRegistryUrl == null ? "" : b.schemaRegistryUrl);
        // A whole number of batches per poll: a remainder would wait for the next fetch and, under a
        // backlog, often be closed half full by the max-delay punctuator.
        int batch = b.settings.maxBatch();
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), batch * Math.max(4, (100 + batch - 1) / batch));
        // Radiographs are inline images (~100 KB-1 MB): the 1 MiB default fetch would hand the batcher
        // a handful per poll and let the max-delay punctuator close batches half full under load.
        p.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG), RecordSizes.IMAGE_FETCH_BYTES);
        p.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.FETCH_MAX_BYTES_CONFIG), 4 * RecordSizes.IMAGE_FETCH_BYTES);
        // A DLQ record carries the original event: the producer and every topic Streams creates take the largest one.
        p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), RecordSizes.MAX_REQUEST_BYTES);
        p.put(StreamsConfig.topicPrefix(org.apache.kafka.common.config.TopicConfig.MAX_MESSAGE_BYTES_CONFIG),
                Integer.toString(RecordSizes.MAX_REQUEST_BYTES));
        p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 5);
        b.client.applyTo(p);
        p.putAll(b.extra);
        return p;
    }

    /** Null when healthy; otherwise why not (served by /health). */
    public String healthProblem() {
        if (fatal != null) {
            return fatal;
        }
        if (closed) {
            return "closed";
        }
        if (models.info().isEmpty()) {
            return "no model loaded";
        }
        KafkaStreams s = streams;
        if (s == null) {
            return "not started";
        }
        KafkaStreams.State st = s.state();
        if (st != KafkaStreams.State.RUNNING && st != KafkaStreams.State.REBALANCING) {
            return "stream state " + st;
        }
        KafkaStreams.State stat = statStreams == null ? null : statStreams.state();
        if (stat != null && stat != KafkaStreams.State.RUNNING && stat != KafkaStreams.State.REBALANCING) {
            return "STAT lane state " + stat;
        }
        return metrics.degraded();
    }

    /** Why the stream stopped for good (authentication or authorization), or null. */
    public String fatalProblem() {
        return fatal;
    }

    /** Waits until both lanes' topologies are RUNNING (partitions assigned, state restored). */
    public void awaitRunning(Duration timeout) throws TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        awaitRunning(() -> streams, "stream", deadline, timeout);
        awaitRunning(() -> statStreams, "STAT lane", deadline, timeout);
    }

    private static void awaitRunning(java.util.function.Supplier<KafkaStreams> app, String what, long deadline, Duration timeout)
            throws TimeoutException {
        KafkaStreams s;
        while ((s = app.get()) == null || s.state() != KafkaStreams.State.RUNNING) {
            if (s != null && (s.state() == KafkaStreams.State.ERROR || s.state() == KafkaStreams.State.NOT_RUNNING)) {
                throw new IllegalStateException(what + " stopped: " + s.state());
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException(what + " not RUNNING after " + timeout.toSeconds() + " s: " + (s == null ? "not started" : s.state()));
            }
            sleep(50);
        }
    }

    public Optional<KafkaStreams.State> state() {
        return Optional.ofNullable(streams).map(KafkaStreams::state);
    }

    public StreamMetrics.Snapshot metrics() {
        return metrics.snapshot();
    }

    /** The Prometheus registry, for callers that want to scrape or add their own meters. */
    public StreamMetrics meters() {
        return metrics;
    }

    /** Releases (name:version) that failed to load: rejected, the previous model kept serving. */
    public java.util.Set<String> rejectedReleases() {
        return follower == null ? java.util.Set.of() : follower.rejected();
    }

    public Optional<ModelInfo> model() {
        return models.info();
    }

    /** Port of the metrics endpoint, or -1 when disabled. */
    public int metricsPort() {
        return metricsServer == null ? -1 : metricsServer.port();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (rescanner != null) {
            rescanner.close();
        }
        if (follower != null) {
            follower.close();
        }
        // Leave the group: a deliberate stop hands its partitions over now, not after a session timeout
        // (a restart with the same group.instance.id is still recognised as the same member).
        for (KafkaStreams app : new KafkaStreams[] {statStreams, streams}) {
            if (app != null) {
                app.close(new KafkaStreams.CloseOptions().timeout(Duration.ofSeconds(30)).leaveGroup(true));
            }
        }
        if (metricsServer != null) {
            metricsServer.close();
        }
        for (ExecutorService pool : new ExecutorService[] {preprocessPool, statPreprocessPool}) {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
        if (inferencePool != null) {
            inferencePool.shutdownNow();
        }
        if (dlq != null && b.prototypeDlq == null) {
            dlq.close();
        }
        if (thumbnails != null) {
            thumbnails.close();
        }
        models.close();
        LOG.info("inference stream closed");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Configuration of an {@link InferenceStream}. */
    public static final class Builder {
        private String bootstrapServers;
        private String schemaRegistryUrl;
        private Path modelDir;
        private boolean follow;
        private String followModelName;
        private Duration modelWait = Duration.ofMinutes(5);
        private String applicationId = "triage-inference-stream";
        private Path stateDir;
        private StreamSettings settings = StreamSettings.defaults();
        private int threads = 1;
        private long commitIntervalMs = 100;
        private int metricsPort = -1;
        private String metricsBind = "127.0.0.1";
        private ModelLoader loader = new OnnxModelLoader();
        private EventSerdes serdes;
        private DlqSink prototypeDlq;
        private final Map<String, Object> extra = new HashMap<>();
        private KafkaClientProperties client = KafkaClientProperties.none();
        private Duration rescanLookback = Duration.ofDays(30);
        private Duration rescanTimeout = Duration.ofMinutes(30);
        private String rescanInstanceId;
        private ClusterSettings clusters;
        private StudySettings studies;

        /** How a study's findings become one study result (default {@link StudySettings#defaults}; {@link StudySettings#disabled()} = off). */
        public Builder studies(StudySettings v) {
            studies = Objects.requireNonNull(v);
            return this;
        }

        /** How NOVELTY films are clustered (default {@link ClusterSettings#defaults} for the application id; {@link ClusterSettings#disabled()} = off). */
        public Builder clusters(ClusterSettings v) {
            clusters = Objects.requireNonNull(v);
            return this;
        }

        /**
         * Retrospective rescan: a new prototype version with a fixed threshold is applied to the stored
         * embeddings of this long (default 30 days; {@link Duration#ZERO} = off).
         */
        public Builder rescanLookback(Duration v) {
            if (v.isNegative()) {
                throw new IllegalArgumentException("rescan lookback must not be negative");
            }
            rescanLookback = v;
            return this;
        }

        /** A rescan not finished within this fails and is redone (default 30 min). */
        public Builder rescanTimeout(Duration v) {
            rescanTimeout = Objects.requireNonNull(v);
            return this;
        }

        /** The rescanner's transactional-id suffix (default: kept in the state directory). */
        public Builder rescanInstanceId(String v) {
            rescanInstanceId = v;
            return this;
        }

        /** Security and other settings for every client of the stream (Streams' internal ones included); the stream's own settings win. */
        public Builder clientProperties(KafkaClientProperties v) {
            client = Objects.requireNonNull(v);
            return this;
        }

        public Builder bootstrapServers(String v) {
            bootstrapServers = v;
            return this;
        }

        public Builder schemaRegistryUrl(String v) {
            schemaRegistryUrl = v;
            return this;
        }

        /** Serve this model directory (model.json + ONNX graphs). Combine with {@link #followReleases} to hot-swap later. */
        public Builder modelDir(Path v) {
            modelDir = v;
            return this;
        }

        /** Follow the PROMOTED release on model-releases (of this model name; null = any). */
        public Builder followReleases(String modelName) {
            follow = true;
            followModelName = modelName;
            return this;
        }

        /** How long start() waits for a first release when no model directory is given. */
        public Builder modelWait(Duration v) {
            modelWait = v;
            return this;
        }

        public Builder applicationId(String v) {
            applicationId = v;
            return this;
        }

        public Builder stateDir(Path v) {
            stateDir = v;
            return this;
        }

        public Builder settings(StreamSettings v) {
            settings = v;
            return this;
        }

        public Builder maxBatch(int v) {
            settings = settings.withBatching(v, settings.maxDelayMs());
            return this;
        }

        public Builder maxDelayMs(long v) {
            settings = settings.withBatching(settings.maxBatch(), v);
            return this;
        }

        public Builder threads(int v) {
            threads = v;
            return this;
        }

        public Builder commitIntervalMs(long v) {
            commitIntervalMs = v;
            return this;
        }

        /** Serve /metrics and /health on this port (0 = any free port; -1 = off, the default). */
        public Builder metricsPort(int v) {
            metricsPort = v;
            return this;
        }

        public Builder metricsBind(String v) {
            metricsBind = v;
            return this;
        }

        /** Replaces the ONNX loader (tests use a deterministic fake). */
        public Builder modelLoader(ModelLoader v) {
            loader = v;
            return this;
        }

        /** Replaces the registry serdes. */
        public Builder serdes(EventSerdes v) {
            serdes = v;
            return this;
        }

        /** Any other Kafka Streams property. */
        public Builder property(String key, Object value) {
            extra.put(key, value);
            return this;
        }

        public InferenceStream build() {
            Objects.requireNonNull(bootstrapServers, "bootstrapServers");
            if (modelDir == null && !follow) {
                throw new IllegalArgumentException("give a model directory or follow model-releases");
            }
            if (serdes == null && schemaRegistryUrl == null) {
                throw new IllegalArgumentException("schemaRegistryUrl is required");
            }
            return new InferenceStream(this);
        }
    }
}
