package org.triage.trainer.retrain;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.triage.events.ModelRelease;
import org.triage.schemas.Topics;
import org.triage.schemas.kafka.KafkaClientProperties;
import org.triage.schemas.release.ReleaseHistory;
import org.triage.schemas.serde.AvroSerdes;

/**
 * The right to publish a retraining's result: a transactional producer whose transactional.id is
 * fixed per model name ({@code triage-retrain-<name>}). Taking the lease ({@code initTransactions})
 * fences every earlier holder, and the broker refuses a fenced producer's writes, so of two jobs
 * for one model only the one started last can publish; the other learns it at its first write and
 * publishes nothing. A consumer-group lock would instead need a poll loop kept alive through hours
 * of training; fencing needs nothing while the job runs. All writes of one job (the CANDIDATE and,
 * on promotion, the PROMOTED and RETIRED records) go in one transaction: readers (read_committed)
 * see all of them or none.
 */
public final class RetrainLease implements AutoCloseable {
    private final KafkaProducer<String, ModelRelease> producer;
    private final org.apache.kafka.common.serialization.Serde<ModelRelease> serde;
    private final String transactionalId;

    /** Thrown when another retrain of the same model took the lease since. */
    public static final class LeaseLost extends RuntimeException {
        LeaseLost(String message) {
            super(message);
        }
    }

    /** Plain consumer settings (the client's security, the bootstrap servers) for checking what readers see. */
    private final Properties readers;
    private final Duration timeout;

    private RetrainLease(KafkaProducer<String, ModelRelease> producer, org.apache.kafka.common.serialization.Serde<ModelRelease> serde,
                         String transactionalId, Properties readers, Duration timeout) {
        this.producer = producer;
        this.serde = serde;
        this.transactionalId = transactionalId;
        this.readers = readers;
        this.timeout = timeout;
    }

    public static String transactionalId(String modelName) {
        return "triage-retrain-" + modelName;
    }

    /** @throws IllegalStateException when the broker cannot be reached in time */
    public static RetrainLease take(String bootstrap, String registryUrl, KafkaClientProperties client, String modelName, Duration timeout) {
        Properties p = client.newProperties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        String id = transactionalId(modelName);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, id);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout.toMillis());
        // A job trains for hours between taking the lease and writing; the coordinator must not expire an open transaction meanwhile,
        // so the transaction is only begun at publish time.
        var serde = AvroSerdes.specific(ModelRelease.class, client.serdeConfig(registryUrl), false);
        KafkaProducer<String, ModelRelease> producer = new KafkaProducer<>(p, new StringSerializer(), serde.serializer());
        try {
            producer.initTransactions();
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            producer.close(Duration.ZERO);
            serde.close();
            throw new IllegalStateException("cannot reach Kafka at " + bootstrap + " to take the retrain lease within " + timeout.toSeconds() + " s");
        } catch (KafkaException e) {
            producer.close(Duration.ZERO);
            serde.close();
            throw new IllegalStateException("cannot take the retrain lease " + id + ": " + e.getMessage());
        }
        Properties readers = client.newProperties();
        readers.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        readers.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return new RetrainLease(producer, serde, id, readers, timeout);
    }

    public String id() {
        return transactionalId;
    }

    /**
     * Writes the records in order, in one transaction, and returns once read_committed readers see
     * them: the commit returns before the brokers have written its markers, and a `triage models
     * list` run right after "published" must find the release.
     */
    public void publish(List<ModelRelease> records) {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try {
            producer.beginTransaction();
            for (ModelRelease r : records) {
                sent.add(producer.send(new ProducerRecord<>(Topics.MODEL_RELEASES, ReleaseHistory.key(r), r)));
            }
            producer.commitTransaction();
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            throw new LeaseLost("another 'triage retrain' of this model took the lease " + transactionalId + " since this job started; "
                    + "its result wins and this job published nothing");
        } catch (KafkaException e) {
            try {
                producer.abortTransaction();
            } catch (KafkaException ignored) {
                // the abort's failure adds nothing to the first error
            }
            throw new IllegalStateException("cannot write to " + Topics.MODEL_RELEASES + ": " + e.getMessage());
        }
        awaitVisible(sent);
    }

    private void awaitVisible(List<Future<RecordMetadata>> sent) {
        Map<TopicPartition, Long> needed = new HashMap<>();
        try {
            for (Future<RecordMetadata> f : sent) {
                RecordMetadata m = f.get();
                needed.merge(new TopicPartition(m.topic(), m.partition()), m.offset() + 1, Math::max);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted after publishing to " + Topics.MODEL_RELEASES, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot write to " + Topics.MODEL_RELEASES + ": " + e.getCause().getMessage());
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(readers, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            while (true) {
                Map<TopicPartition, Long> stable = c.endOffsets(needed.keySet(), timeout); // the last stable offsets, read_committed
                if (needed.entrySet().stream().allMatch(e -> stable.getOrDefault(e.getKey(), 0L) >= e.getValue())) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("published to " + Topics.MODEL_RELEASES + ", but readers did not see it within "
                            + timeout.toSeconds() + " s");
                }
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted after publishing to " + Topics.MODEL_RELEASES, e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
        serde.close();
    }
}
