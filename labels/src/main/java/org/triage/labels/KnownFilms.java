package org.triage.labels;

import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import org.triage.schemas.Topics;
import org.triage.schemas.kafka.LatestByKey;

/**
 * A film exists when the stream scored it: its SOP Instance UID is a key of {@code findings}.
 * One read of that topic answers a whole batch (a CSV import); only keys are looked at, and only
 * the asked-for ones are kept, so memory is bounded by the question, not by the topic. The
 * {@code radiographs} topic is never read: it holds pixel data.
 */
public final class KnownFilms implements FilmLookup {
    private final KafkaEndpoint endpoint;
    private final Duration timeout;

    public KnownFilms(KafkaEndpoint endpoint, Duration timeout) {
        this.endpoint = endpoint;
        this.timeout = timeout;
    }

    @Override
    public Set<String> unknown(Collection<String> sops) {
        Set<String> wanted = new HashSet<>(sops);
        if (wanted.isEmpty()) return Set.of();
        Set<String> found;
        try {
            found = LatestByKey.keys(endpoint.clientProperties(), Topics.FINDINGS, timeout, wanted::contains);
        } catch (LatestByKey.TopicReadException e) {
            if (!e.missingTopic()) throw e;
            found = Set.of();
        }
        wanted.removeAll(found);
        return wanted;
    }
}
