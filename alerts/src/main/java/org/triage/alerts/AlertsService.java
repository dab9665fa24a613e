package org.triage.alerts;

import java.io.IOException;
import java.net.BindException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serde;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triage.alerts.auth.TokenStore;
import org.triage.alerts.http.ApiServer;
import org.triage.alerts.kafka.ActionPublisher;
import org.triage.alerts.kafka.AlertEventConsumer;
import org.triage.alerts.labels.LabelRecorder;
import org.triage.alerts.thumbnails.ThumbnailCache;
import org.triage.alerts.kafka.TopicFollower;
import org.triage.alerts.studies.StudyResultCache;
import org.triage.alerts.view.AlertState;
import org.triage.alerts.view.AlertView;
import org.triage.alerts.webhook.WebhookDispatcher;
import org.triage.alerts.webhook.WebhookDispatcher.WebhookPolicy;
import org.triage.events.Alert;
import org.triage.events.AlertAction;
import org.triage.events.StudyResult;
import org.triage.schemas.Topics;
import org.triage.labels.CachedLabelCatalog;
import org.triage.labels.ConfirmedLabelsPublisher;
import org.triage.labels.KafkaEndpoint;
import org.triage.labels.KnownFilms;
import org.triage.labels.LabelHistory;
import org.triage.labels.PrototypeLabelCatalog;
import org.triage.schemas.kafka.KafkaClientProperties;
import org.triage.schemas.serde.AvroSerdes;

/**
 * The alerts service as a library: the view fed from Kafka, the HTTP API and page, and webhooks.
 *
 * <pre>{@code
 * try (AlertsService alerts = AlertsService.builder()
 *         .bootstrapServers(stack.bootstrapServers())
 *         .schemaRegistryUrl(stack.schemaRegistryUrl())
 *         .tokensFile(Path.of("tokens.txt"))
 *         .port(0)
 *         .build().start()) {
 *     System.out.println(alerts.url());
 * }
 * }</pre>
 */
public final class AlertsService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AlertsService.class);
    /** Prototypes change by hand and rarely; a label added within this time is still found (a miss re-reads). */
    private static final Duration LABEL_CATALOG_MAX_AGE = Duration.ofSeconds(30);

    private final Builder cfg;
    private AlertView view;
    private WebhookDispatcher webhooks;
    private ActionPublisher publisher;
    private ConfirmedLabelsPublisher labelsPublisher;
    private ApiServer server;
    private AlertEventConsumer consumer;
    private ThumbnailCache thumbnails;
    private TopicFollower<byte[]> thumbnailConsumer;
    private StudyResultCache studies;
    private TopicFollower<StudyResult> studyConsumer;
    private final List<AutoCloseable> serdes = new ArrayList<>();
    private boolean started;

    private AlertsService(Builder b) {
        this.cfg = b;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts consuming and serving; returns this. Throws with a readable message when it cannot. */
    public synchronized AlertsService start() {
        if (started) throw new IllegalStateException("already started");
        started = true;
        try {
            if (cfg.tokens.shortTokens() > 0) {
                LOG.warn("{} token(s) in the tokens file are shorter than 16 characters; use long random tokens", cfg.tokens.shortTokens());
            }
            if (!cfg.bind.equals("127.0.0.1") && !cfg.bind.equals("localhost") && !cfg.bind.equals("::1")) {
                LOG.warn("listening on {}: the API is reachable beyond this machine (plain HTTP: put TLS in front)", cfg.bind);
            }
            view = new AlertView(cfg.maxAlerts);
            Serde<Alert> alertSerde = AvroSerdes.specific(Alert.class, cfg.client.serdeConfig(cfg.schemaRegistryUrl), false);
            Serde<AlertAction> actionSerde = AvroSerdes.specific(AlertAction.class, cfg.client.serdeConfig(cfg.schemaRegistryUrl), false);
            serdes.add(alertSerde);
            serdes.add(actionSerde);
            webhooks = new WebhookDispatcher(cfg.webhooks, cfg.webhookPolicy, cfg.webhookCatchUp);
            view.addListener(webhooks);
            webhooks.start();
            thumbnails = new ThumbnailCache(cfg.maxThumbnails, cfg.maxThumbnailBytes);
            studies = new StudyResultCache(StudyResultCache.DEFAULT_MAX_ENTRIES);
            Serde<StudyResult> studySerde = AvroSerdes.specific(StudyResult.class, cfg.client.serdeConfig(cfg.schemaRegistryUrl), false);
            serdes.add(studySerde);
            publisher = new ActionPublisher(cfg.bootstrapServers, cfg.client, actionSerde.serializer());
            KafkaEndpoint endpoint = new KafkaEndpoint(cfg.bootstrapServers, cfg.schemaRegistryUrl, cfg.client);
            labelsPublisher = new ConfirmedLabelsPublisher(endpoint, "triage-alerts-labels");
            LabelRecorder recorder = new LabelRecorder(labelsPublisher, publisher,
                    new CachedLabelCatalog(new PrototypeLabelCatalog(endpoint, cfg.publishTimeout), LABEL_CATALOG_MAX_AGE),
                    new LabelHistory(endpoint, cfg.publishTimeout), cfg.publishTimeout);
            try {
                server = new ApiServer(cfg.bind, cfg.port, view, cfg.tokens, publisher, recorder, new KnownFilms(endpoint, cfg.publishTimeout),
                        thumbnails, studies, cfg.maxSseClients,
                        cfg.sseHeartbeat, cfg.publishTimeout, this::metrics);
            } catch (BindException e) {
                throw new IllegalStateException("cannot listen on " + cfg.bind + ":" + cfg.port + " (" + e.getMessage() + "; is the port in use?)", e);
            } catch (IOException e) {
                throw new IllegalStateException("cannot listen on " + cfg.bind + ":" + cfg.port + ": " + e.getMessage(), e);
            }
            server.start();
            consumer = new AlertEventConsumer(cfg.bootstrapServers, cfg.client, alertSerde.deserializer(), actionSerde.deserializer(),
                    view, cfg.topicRefresh);
            consumer.start();
            thumbnailConsumer = new TopicFollower<>(cfg.bootstrapServers, cfg.client, Topics.THUMBNAILS, "triage-alerts-thumbnails",
                    "thumbnails", new ByteArrayDeserializer(), thumbnails::put, cfg.topicRefresh);
            thumbnailConsumer.start();
            studyConsumer = new TopicFollower<>(cfg.bootstrapServers, cfg.client, Topics.STUDY_RESULTS, "triage-alerts-studies",
                    "study_results", studySerde.deserializer(), studies::put, cfg.topicRefresh);
            studyConsumer.start();
            LOG.info("alerts service on {} ({} tokens, max {} alerts, {} webhook(s))", url(), cfg.tokens.size(), cfg.maxAlerts, cfg.webhooks.size());
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    public int port() {
        return running().port();
    }

    /** Base URL, e.g. {@code http://127.0.0.1:8090}. */
    public String url() {
        ApiServer s = running();
        String host = s.host();
        if (host.contains(":")) host = "[" + host + "]";
        return "http://" + host + ":" + s.port();
    }

    private ApiServer running() {
        if (server == null) throw new IllegalStateException("the alerts service is not started");
        return server;
    }

    /** Why the service can no longer read Kafka (authentication or authorization failed), or null. */
    public String fatalProblem() {
        AlertEventConsumer c = consumer;
        return c == null ? null : c.fatalProblem();
    }

    /** The folded view (read-only use: the consumer is its only writer). */
    public AlertView view() {
        return view;
    }

    /** True once the start-up replay has caught up with both topics. */
    public boolean isLive() {
        return view != null && view.isLive();
    }

    /** Waits until the view is live; false on timeout. */
    public boolean awaitLive(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!isLive()) {
            if (System.nanoTime() > deadline) return false;
            Thread.sleep(50);
        }
        return true;
    }

    /** Counters and gauges, named as on {@code /metrics} without the {@code triage_alerts_} prefix. */
    public Map<String, Number> metrics() {
        Map<String, Number> m = new LinkedHashMap<>();
        if (view != null) {
            m.put("alerts", view.size());
            m.put("max_alerts", view.maxAlerts());
            for (Map.Entry<AlertState, Integer> e : view.countsByState().entrySet()) {
                m.put("alerts_by_state{state=\"" + e.getKey() + "\"}", e.getValue());
            }
            m.put("live", view.isLive() ? 1 : 0);
            for (Map.Entry<String, Long> e : view.counters().entrySet()) m.put("view_" + e.getKey(), e.getValue());
        }
        if (consumer != null) m.putAll(consumer.metrics());
        if (thumbnails != null) m.putAll(thumbnails.metrics());
        if (thumbnailConsumer != null) m.putAll(thumbnailConsumer.metrics());
        if (studies != null) m.putAll(studies.metrics());
        if (studyConsumer != null) m.putAll(studyConsumer.metrics());
        if (webhooks != null) m.putAll(webhooks.metrics());
        return m;
    }

    @Override
    public synchronized void close() {
        // Stop intake first, then the API (so no action is accepted after its producer is gone).
        closeQuietly(consumer);
        closeQuietly(thumbnailConsumer);
        closeQuietly(studyConsumer);
        closeQuietly(server);
        closeQuietly(publisher);
        closeQuietly(labelsPublisher);
        closeQuietly(webhooks);
        for (AutoCloseable s : serdes) closeQuietly(s);
        consumer = null;
        thumbnailConsumer = null;
        studyConsumer = null;
        publisher = null;
        labelsPublisher = null;
        webhooks = null;
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) return;
        try {
            c.close();
        } catch (Exception e) {
            LOG.warn("error while closing {}: {}", c.getClass().getSimpleName(), e.toString());
        }
    }

    /** Configuration; everything but the tokens has a default. */
    public static final class Builder {
        private String bootstrapServers = "127.0.0.1:9092";
        private String schemaRegistryUrl = "http://127.0.0.1:8081";
        private KafkaClientProperties client = KafkaClientProperties.none();

        /** Security and other settings for the consumer, the producer and the registry client. */
        public Builder clientProperties(KafkaClientProperties v) {
            client = Objects.requireNonNull(v);
            return this;
        }
        private String bind = "127.0.0.1";
        private int port = 0;
        private TokenStore tokens;
        private final List<URI> webhooks = new ArrayList<>();
        private int maxAlerts = AlertView.DEFAULT_MAX_ALERTS;
        private int maxSseClients = 32;
        private Duration sseHeartbeat = Duration.ofSeconds(15);
        private Duration publishTimeout = Duration.ofSeconds(15);
        private Duration topicRefresh = Duration.ofSeconds(10);
        private WebhookPolicy webhookPolicy = WebhookPolicy.defaults();
        private Duration webhookCatchUp = Duration.ofMinutes(15);
        private int maxThumbnails = ThumbnailCache.DEFAULT_MAX_ENTRIES;
        private long maxThumbnailBytes = ThumbnailCache.DEFAULT_MAX_BYTES;

        private Builder() {
        }

        public Builder bootstrapServers(String v) {
            bootstrapServers = Objects.requireNonNull(v);
            return this;
        }

        public Builder schemaRegistryUrl(String v) {
            schemaRegistryUrl = Objects.requireNonNull(v);
            return this;
        }

        /** Address to listen on; 127.0.0.1 unless deliberately exposed. */
        public Builder bind(String v) {
            bind = Objects.requireNonNull(v);
            return this;
        }

        /** 0 picks a free port (see {@link AlertsService#port()}). */
        public Builder port(int v) {
            if (v < 0 || v > 65535) throw new IllegalArgumentException("port must be 0-65535");
            port = v;
            return this;
        }

        public Builder tokens(TokenStore v) {
            tokens = Objects.requireNonNull(v);
            return this;
        }

        /** Loads the tokens file now, so a malformed one fails here, with its line number. */
        public Builder tokensFile(Path file) {
            tokens = TokenStore.load(file);
            return this;
        }

        public Builder webhook(URI url) {
            webhooks.add(WebhookDispatcher.validate(url));
            return this;
        }

        /**
         * At start-up, alerts still OPEN and created within this window are posted to webhooks
         * again (marked redelivery), in case they arrived while the service was down. Zero: never.
         */
        public Builder webhookCatchUp(Duration v) {
            if (v.isNegative()) throw new IllegalArgumentException("webhook catch-up window must be >= 0");
            webhookCatchUp = v;
            return this;
        }

        public Builder webhookPolicy(WebhookPolicy v) {
            webhookPolicy = Objects.requireNonNull(v);
            return this;
        }

        /** Most alerts kept in memory (oldest resolved evicted first). */
        public Builder maxAlerts(int v) {
            if (v < 1) throw new IllegalArgumentException("max alerts must be >= 1");
            maxAlerts = v;
            return this;
        }

        /** Bounds of the film preview cache (least recently used go first). */
        public Builder maxThumbnails(int entries, long bytes) {
            if (entries < 1 || bytes < 1) throw new IllegalArgumentException("thumbnail cache bounds must be >= 1");
            maxThumbnails = entries;
            maxThumbnailBytes = bytes;
            return this;
        }

        public Builder maxSseClients(int v) {
            if (v < 1) throw new IllegalArgumentException("max SSE clients must be >= 1");
            maxSseClients = v;
            return this;
        }

        public Builder sseHeartbeat(Duration v) {
            sseHeartbeat = Objects.requireNonNull(v);
            return this;
        }

        /** How often new topics / partitions are looked for. */
        public Builder topicRefresh(Duration v) {
            topicRefresh = Objects.requireNonNull(v);
            return this;
        }

        public AlertsService build() {
            if (tokens == null) throw new IllegalStateException("tokens are required (tokensFile or tokens)");
            return new AlertsService(this);
        }
    }
}
