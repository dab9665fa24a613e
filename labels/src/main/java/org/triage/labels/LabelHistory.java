package org.triage.labels;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.kafka.common.serialization.Serde;
import org.triage.events.ConfirmedLabels;
import org.triage.schemas.Topics;
import org.triage.schemas.kafka.LatestByKey;
import org.triage.schemas.serde.AvroSerdes;

/**
 * The confirmation that counts per film: each record on {@code labels} is a full statement about
 * its film, so a later one (by offset, within the film's partition) supersedes an earlier one.
 */
public final class LabelHistory implements LatestConfirmation {
    private final KafkaEndpoint endpoint;
    private final Duration timeout;

    public LabelHistory(KafkaEndpoint endpoint, Duration timeout) {
        this.endpoint = endpoint;
        this.timeout = timeout;
    }

    /** Latest confirmation per SOP UID among those {@code films} accepts, ordered by SOP UID. */
    public Map<String, ConfirmedLabels> latest(Predicate<String> films) {
        try (Serde<ConfirmedLabels> serde = AvroSerdes.specific(ConfirmedLabels.class, endpoint.serdeConfig(), false)) {
            return LatestByKey.values(endpoint.clientProperties(), Topics.LABELS, serde.deserializer(), timeout, films);
        }
    }

    /** One film's latest confirmation (one read of the topic, keeping only that key). */
    @Override
    public Optional<ConfirmedLabels> of(String sop) {
        return Optional.ofNullable(latest(sop::equals).get(sop));
    }
}
