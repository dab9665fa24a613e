package org.triage.stream.cli;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.triage.events.LabelPrototype;
import org.triage.schemas.Topics;
import org.triage.schemas.kafka.KafkaClientProperties;
import org.triage.schemas.serde.AvroSerdes;

/** Reads the current prototypes (compacted topic, latest value per label) and writes changes. */
public final class PrototypeRepository {
    private final String bootstrap;
    private final String registry;
    private final KafkaClientProperties client;

    public PrototypeRepository(String bootstrap, String registry) {
        this(bootstrap, registry, KafkaClientProperties.none());
    }

    /** @param client security settings added to the consumer and producer */
    public PrototypeRepository(String bootstrap, String registry, KafkaClientProperties client) {
        this.bootstrap = bootstrap;
        this.registry = registry;
        this.client = client;
    }

    /** Latest value per label id, up to the topic's end at the time of the call; retired labels are absent. */
    public Map<String, LabelPrototype> current(Duration timeout) {
        return latest(bootstrap, registry, client, Topics.LABEL_PROTOTYPES, LabelPrototype.class, timeout);
    }

    /** Latest value per key of a compacted topic, up to its end at the time of the call; tombstoned keys are absent. */
    static <T extends SpecificRecord> Map<String, T> latest(String bootstrap, String registry, KafkaClientProperties client, String topic,
                                                           Class<T> type, Duration timeout) {
        return latest(bootstrap, registry, client, topic, type, timeout, v -> true);
    }

    /** As {@link #latest}, keeping only values {@code keep} accepts (so a large topic is not held whole in memory). */
    static <T extends SpecificRecord> Map<String, T> latest(String bootstrap, String registry, KafkaClientProperties client, String topic,
                                                           Class<T> type, Duration timeout, java.util.function.Predicate<T> keep) {
        Properties p = client.newProperties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        Map<String, T> out = new TreeMap<>();
        try (KafkaConsumer<String, T> c = new KafkaConsumer<>(p, Serdes.String().deserializer(),
                AvroSerdes.specific(type, client.serdeConfig(registry), false).deserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic, timeout).stream()
                    .map(pi -> new TopicPartition(pi.topic(), pi.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts, timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!reached(c, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end within " + timeout.toSeconds() + " s");
                }
                for (ConsumerRecord<String, T> r : c.poll(Duration.ofMillis(200))) {
                    if (r.key() == null) {
                        continue;
                    }
                    if (r.value() == null || !keep.test(r.value())) {
                        out.remove(r.key());
                    } else {
                        out.put(r.key(), r.value());
                    }
                }
            }
        }
        return out;
    }

    private static boolean reached(KafkaConsumer<?, ?> c, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (c.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** Writes a prototype (or a tombstone when value is null) durably: acks=all, idempotent. */
    public void write(String labelId, LabelPrototype value) throws ExecutionException, InterruptedException {
        Properties p = client.newProperties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        try (KafkaProducer<String, LabelPrototype> producer = new KafkaProducer<>(p, Serdes.String().serializer(),
                AvroSerdes.specific(LabelPrototype.class, client.serdeConfig(registry), false).serializer())) {
            producer.send(new ProducerRecord<>(Topics.LABEL_PROTOTYPES, labelId, value)).get();
        }
    }
}
