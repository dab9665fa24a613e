package org.triage.schemas.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Every committed record of a topic, from the beginning to the end offsets it had when the read
 * started, read the way {@link LatestByKey} reads (no group, read_committed). For audits and
 * checks that need the whole history (what was published, whether a value ever reached a topic),
 * so keep it to topics of bounded size.
 */
public final class TopicRecords {
    private TopicRecords() {
    }

    /** @throws LatestByKey.TopicReadException when the topic does not exist or cannot be read to its end in time */
    public static <V> List<ConsumerRecord<String, V>> all(Properties client, String topic, Deserializer<V> valueDeserializer,
                                                          Duration timeout) {
        List<ConsumerRecord<String, V>> out = new ArrayList<>();
        try (KafkaConsumer<String, V> c = new KafkaConsumer<>(LatestByKey.consumerProperties(client), new StringDeserializer(),
                valueDeserializer)) {
            LatestByKey.readToEnd(c, topic, timeout, out::add);
        }
        return out;
    }
}
