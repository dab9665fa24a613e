package org.triage.trainer.lifecycle;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.triage.events.ModelRelease;
import org.triage.schemas.Topics;
import org.triage.schemas.kafka.KafkaClientProperties;
import org.triage.schemas.release.ReleaseHistory;
import org.triage.schemas.serde.AvroSerdes;

/** model-releases as the lifecycle sees it: read whole into a {@link ReleaseHistory}, written one state at a time. */
public final class ReleaseLog {
    private final String bootstrap;
    private final String registry;
    private final KafkaClientProperties client;
    private final Duration timeout;

    public ReleaseLog(String bootstrap, String registry, KafkaClientProperties client, Duration timeout) {
        this.bootstrap = bootstrap;
        this.registry = registry;
        this.client = client;
        this.timeout = timeout;
    }

    /** Everything on the topic up to its end at the time of the call. */
    public ReleaseHistory read() {
        Properties p = client.newProperties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        ReleaseHistory history = new ReleaseHistory();
        try (var serde = AvroSerdes.specific(ModelRelease.class, client.serdeConfig(registry), false);
             KafkaConsumer<String, ModelRelease> c = new KafkaConsumer<>(p, new StringDeserializer(), serde.deserializer())) {
            List<TopicPartition> parts = c.partitionsFor(Topics.MODEL_RELEASES, timeout).stream()
                    .map(pi -> new TopicPartition(pi.topic(), pi.partition())).toList();
            if (parts.isEmpty()) {
                throw new IllegalStateException("topic " + Topics.MODEL_RELEASES + " does not exist at " + bootstrap + "; run 'triage topics create'");
            }
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts, timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + Topics.MODEL_RELEASES + " to its end within " + timeout.toSeconds() + " s");
                }
                for (ConsumerRecord<String, ModelRelease> r : c.poll(Duration.ofMillis(200))) {
                    history.accept(r.key(), r.value());
                }
            }
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new IllegalStateException("cannot reach Kafka at " + bootstrap + " within " + timeout.toSeconds() + " s", e);
        }
        return history;
    }

    /** Sends the records in order, keyed name:version, and waits for the broker to acknowledge each. */
    public void write(List<ModelRelease> records) {
        if (records.isEmpty()) {
            return;
        }
        Properties p = client.newProperties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "triage-models");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout.toMillis());
        try (var serde = AvroSerdes.specific(ModelRelease.class, client.serdeConfig(registry), false);
             KafkaProducer<String, ModelRelease> producer = new KafkaProducer<>(p, new StringSerializer(), serde.serializer())) {
            for (ModelRelease r : records) {
                // One at a time: the PROMOTED record must be on the topic before the RETIRED one (see ModelLifecycle).
                producer.send(new ProducerRecord<>(Topics.MODEL_RELEASES, ReleaseHistory.key(r), r))
                        .get(timeout.toMillis() + 30_000, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing to " + Topics.MODEL_RELEASES, e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("cannot write to " + Topics.MODEL_RELEASES + " at " + bootstrap + ": " + cause.getMessage(), cause);
        }
    }
}
