package org.triage.platform.registry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.triage.platform.ReplicationPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's log kept in a compacted single-partition Kafka topic, like Confluent's {@code _schemas}.
 * A read_committed consumer thread tails the topic and applies every committed record.
 *
 * <p>Writes go through one transactional producer whose {@code transactional.id} is derived from the topic
 * name, so every registry instance on the topic shares it. Kafka's transaction coordinator lets only the
 * producer that initialised last commit: {@code initTransactions()} fences every older one. A write begins a
 * transaction, catches up to the last stable offset (everything committed so far), decides, sends and
 * commits. If another instance initialised in the meantime, our send or commit fails as fenced, nothing of
 * ours is visible, and we initialise again (fencing it in turn) and redo the whole write on the newer state.
 * So a committed write was always decided on the complete log: one id can never name two schemas, whatever
 * compaction later removes. This replaces Confluent's leader election with the coordinator's fencing.
 */
public final class KafkaSchemaLog implements SchemaLog {
    private static final Logger log = LoggerFactory.getLogger(KafkaSchemaLog.class);
    /** Fencing ping-pong between instances settles within a few rounds; the deadline bounds it anyway. */
    private static final int WRITE_ATTEMPTS = 20;
    /** A schema record holds at most one request body (SchemaRegistryServer.MAX_BODY_BYTES) plus framing. */
    static final int MAX_RECORD_BYTES = org.triage.schemas.RecordSizes.MAX_REQUEST_BYTES;

    private final String topic;
    private final TopicPartition partition;
    private final Duration timeout;
    private final Admin admin;
    private final Map<String, Object> producerProps;
    private final Object writeLock = new Object();
    private KafkaProducer<byte[], byte[]> producer; // guarded by writeLock; null until the first write
    private final AtomicLong fencedRetries = new AtomicLong();
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Object progress = new Object();
    private long position; // next offset the tail will apply; guarded by progress
    private volatile boolean closed;
    private volatile Throwable tailFailure;
    private Thread tail;

    public KafkaSchemaLog(String bootstrapServers, String topic, Map<String, Object> clientOverrides, Duration timeout) {
        this.topic = topic;
        this.partition = new TopicPartition(topic, 0);
        this.timeout = timeout;
        Map<String, Object> common = new HashMap<>();
        common.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        common.putAll(clientOverrides);

        Map<String, Object> adminProps = new HashMap<>(common);
        adminProps.put(AdminClientConfig.CLIENT_ID_CONFIG, "schema-registry-admin");
        this.admin = Admin.create(adminProps);

        Map<String, Object> producerProps = new HashMap<>(common);
        producerProps.put(ProducerConfig.CLIENT_ID_CONFIG, "schema-registry-writer");
        producerProps.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId(topic));
        // An instance that dies inside a write holds back read_committed readers until the next writer fences
        // it or this timeout aborts the transaction; a write takes milliseconds, so keep it short.
        producerProps.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) Math.min(Math.max(timeout.toMillis(), 10_000), 60_000));
        producerProps.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout.toMillis());
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerProps.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_RECORD_BYTES);
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        producerProps.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(timeout.toMillis(), 30_000));
        producerProps.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 30_000));
        this.producerProps = producerProps;

        Map<String, Object> consumerProps = new HashMap<>(common);
        consumerProps.put(ConsumerConfig.CLIENT_ID_CONFIG, "schema-registry-tail");
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerProps.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        this.consumer = new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** Shared by every registry instance on {@code topic}: that is what makes them fence each other. */
    static String transactionalId(String topic) {
        return "triage-schema-registry-" + topic;
    }

    @Override
    public void start(BiConsumer<byte[], byte[]> applier) {
        ensureTopic();
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));
        tail = new Thread(() -> tail(applier), "schema-registry-tail");
        tail.setDaemon(true);
        tail.start();
        catchUp();
    }

    private void ensureTopic() {
        try {
            // Existing topics are left as they are (createTopics refuses them); a new one is as durable as the
            // cluster allows: three replicas, two in sync, from three brokers on.
            int brokers = admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS).size();
            ReplicationPolicy replication = brokers == 1 ? ReplicationPolicy.brokerDefaults() : ReplicationPolicy.forBrokers(brokers);
            Map<String, String> configs = new HashMap<>(replication.topicConfigs());
            configs.put("cleanup.policy", "compact");
            configs.put("max.message.bytes", String.valueOf(MAX_RECORD_BYTES));
            NewTopic t = new NewTopic(topic, Optional.of(1), replication.replicationFactor()).configs(configs);
            admin.createTopics(List.of(t)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            log.info("Created schema topic {}", topic);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create the schema topic " + topic + ": " + e.getCause().getMessage(), e.getCause());
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka did not answer within " + timeout.toSeconds() + " s while creating " + topic, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private void tail(BiConsumer<byte[], byte[]> applier) {
        while (!closed) {
            try {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    try {
                        applier.accept(r.key(), r.value());
                    } catch (RuntimeException e) {
                        // A record we cannot read must not stop the registry: every instance skips it alike.
                        log.warn("Skipping unreadable {} record at offset {}: {}", topic, r.offset(), e.toString());
                    }
                }
                long p = consumer.position(partition);
                synchronized (progress) {
                    position = p;
                    tailFailure = null;
                    progress.notifyAll();
                }
            } catch (WakeupException e) {
                // close() woke us
            } catch (RuntimeException e) {
                if (closed) {
                    break;
                }
                tailFailure = e;
                log.warn("Reading {} failed, retrying: {}", topic, e.toString());
                sleep(500);
            }
        }
        consumer.close(Duration.ofSeconds(2));
    }

    @Override
    public <T> T write(Supplier<Write<T>> decide) {
        synchronized (writeLock) {
            long deadline = System.nanoTime() + timeout.toNanos();
            RuntimeException last = null;
            for (int attempt = 1; attempt <= WRITE_ATTEMPTS && System.nanoTime() < deadline; attempt++) {
                try {
                    KafkaProducer<byte[], byte[]> p = producer();
                    p.beginTransaction();
                    Write<T> w;
                    try {
                        catchUp();
                        w = decide.get();
                    } catch (RuntimeException refused) {
                        p.abortTransaction(); // nothing was sent: the abort is local
                        throw refused;
                    }
                    if (w.records().isEmpty()) {
                        p.abortTransaction();
                        return w.result();
                    }
                    List<Future<RecordMetadata>> sent = new ArrayList<>();
                    for (Entry e : w.records()) {
                        sent.add(p.send(new ProducerRecord<>(topic, 0, e.key(), e.value())));
                    }
                    p.commitTransaction();
                    long lastOffset = -1;
                    for (Future<RecordMetadata> f : sent) {
                        lastOffset = Math.max(lastOffset, f.get().offset());
                    }
                    awaitPosition(lastOffset + 1);
                    return w.result();
                } catch (RegistryException e) {
                    throw e;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    discardProducer();
                    throw new RegistryException(500, RegistryException.STORE_ERROR, "Interrupted while writing to the schema log");
                } catch (ExecutionException | KafkaException e) {
                    // Fenced by another instance (the usual case), or an outcome we cannot know (a timeout):
                    // either way a fresh producer's initTransactions settles the old transaction, and the
                    // write is decided again on whatever is committed by then.
                    last = e instanceof ExecutionException ? new KafkaException(e.getCause()) : (KafkaException) e;
                    if (isFenced(e)) {
                        fencedRetries.incrementAndGet();
                        log.debug("schema log write fenced by another registry instance (attempt {}), retrying", attempt);
                    } else {
                        log.warn("schema log write failed (attempt {}), retrying: {}", attempt, rootMessage(e));
                    }
                    discardProducer();
                    if (isFatal(e)) {
                        break;
                    }
                    backOff(attempt);
                }
            }
            throw new RegistryException(500, RegistryException.STORE_ERROR, "Error while writing to the schema log"
                    + (last == null ? ": timed out" : ": " + rootMessage(last)));
        }
    }

    /** The transactional writer, initialised on first use; initialising fences every other instance's writer. */
    private KafkaProducer<byte[], byte[]> producer() {
        if (producer == null) {
            KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer());
            try {
                p.initTransactions();
            } catch (RuntimeException e) {
                p.close(Duration.ZERO);
                throw e;
            }
            producer = p;
        }
        return producer;
    }

    private void discardProducer() {
        if (producer != null) {
            producer.close(Duration.ZERO);
            producer = null;
        }
    }

    private static boolean isFenced(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ProducerFencedException || t instanceof InvalidProducerEpochException) {
                return true;
            }
        }
        return false;
    }

    /** Errors no retry can cure: waiting would only delay the error the client gets. */
    private static boolean isFatal(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof AuthorizationException || t instanceof AuthenticationException || t instanceof UnsupportedVersionException) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    /** Random, growing pauses, so that two instances fencing each other do not keep colliding in step. */
    private static void backOff(int attempt) {
        sleep(ThreadLocalRandom.current().nextLong(10, 40L * Math.min(attempt, 8) + 11));
    }

    /** How many writes had to be redone because another instance fenced this one (for tests and logs). */
    long fencedRetries() {
        return fencedRetries.get();
    }

    @Override
    public void catchUp() {
        awaitPosition(endOffset());
    }

    /**
     * The last stable offset: everything below it is committed or aborted. A read_committed reader cannot pass
     * it while a transaction is open, so waiting for the high watermark instead could hang on another
     * instance's unfinished write. Retried while the topic's metadata is still propagating (just created, leader moving). */
    private long endOffset() {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            try {
                return admin.listOffsets(Map.of(partition, OffsetSpec.latest()), new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                        .partitionResult(partition)
                        .get(Math.max(1, left), TimeUnit.MILLISECONDS).offset();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof RetriableException) || left <= 0 || closed) {
                    throw new RegistryException(500, RegistryException.STORE_ERROR, "Cannot read the end of the schema log: " + e.getCause());
                }
                sleep(100);
            } catch (TimeoutException e) {
                throw new RegistryException(500, RegistryException.STORE_TIMEOUT, "Timed out reading the end of the schema log");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryException(500, RegistryException.STORE_ERROR, "Interrupted while reading the schema log");
            }
        }
    }

    private void awaitPosition(long target) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (progress) {
            while (position < target) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || closed) {
                    Throwable cause = tailFailure;
                    throw new RegistryException(500, RegistryException.STORE_TIMEOUT, "Timed out catching up with the schema log"
                            + (cause == null ? "" : ": " + cause.getMessage()));
                }
                try {
                    progress.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new RegistryException(500, RegistryException.STORE_ERROR, "Interrupted while catching up");
                }
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        consumer.wakeup();
        if (tail != null) {
            try {
                tail.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else {
            consumer.close(Duration.ofSeconds(2));
        }
        synchronized (writeLock) {
            if (producer != null) {
                producer.close(Duration.ofSeconds(5));
                producer = null;
            }
        }
        admin.close(Duration.ofSeconds(5));
        synchronized (progress) {
            progress.notifyAll();
        }
    }
}
