package org.triage.stream.calibration;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.triage.events.ImageEmbedding;
import org.triage.schemas.Topics;
import org.triage.schemas.kafka.KafkaClientProperties;
import org.triage.schemas.serde.AvroSerdes;

/**
 * Reads the stored embeddings of one model version written since a point in time: the reference
 * population a threshold is calibrated on. Embeddings of other model versions are skipped: they
 * live in another space.
 */
public final class ReferenceEmbeddings {
    private ReferenceEmbeddings() {
    }

    /** Embeddings under {@code modelRef} (name:version) with record timestamps at or after {@code since}, one per SOP UID (the latest). */
    public static List<float[]> read(String bootstrap, String registry, KafkaClientProperties client, String modelRef, Instant since,
                                     Duration timeout) {
        Properties p = client.newProperties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        Map<String, float[]> bySop = new HashMap<>();
        try (KafkaConsumer<String, ImageEmbedding> c = new KafkaConsumer<>(p, new StringDeserializer(),
                AvroSerdes.specific(ImageEmbedding.class, client.serdeConfig(registry), false).deserializer())) {
            List<TopicPartition> parts = c.partitionsFor(Topics.EMBEDDINGS, timeout).stream()
                    .map(pi -> new TopicPartition(pi.topic(), pi.partition())).toList();
            c.assign(parts);
            Map<TopicPartition, Long> query = new HashMap<>();
            parts.forEach(tp -> query.put(tp, since.toEpochMilli()));
            Map<TopicPartition, OffsetAndTimestamp> start = c.offsetsForTimes(query, timeout);
            Map<TopicPartition, Long> end = c.endOffsets(parts, timeout);
            for (TopicPartition tp : parts) {
                OffsetAndTimestamp o = start.get(tp);
                c.seek(tp, o == null ? end.get(tp) : o.offset());
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!caughtUp(c, parts, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("reading " + Topics.EMBEDDINGS + " did not finish within " + timeout.toSeconds() + " s");
                }
                for (ConsumerRecord<String, ImageEmbedding> r : c.poll(Duration.ofMillis(200))) {
                    ImageEmbedding e = r.value();
                    if (e == null || !modelRef.equals(e.getModel().getName() + ":" + e.getModel().getVersion())) {
                        continue;
                    }
                    bySop.put(e.getSopInstanceUid(), vector(e));
                }
            }
        }
        return new ArrayList<>(bySop.values());
    }

    /** The embedding's vector as an array. */
    public static float[] vector(ImageEmbedding e) {
        float[] v = new float[e.getVector().size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = e.getVector().get(i);
        }
        return v;
    }

    /** True once the consumer's position reached {@code end} on every partition. */
    public static boolean caughtUp(KafkaConsumer<?, ?> c, List<TopicPartition> parts, Map<TopicPartition, Long> end) {
        for (TopicPartition tp : parts) {
            if (c.position(tp) < end.get(tp)) {
                return false;
            }
        }
        return true;
    }
}
