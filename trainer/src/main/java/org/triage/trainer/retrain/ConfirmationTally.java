package org.triage.trainer.retrain;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.triage.events.ConfirmedLabels;
import org.triage.schemas.Topics;
import org.triage.schemas.kafka.KafkaClientProperties;
import org.triage.schemas.kafka.TopicRecords;
import org.triage.schemas.serde.AvroSerdes;

/**
 * The {@code labels} topic counted for {@link RetrainTrigger}: confirmation records past a baseline
 * (records, not offset differences: transaction markers take offsets too) and confirmed positives
 * per label over the latest confirmation of each film.
 */
public final class ConfirmationTally {
    private final String bootstrap;
    private final String registryUrl;
    private final KafkaClientProperties client;
    private final Duration timeout;

    public ConfirmationTally(String bootstrap, String registryUrl, KafkaClientProperties client, Duration timeout) {
        this.bootstrap = bootstrap;
        this.registryUrl = registryUrl;
        this.client = client;
        this.timeout = timeout;
    }

    /** @param baseline {@code labels-N -> offset}: records at or past it are new; a partition it lacks is new from 0 */
    public RetrainTrigger.LabelsState count(TopicOffsets baseline) {
        Properties p = client.newProperties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        Map<String, ConfirmedLabels> latest = new LinkedHashMap<>();
        int fresh = 0;
        try (var serde = AvroSerdes.specific(ConfirmedLabels.class, client.serdeConfig(registryUrl), false)) {
            var deser = serde.deserializer();
            for (ConsumerRecord<String, byte[]> r : TopicRecords.all(p, Topics.LABELS, new ByteArrayDeserializer(), timeout)) {
                if (r.value() == null) {
                    continue;
                }
                // As the job's own snapshot reads them: a record that does not deserialize (or a registry that is down) stops the check.
                ConfirmedLabels c = deser.deserialize(r.topic(), r.value());
                if (r.offset() >= baseline.end(new TopicPartition(r.topic(), r.partition())).orElse(0)) {
                    fresh++;
                }
                latest.put(c.getSopInstanceUid(), c);
            }
        }
        Map<String, Integer> positives = new HashMap<>();
        for (ConfirmedLabels c : latest.values()) {
            c.getLabels().forEach(l -> positives.merge(l, 1, Integer::sum));
        }
        return new RetrainTrigger.LabelsState(fresh, positives);
    }
}
