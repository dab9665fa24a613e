package org.triage.labels;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringSerializer;
import org.triage.events.ConfirmedLabels;
import org.triage.schemas.Topics;
import org.triage.schemas.serde.AvroSerdes;

/**
 * Writes confirmations to {@code labels}, keyed by SOP Instance UID so that one film's
 * confirmations stay in order (the latest by offset is the one that counts). Idempotent with
 * acks=all: a completed future means the statement is durably stored and not duplicated by retries.
 */
public final class ConfirmedLabelsPublisher implements LabelsSink, AutoCloseable {
    private final KafkaProducer<String, ConfirmedLabels> producer;
    private final Serde<ConfirmedLabels> serde;

    public ConfirmedLabelsPublisher(KafkaEndpoint endpoint, String clientId) {
        Properties p = endpoint.clientProperties();
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        // Bounded: a person is waiting on the answer (a CLI prompt or a click in the alerts page).
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "15000");
        serde = AvroSerdes.specific(ConfirmedLabels.class, endpoint.serdeConfig(), false);
        producer = new KafkaProducer<>(p, new StringSerializer(), serde.serializer());
    }

    @Override
    public CompletableFuture<Void> publish(ConfirmedLabels confirmation) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            producer.send(new ProducerRecord<>(Topics.LABELS, confirmation.getSopInstanceUid(), confirmation), (md, err) -> {
                if (err != null) done.completeExceptionally(err);
                else done.complete(null);
            });
        } catch (RuntimeException e) {
            // Serialisation (registry unreachable) and metadata timeouts are thrown, not called back.
            done.completeExceptionally(e);
        }
        return done;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
        serde.close();
    }
}
