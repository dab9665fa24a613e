package org.triage.stream.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.triage.schemas.serde.AvroSerdes;

/** Producers and read_committed readers against a real broker + registry. */
public final class KafkaTestIo {
    private KafkaTestIo() {
    }

    public static <T extends SpecificRecord> KafkaProducer<String, T> producer(String bootstrap, String registry, Class<T> type) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        return new KafkaProducer<>(p, Serdes.String().serializer(), AvroSerdes.specific(type, registry, false).serializer());
    }

    /** Reads a topic from the beginning (committed records only) until {@code done} holds or the timeout passes. */
    public static <T extends SpecificRecord> List<ConsumerRecord<String, T>> readUntil(String bootstrap, String registry, String topic,
            Class<T> type, Duration timeout, Predicate<List<ConsumerRecord<String, T>>> done) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<ConsumerRecord<String, T>> out = new ArrayList<>();
        try (KafkaConsumer<String, T> c = new KafkaConsumer<>(p, Serdes.String().deserializer(),
                AvroSerdes.specific(type, registry, false).deserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(pi -> new TopicPartition(topic, pi.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline && !done.test(out)) {
                for (ConsumerRecord<String, T> r : c.poll(Duration.ofMillis(200))) {
                    out.add(r);
                }
            }
            // One more short poll: anything beyond the expected count (a duplicate) must show up too.
            for (ConsumerRecord<String, T> r : c.poll(Duration.ofMillis(500))) {
                out.add(r);
            }
        }
        return out;
    }

    public static Map<String, Object> noop() {
        return Map.of();
    }
}
