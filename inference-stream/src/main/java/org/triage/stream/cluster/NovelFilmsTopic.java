package org.triage.stream.cluster;

import java.util.Map;
import java.util.Optional;
import org.triage.schemas.kafka.KafkaClientProperties;
import org.triage.stream.topology.OwnTopic;

/**
 * Creates the clusterer's input topic before the stream starts. One partition, so one task orders every novel film;
 * retention beyond the clustering window, since the clusterer's state, not this topic, is what lasts.
 */
public final class NovelFilmsTopic {
    private NovelFilmsTopic() {
    }

    /**
     * @param replicationFactor empty: the broker's default (as Streams does for its own topics)
     */
    public static void ensure(String bootstrapServers, KafkaClientProperties client, ClusterSettings settings,
                              Optional<Short> replicationFactor) {
        long retention = settings.window().toMillis() + java.time.Duration.ofDays(1).toMillis();
        OwnTopic.ensure(bootstrapServers, client, settings.topic(), 1, Map.of("retention.ms", Long.toString(retention)),
                replicationFactor, "the novelty clusterer (or disable clustering)");
    }
}
