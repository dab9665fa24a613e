package org.triage.schemas.kafka;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a keyed topic once, from the beginning to the end offsets it had when the read started,
 * and keeps the latest record per key (by offset; one key lives in one partition, so offset
 * order is write order). Without a consumer group: nothing is committed, other readers are not
 * disturbed. A null value (tombstone) removes its key.
 *
 * <p>Used for the compacted {@code label-prototypes} topic and for "which films exist" and "latest
 * confirmation per film" questions, so every module asks them the same way.
 */
public final class LatestByKey {
    private LatestByKey() {
    }

    /** Thrown when the topic does not exist or cannot be read to its end in time; the message says which. */
    public static final class TopicReadException extends RuntimeException {
        private final boolean missingTopic;

        TopicReadException(String message, boolean missingTopic) {
            super(message);
            this.missingTopic = missingTopic;
        }

        /** True when the topic does not exist (as opposed to a read that ran out of time). */
        public boolean missingTopic() {
            return missingTopic;
        }
    }

    /**
     * Latest value per key among the keys {@code keepKey} accepts (so a large topic is not held whole).
     *
     * @param client consumer settings (security); bootstrap servers must be set
     */
    public static <V> Map<String, V> values(Properties client, String topic, Deserializer<V> valueDeserializer, Duration timeout,
                                            Predicate<String> keepKey) {
        return values(client, topic, valueDeserializer, timeout, keepKey, v -> true);
    }

    /** As above; a latest value {@code keepValue} refuses counts as a tombstone (drops the key). */
    public static <V> Map<String, V> values(Properties client, String topic, Deserializer<V> valueDeserializer, Duration timeout,
                                            Predicate<String> keepKey, Predicate<V> keepValue) {
        Map<String, V> out = new TreeMap<>();
        try (KafkaConsumer<String, V> c = new KafkaConsumer<>(consumerProperties(client), new StringDeserializer(), valueDeserializer)) {
            readToEnd(c, topic, timeout, r -> {
                if (r.key() == null || !keepKey.test(r.key())) return;
                if (r.value() == null || !keepValue.test(r.value())) out.remove(r.key());
                else out.put(r.key(), r.value());
            });
        }
        return out;
    }

    /**
     * Keys with a live (non-null) latest record among those {@code keepKey} accepts. Values are
     * fetched as bytes and dropped unread: the caller only asks whether a key exists.
     */
    public static Set<String> keys(Properties client, String topic, Duration timeout, Predicate<String> keepKey) {
        Set<String> out = new HashSet<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(consumerProperties(client), new StringDeserializer(),
                new ByteArrayDeserializer())) {
            readToEnd(c, topic, timeout, r -> {
                if (r.key() == null || !keepKey.test(r.key())) return;
                if (r.value() == null) out.remove(r.key());
                else out.add(r.key());
            });
        }
        return out;
    }

    static Properties consumerProperties(Properties client) {
        Properties p = new Properties();
        p.putAll(client);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return p;
    }

    static <V> void readToEnd(KafkaConsumer<String, V> c, String topic, Duration timeout,
                                      java.util.function.Consumer<ConsumerRecord<String, V>> each) {
        List<PartitionInfo> infos = c.partitionsFor(topic, timeout);
        if (infos == null || infos.isEmpty()) throw new TopicReadException("topic '" + topic + "' does not exist", true);
        List<TopicPartition> parts = infos.stream().map(pi -> new TopicPartition(pi.topic(), pi.partition())).toList();
        c.assign(parts);
        c.seekToBeginning(parts);
        Map<TopicPartition, Long> end = c.endOffsets(parts, timeout);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!reached(c, end)) {
            if (System.nanoTime() > deadline) {
                throw new TopicReadException("could not read " + topic + " to its end within " + timeout.toSeconds() + " s", false);
            }
            for (ConsumerRecord<String, V> r : c.poll(Duration.ofMillis(200))) each.accept(r);
        }
    }

    private static boolean reached(KafkaConsumer<?, ?> c, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (c.position(e.getKey()) < e.getValue()) return false;
        }
        return true;
    }
}
