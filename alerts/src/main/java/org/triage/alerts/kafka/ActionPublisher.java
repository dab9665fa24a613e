package org.triage.alerts.kafka;

import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.triage.events.AlertAction;
import org.triage.schemas.Topics;
import org.triage.schemas.kafka.KafkaClientProperties;

/**
 * Writes actions to {@code alert-actions}, keyed by alert id (so one alert's actions stay in
 * order). Idempotent with acks=all: a 202 from the API means the action is durably stored.
 */
public final class ActionPublisher implements ActionSink, AutoCloseable {
    private final KafkaProducer<String, AlertAction> producer;

    public ActionPublisher(String bootstrapServers, Serializer<AlertAction> serializer) {
        this(bootstrapServers, KafkaClientProperties.none(), serializer);
    }

    /** @param client security settings; acks, idempotence and the timeouts below win */
    public ActionPublisher(String bootstrapServers, KafkaClientProperties client, Serializer<AlertAction> serializer) {
        Properties p = client.newProperties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "triage-alerts-actions");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        // Fail a request in bounded time rather than leave a responder's click hanging.
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "15000");
        producer = new KafkaProducer<>(p, new StringSerializer(), serializer);
    }

    @Override
    public CompletableFuture<Void> publish(AlertAction action) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            producer.send(new ProducerRecord<>(Topics.ALERT_ACTIONS, action.getAlertId(), action), (md, err) -> {
                if (err != null) done.completeExceptionally(err);
                else done.complete(null);
            });
        } catch (RuntimeException e) {
            // Serialisation (registry unreachable) or metadata timeouts are thrown, not called back.
            done.completeExceptionally(e);
        }
        return done;
    }

    @Override
    public void close() {
        producer.close(java.time.Duration.ofSeconds(5));
    }
}
