package org.triage.stream.model;

import java.time.Duration;
import java.util.HashMap;
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
import org.triage.events.ReleaseStatus;
import org.triage.schemas.Topics;
import org.triage.schemas.kafka.KafkaClientProperties;
import org.triage.schemas.serde.AvroSerdes;

/** The release in service, read once from model-releases: the newest PROMOTED one (of a model name, if given). */
public final class PromotedRelease {
    private PromotedRelease() {
    }

    public static Optional<ModelRelease> find(String bootstrap, String registry, KafkaClientProperties client, String modelName,
                                              Duration timeout) {
        Properties p = client.newProperties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<String, ModelRelease> latest = new HashMap<>();
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
                    if (r.key() != null) {
                        if (r.value() == null) {
                            latest.remove(r.key());
                        } else {
                            latest.put(r.key(), r.value());
                        }
                    }
                }
            }
        }
        return latest.values().stream()
                .filter(r -> r.getStatus() == ReleaseStatus.PROMOTED && (modelName == null || modelName.equals(r.getName())))
                .max(java.util.Comparator.comparing(ModelRelease::getCreatedAt));
    }
}
