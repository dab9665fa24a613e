package org.triage.results;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.triage.events.Alert;
import org.triage.events.Finding;
import org.triage.events.StudyResult;
import org.triage.ingest.deid.ReidentificationStore;
import org.triage.results.delivery.DeliveryTarget;
import org.triage.results.delivery.RetryPolicy;
import org.triage.results.delivery.RetryingDeliverer;
import org.triage.results.kafka.DeadLetterPublisher;
import org.triage.results.kafka.Granularity;
import org.triage.results.kafka.ResultProcessor;
import org.triage.results.kafka.ResultsConsumer;
import org.triage.results.metrics.ResultsMetrics;
import org.triage.results.report.Reidentifier;
import org.triage.schemas.kafka.KafkaClientProperties;
import org.triage.schemas.metrics.MetricsServer;
import org.triage.schemas.serde.AvroSerdes;

/**
 * The results service assembled: consumer, re-identification, targets, DLQ and metrics. It owns and closes the
 * targets and the DLQ producer; the re-identification store belongs to the caller (ingest may share it).
 */
public final class ResultsService implements AutoCloseable {
    /**
     * @param serdeConfig    the Avro serde config (registry URL and credentials)
     * @param metricsPort    -1 for no metrics endpoint, 0 for any free port
     */
    public record Config(String bootstrapServers, KafkaClientProperties client, Map<String, Object> serdeConfig,
                         List<DeliveryTarget> targets, RetryPolicy retry, int maxPollRecords, String metricsBind, int metricsPort,
                         Granularity granularity) {
        public Config {
            if (targets.isEmpty()) {
                throw new IllegalArgumentException("no delivery target configured");
            }
            targets = List.copyOf(targets);
        }

        /**
         * Long enough for every record of one poll to use up every target's retries, plus a minute for the sends;
         * shorter and the group would take the partitions away mid-batch.
         */
        Duration maxPollInterval() {
            long perTarget = 0;
            for (int i = 1; i < retry.attempts(); i++) {
                perTarget += retry.backoffAfter(i).toMillis();
            }
            return Duration.ofMillis((long) maxPollRecords * targets.size() * perTarget).plusMinutes(5);
        }
    }

    private final Config config;
    private final ResultsMetrics metrics;
    private final DeadLetterPublisher dlq;
    private final ResultsConsumer consumer;
    private final MetricsServer metricsServer;

    private ResultsService(Config config, ResultsMetrics metrics, DeadLetterPublisher dlq, ResultsConsumer consumer,
            MetricsServer metricsServer) {
        this.config = config;
        this.metrics = metrics;
        this.dlq = dlq;
        this.consumer = consumer;
        this.metricsServer = metricsServer;
    }

    public static ResultsService start(Config config, ReidentificationStore store) throws IOException {
        ResultsMetrics metrics = new ResultsMetrics();
        Deserializer<Finding> findings = AvroSerdes.specific(Finding.class, config.serdeConfig(), false).deserializer();
        Deserializer<Alert> alerts = AvroSerdes.specific(Alert.class, config.serdeConfig(), false).deserializer();
        Deserializer<StudyResult> studies = AvroSerdes.specific(StudyResult.class, config.serdeConfig(), false).deserializer();
        DeadLetterPublisher dlq = new DeadLetterPublisher(config.bootstrapServers(), config.client());
        ResultProcessor processor = new ResultProcessor(findings, alerts, studies, config.granularity(), new Reidentifier(store), config.targets(),
                new RetryingDeliverer(config.retry(), metrics), dlq, metrics);
        ResultsConsumer consumer = new ResultsConsumer(config.bootstrapServers(), config.client(), processor, metrics,
                config.maxPollRecords(), config.maxPollInterval(), config.granularity());
        MetricsServer server = null;
        try {
            if (config.metricsPort() >= 0) {
                server = new MetricsServer(config.metricsBind(), config.metricsPort(), metrics::scrape, consumer::problem);
            }
        } catch (IOException e) {
            dlq.close();
            throw e;
        }
        consumer.start();
        return new ResultsService(config, metrics, dlq, consumer, server);
    }

    public ResultsMetrics metrics() {
        return metrics;
    }

    /** The metrics port, or -1 without an endpoint. */
    public int metricsPort() {
        return metricsServer == null ? -1 : metricsServer.port();
    }

    @Override
    public void close() {
        consumer.close();
        if (metricsServer != null) {
            metricsServer.close();
        }
        dlq.close();
        List<RuntimeException> failures = new ArrayList<>();
        for (DeliveryTarget t : config.targets()) {
            try {
                t.close();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
    }
}
