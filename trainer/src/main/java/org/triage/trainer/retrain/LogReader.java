package org.triage.trainer.retrain;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.triage.schemas.kafka.KafkaClientProperties;

/**
 * Reads a topic from its beginning up to given end offsets, partition by partition, without a
 * consumer group: a snapshot must not move anyone's committed offsets, and the end must be exact so
 * that a rebuild from the same offsets sees the same records.
 */
final class LogReader {
    private final String bootstrap;
    private final KafkaClientProperties client;
    private final Duration timeout;

    LogReader(String bootstrap, KafkaClientProperties client, Duration timeout) {
        this.bootstrap = bootstrap;
        this.client = client;
        this.timeout = timeout;
    }

    /** The current end of every partition of the topic (committed records only). */
    Map<TopicPartition, Long> endOffsets(String topic) {
        try (KafkaConsumer<String, byte[]> c = consumer(new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            return c.endOffsets(partitions(c, topic), timeout);
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new IllegalStateException("cannot reach Kafka at " + bootstrap + " within " + timeout.toSeconds() + " s");
        }
    }

    /**
     * Every record of {@code topic} below {@code ends} (a partition missing from it is read to its current end).
     *
     * @return the end offsets it read to, per partition
     */
    <V> Map<TopicPartition, Long> read(String topic, Deserializer<V> values, TopicOffsets ends, BiConsumer<String, V> sink) {
        try (KafkaConsumer<String, V> c = consumer(values)) {
            List<TopicPartition> parts = partitions(c, topic);
            Map<TopicPartition, Long> current = c.endOffsets(parts, timeout);
            Map<TopicPartition, Long> stop = new LinkedHashMap<>();
            for (TopicPartition tp : parts) {
                long end = ends == null ? current.get(tp) : ends.end(tp).orElse(current.get(tp));
                if (end > current.get(tp)) {
                    throw new IllegalArgumentException("offset " + end + " of " + TopicOffsets.key(tp) + " is beyond the topic's end "
                            + current.get(tp) + ": these offsets are not from this cluster");
                }
                stop.put(tp, end);
            }
            c.assign(parts);
            c.seekToBeginning(parts);
            long deadline = System.nanoTime() + timeout.toNanos() * 10;
            while (parts.stream().anyMatch(tp -> c.position(tp) < stop.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to the snapshot's offsets within " + timeout.toSeconds() * 10 + " s");
                }
                for (ConsumerRecord<String, V> r : c.poll(Duration.ofMillis(200))) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    if (r.offset() < stop.get(tp)) {
                        sink.accept(r.key(), r.value());
                    }
                }
                for (TopicPartition tp : parts) {
                    if (c.position(tp) >= stop.get(tp)) {
                        c.pause(List.of(tp));
                    }
                }
            }
            return stop;
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new IllegalStateException("cannot reach Kafka at " + bootstrap + " within " + timeout.toSeconds() + " s");
        }
    }

    private <V> KafkaConsumer<String, V> consumer(Deserializer<V> values) {
        Properties p = client.newProperties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        // read_committed: an aborted transaction's records are not data; the end offsets are then the last stable offsets.
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024);
        return new KafkaConsumer<>(p, new StringDeserializer(), values);
    }

    private List<TopicPartition> partitions(KafkaConsumer<?, ?> c, String topic) {
        var infos = c.partitionsFor(topic, timeout);
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("topic " + topic + " does not exist at " + bootstrap + "; run 'triage topics create'");
        }
        return infos.stream().map(pi -> new TopicPartition(pi.topic(), pi.partition()))
                .sorted(java.util.Comparator.comparingInt(TopicPartition::partition)).toList();
    }
}
