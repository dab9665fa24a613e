package org.triage.stream.cli;

import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import org.triage.events.Alert;
import org.triage.events.AlertType;
import org.triage.schemas.Topics;
import org.triage.schemas.kafka.KafkaClientProperties;

/** Finds a novelty cluster, as its latest NOVELTY_CLUSTER alert describes it, on the alerts topic. */
final class ClusterLookup {
    private ClusterLookup() {
    }

    static Optional<Alert> latest(String bootstrap, String registry, KafkaClientProperties client, String clusterId, Duration timeout) {
        Map<String, Alert> found = PrototypeRepository.latest(bootstrap, registry, client, Topics.ALERTS, Alert.class, timeout,
                a -> a.getType() == AlertType.NOVELTY_CLUSTER && a.getCluster() != null
                        && a.getCluster().getClusterId().toString().equals(clusterId));
        return found.values().stream().max(Comparator.comparingInt(a -> a.getCluster().getSize()));
    }
}
