package org.triage.platform;

import java.util.Map;
import java.util.Optional;

/**
 * How many copies a durable topic keeps and how many must acknowledge a write: the one place that decides
 * {@code min.insync.replicas}, for the architecture's topics and the registry's {@code _schemas} alike.
 *
 * <p>With three replicas, two in sync: an {@code acks=all} write survives the loss of any one broker, and the
 * topic stays writable while one is down. With fewer replicas the broker's own default applies.
 */
public record ReplicationPolicy(Optional<Short> replicationFactor, Optional<Integer> minInsyncReplicas) {

    /** The broker's {@code default.replication.factor} and {@code min.insync.replicas}: what a single node uses. */
    public static ReplicationPolicy brokerDefaults() {
        return new ReplicationPolicy(Optional.empty(), Optional.empty());
    }

    /** A given replication factor (empty = broker default); three or more replicas get min.insync.replicas=2. */
    public static ReplicationPolicy of(Optional<Short> replicationFactor) {
        Optional<Integer> minIsr = replicationFactor.filter(rf -> rf >= 3).map(rf -> 2);
        return new ReplicationPolicy(replicationFactor, minIsr);
    }

    /** What a cluster of {@code brokers} affords: up to three replicas. */
    public static ReplicationPolicy forBrokers(int brokers) {
        if (brokers < 1) {
            throw new IllegalArgumentException("a cluster has at least one broker, got " + brokers);
        }
        return of(Optional.of((short) Math.min(brokers, 3)));
    }

    /** The topic-level configs this policy adds (possibly none). */
    public Map<String, String> topicConfigs() {
        return minInsyncReplicas.map(n -> Map.of("min.insync.replicas", String.valueOf(n))).orElse(Map.of());
    }
}
