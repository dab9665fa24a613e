package org.triage.platform;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicExistsException;
import org.triage.schemas.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the architecture's topics with the configs they need. Idempotent: topics that exist are left
 * as they are (their configs are not rewritten: an operator may have tuned them).
 */
public final class TopicProvisioner {
    private static final Logger log = LoggerFactory.getLogger(TopicProvisioner.class);
    /** Radiographs travel inline, so their topics take records far above Kafka's 1 MiB default: the largest ingest emits. */
    public static final int RADIOGRAPH_MAX_MESSAGE_BYTES = org.triage.schemas.RecordSizes.MAX_REQUEST_BYTES;

    private final int partitions;
    private final ReplicationPolicy replication;
    private final String radiographRetentionMs;

    /**
     * @param partitions partitions per topic (compacted topics keyed by label or model name included)
     * @param replicationFactor empty = the broker's default.replication.factor; 3 or more also sets
     *        min.insync.replicas=2 on every topic ({@link ReplicationPolicy#of})
     * @param radiographRetentionMs retention of the radiographs topic, the retraining source; -1 = forever
     */
    public TopicProvisioner(int partitions, Optional<Short> replicationFactor, long radiographRetentionMs) {
        this(partitions, ReplicationPolicy.of(replicationFactor), radiographRetentionMs);
    }

    public TopicProvisioner(int partitions, ReplicationPolicy replication, long radiographRetentionMs) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
        }
        this.partitions = partitions;
        this.replication = replication;
        this.radiographRetentionMs = String.valueOf(radiographRetentionMs);
    }

    /** The architecture's topics as durable as a cluster of {@code brokers} allows (RF 3, min ISR 2 from 3 on). */
    public static TopicProvisioner forBrokers(int partitions, int brokers) {
        return new TopicProvisioner(partitions, brokers == 1 ? ReplicationPolicy.brokerDefaults() : ReplicationPolicy.forBrokers(brokers), -1L);
    }

    /** Local defaults: the given partitions, the broker's replication factor, radiographs kept forever. */
    public TopicProvisioner(int partitions) {
        this(partitions, Optional.empty(), -1L);
    }

    /** The configs each topic of {@link Topics#ALL} is created with. */
    public Map<String, Map<String, String>> topicConfigs() {
        Map<String, Map<String, String>> out = new HashMap<>();
        for (String t : Topics.ALL) {
            out.put(t, Map.of());
        }
        out.put(Topics.RADIOGRAPHS, Map.of(
                "retention.ms", radiographRetentionMs,
                "max.message.bytes", String.valueOf(RADIOGRAPH_MAX_MESSAGE_BYTES)));
        // The lane holds a film only until the stream scored it and copied it to radiographs; a week covers any outage.
        out.put(Topics.RADIOGRAPHS_STAT, Map.of(
                "retention.ms", String.valueOf(java.time.Duration.ofDays(7).toMillis()),
                "max.message.bytes", String.valueOf(RADIOGRAPH_MAX_MESSAGE_BYTES)));
        out.put(Topics.RADIOGRAPHS_DLQ, Map.of(
                "max.message.bytes", String.valueOf(RADIOGRAPH_MAX_MESSAGE_BYTES)));
        out.put(Topics.LABEL_PROTOTYPES, Map.of("cleanup.policy", "compact"));
        out.put(Topics.MODEL_RELEASES, Map.of("cleanup.policy", "compact"));
        out.put(Topics.THUMBNAILS, Map.of("cleanup.policy", "compact"));
        out.put(Topics.STUDY_RESULTS, Map.of("cleanup.policy", "compact"));
        out.replaceAll((name, configs) -> {
            Map<String, String> withReplication = new HashMap<>(configs);
            withReplication.putAll(replication.topicConfigs());
            return Map.copyOf(withReplication);
        });
        return out;
    }

    /** Creates whatever is missing; returns the topics this call created. */
    public List<String> provision(Admin admin, long timeoutMs) {
        List<NewTopic> wanted = new ArrayList<>();
        topicConfigs().forEach((name, configs) ->
                wanted.add(new NewTopic(name, Optional.of(partitions), replication.replicationFactor()).configs(configs)));
        Map<String, KafkaFuture<Void>> results = admin.createTopics(wanted).values();
        List<String> created = new ArrayList<>();
        long deadline = System.currentTimeMillis() + timeoutMs;
        for (var e : results.entrySet()) {
            try {
                e.getValue().get(Math.max(1, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
                created.add(e.getKey());
            } catch (ExecutionException ex) {
                if (!(ex.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("cannot create topic " + e.getKey() + ": " + ex.getCause().getMessage(), ex.getCause());
                }
            } catch (TimeoutException ex) {
                throw new IllegalStateException("Kafka did not create topic " + e.getKey() + " within " + timeoutMs + " ms", ex);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while creating topics", ex);
            }
        }
        if (!created.isEmpty()) {
            log.info("Created topics {}", Set.copyOf(created));
        }
        return created;
    }
}
