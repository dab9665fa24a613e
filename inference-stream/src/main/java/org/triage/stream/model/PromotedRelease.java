package org.triage.stream.model;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.triage.events.ModelRelease;
import org.triage.schemas.Topics;
import org.triage.schemas.kafka.KafkaClientProperties;
import org.triage.schemas.release.ReleaseHistory;
import org.triage.schemas.serde.AvroSerdes;

/**
 * The release in service, read once from model-releases: the PROMOTED one (of a model name, if
 * given) whose status changed last, as {@link ReleaseHistory} decides.
 */
public final class PromotedRelease {
    private PromotedRelease() {
    }

    public static Optional<ModelRelease> find(String bootstrap, String registry, KafkaClientProperties client, String modelName,
                                              Duration timeout) {
        Properties p = client.newProperties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        ReleaseHistory history = new ReleaseHistory();
        try (KafkaConsumer<String, ModelRelease> c = new KafkaConsumer<>(p, new StringDeserializer(),
                AvroSerdes.specific(ModelRelease.class, client.serdeConfig(registry), false).deserializer())) {
            List<TopicPartition> parts = c.partitionsFor(Topics.MODEL_RELEASES, timeout).stream()
                    .map(pi -> new TopicPartition(pi.topic(), pi.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts, timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, ModelRelease> r : c.poll(Duration.ofMillis(200))) {
                    history.accept(r.key(), r.value());
                }
            }
        }
        return history.promoted(modelName);
    }
}
