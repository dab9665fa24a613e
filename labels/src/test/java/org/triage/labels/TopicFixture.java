package org.triage.labels;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.triage.events.AlertPolicy;
import org.triage.events.ConfirmedLabels;
import org.triage.events.LabelPrototype;
import org.triage.events.PrototypeKind;
import org.triage.events.Severity;
import org.triage.events.ThresholdMode;
import org.triage.platform.LocalStack;
import org.triage.schemas.Topics;
import org.triage.schemas.serde.AvroSerdes;

/** Seeds prototypes and findings on a real stack and reads back what landed on {@code labels}. */
final class TopicFixture {
    private final LocalStack stack;

    TopicFixture(LocalStack stack) {
        this.stack = stack;
    }

    void prototype(String id) throws Exception {
        writePrototype(id, LabelPrototype.newBuilder().setLabelId(id).setDisplayName(id).setVector(List.of(0.1f, 0.2f))
                .setVectorEncoder("test").setDimension(2).setKind(PrototypeKind.SEEN)
                .setAlertPolicy(AlertPolicy.newBuilder().setMode(ThresholdMode.NEVER).build()).setSeverity(Severity.MEDIUM)
                .setAuthor("test").setVersion(1).setCreatedAt(Instant.now()).setUpdatedAt(Instant.now()).build());
    }

    /** A tombstone: the label is retired. */
    void retire(String id) throws Exception {
        writePrototype(id, null);
    }

    private void writePrototype(String id, LabelPrototype p) throws Exception {
        try (Serde<LabelPrototype> serde = AvroSerdes.specific(LabelPrototype.class, stack.schemaRegistryUrl(), false);
             KafkaProducer<String, LabelPrototype> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                     stack.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), serde.serializer())) {
            producer.send(new ProducerRecord<>(Topics.LABEL_PROTOTYPES, id, p)).get();
        }
    }

    /**
     * A film the stream has scored. The value is opaque bytes on purpose: {@link KnownFilms}
     * must look at keys only, so it would fail here if it tried to decode findings.
     */
    void film(String sop) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                stack.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.FINDINGS, sop, new byte[] {1, 2, 3})).get();
        }
    }

    /** A record read back from {@code labels}: key, decoded value, and the raw bytes' first byte. */
    record Landed(String key, ConfirmedLabels value, byte magic, long offset) {
    }

    /** Every record on {@code labels}, oldest first per partition (tests use one film per partition order). */
    List<Landed> labels() {
        List<Landed> out = new ArrayList<>();
        try (Serde<ConfirmedLabels> serde = AvroSerdes.specific(ConfirmedLabels.class, stack.schemaRegistryUrl(), false);
             KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()),
                     new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(Topics.LABELS, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) throw new AssertionError("could not read labels to its end");
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    out.add(new Landed(r.key(), serde.deserializer().deserialize(r.topic(), r.value()), r.value()[0], r.offset()));
                }
            }
        }
        return out;
    }

    /** The records on {@code labels} for one film, in write order. */
    List<Landed> labelsFor(String sop) {
        return labels().stream().filter(l -> sop.equals(l.key())).sorted(java.util.Comparator.comparingLong(Landed::offset)).toList();
    }
}
