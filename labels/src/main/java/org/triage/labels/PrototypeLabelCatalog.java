package org.triage.labels;

import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.serialization.Serde;
import org.triage.events.LabelPrototype;
import org.triage.schemas.Topics;
import org.triage.schemas.kafka.LatestByKey;
import org.triage.schemas.serde.AvroSerdes;

/**
 * Reads the compacted {@code label-prototypes} topic on every call: the latest record per label
 * id, a tombstone meaning retired. Cheap enough for a CLI run; a long-running service wraps it
 * in {@link CachedLabelCatalog}.
 */
public final class PrototypeLabelCatalog implements LabelCatalog {
    private final KafkaEndpoint endpoint;
    private final Duration timeout;

    public PrototypeLabelCatalog(KafkaEndpoint endpoint, Duration timeout) {
        this.endpoint = endpoint;
        this.timeout = timeout;
    }

    @Override
    public Set<String> activeLabels() {
        try (Serde<LabelPrototype> serde = AvroSerdes.specific(LabelPrototype.class, endpoint.serdeConfig(), false)) {
            try {
                return new TreeSet<>(LatestByKey.values(endpoint.clientProperties(), Topics.LABEL_PROTOTYPES, serde.deserializer(), timeout,
                        k -> true).keySet());
            } catch (LatestByKey.TopicReadException e) {
                // No prototypes topic yet means no labels yet: every label is then unknown, and the message says so.
                if (e.missingTopic()) return Set.of();
                throw e;
            }
        }
    }
}
