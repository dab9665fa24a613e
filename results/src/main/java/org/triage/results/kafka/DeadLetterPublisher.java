package org.triage.results.kafka;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.triage.schemas.Topics;
import org.triage.schemas.kafka.KafkaClientProperties;

/**
 * Writes what could not be delivered to {@code results-dlq}: the source record's key and bytes as they were (only
 * replacement UIDs, like every record on Kafka) with headers for the reason, the stage and the source position.
 * Each send waits for the broker's acknowledgement, because the source offset is committed right after.
 */
public final class DeadLetterPublisher implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;

    public DeadLetterPublisher(String bootstrapServers, KafkaClientProperties client) {
        Properties p = client.newProperties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "triage-results-dlq");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * @param stage  where it failed: {@code results:reidentify}, {@code results:decode} or {@code results:<target>}
     * @param reason free of PHI (see {@link org.triage.results.delivery.DeliveryRefused})
     * @throws TransientFailure when Kafka does not acknowledge within a minute: the source is then read again
     */
    public void publish(ConsumerRecord<byte[], byte[]> source, String stage, String reason) throws TransientFailure, InterruptedException {
        ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(Topics.RESULTS_DLQ, source.key(), source.value());
        Map.of(Topics.DLQ_HEADER_ERROR, reason,
                Topics.DLQ_HEADER_STAGE, stage,
                Topics.DLQ_HEADER_SOURCE_TOPIC, source.topic(),
                Topics.DLQ_HEADER_SOURCE_PARTITION, String.valueOf(source.partition()),
                Topics.DLQ_HEADER_SOURCE_OFFSET, String.valueOf(source.offset()))
                .forEach((k, v) -> r.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
        try {
            producer.send(r).get(60, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new TransientFailure("kafka-dlq", e);
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
