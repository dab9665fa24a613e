package org.triage.stream.topology;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.triage.schemas.RecordSizes;

/**
 * Reads a record by offset with a plain consumer (assign + seek; no group, no commits). Created
 * lazily: a task only needs it for the records that were pending when it moved.
 */
public final class KafkaSourceReader implements SourceReader {
    private final Properties config;
    private final Duration timeout;
    private KafkaConsumer<byte[], byte[]> consumer;

    /** @param clientConfig bootstrap servers and security settings; group and offsets settings are ours */
    public KafkaSourceReader(Properties clientConfig, Duration timeout) {
        this.config = new Properties();
        config.putAll(clientConfig);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(RecordSizes.MAX_REQUEST_BYTES));
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "16");
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.timeout = timeout;
    }

    @Override
    public Optional<byte[]> read(String topic, int partition, long offset) {
        TopicPartition tp = new TopicPartition(topic, partition);
        try {
            if (consumer == null) {
                consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            }
            consumer.assign(List.of(tp));
            long start = consumer.beginningOffsets(List.of(tp), timeout).getOrDefault(tp, 0L);
            long end = consumer.endOffsets(List.of(tp), timeout).getOrDefault(tp, 0L);
            if (offset < start || offset >= end) {
                return Optional.empty();
            }
            consumer.seek(tp, offset);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200)).records(tp)) {
                    if (r.offset() == offset) {
                        return Optional.ofNullable(r.value());
                    }
                    if (r.offset() > offset) {
                        return Optional.empty(); // compacted away or an aborted write: nothing at that offset
                    }
                }
                if (consumer.position(tp, timeout) > offset) {
                    return Optional.empty();
                }
            }
            throw new InfrastructureException(Failures.KAFKA, "no answer reading " + tp + "@" + offset + " within " + timeout.toSeconds() + " s", null);
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new InfrastructureException(Failures.KAFKA, "timed out reading " + tp + "@" + offset + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (consumer != null) {
            consumer.close(Duration.ofSeconds(5));
            consumer = null;
        }
    }
}
