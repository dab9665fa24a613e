package org.triage.stream.cli;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.triage.events.LabelPrototype;
import org.triage.schemas.Topics;
import org.triage.schemas.kafka.KafkaClientProperties;
import org.triage.schemas.kafka.LatestByKey;
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
        try {
            return LatestByKey.values(p, topic, AvroSerdes.specific(type, client.serdeConfig(registry), false).deserializer(), timeout,
                    k -> true, keep);
        } catch (LatestByKey.TopicReadException e) {
            // A topic nobody created yet simply holds nothing (callers have always read it that way).
            if (e.missingTopic()) return new java.util.TreeMap<>();
            throw new IllegalStateException(e.getMessage(), e);
        }
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
