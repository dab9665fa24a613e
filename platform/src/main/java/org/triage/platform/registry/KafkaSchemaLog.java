package org.triage.platform.registry;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's log kept in a compacted single-partition Kafka topic, like Confluent's {@code _schemas}.
 * A consumer thread tails the topic and applies every record; writers append with acks=all and then wait
 * until their own record has come back through the tail, so the local state always reflects the log order.
 */
public final class KafkaSchemaLog implements SchemaLog {
    private static final Logger log = LoggerFactory.getLogger(KafkaSchemaLog.class);
    static final int MAX_RECORD_BYTES = 16 * 1024 * 1024; // TODO RecordSizes

    private final String topic;
    private final TopicPartition partition;
    private final Duration timeout;
    private final Admin admin;
    private final KafkaProducer<byte[], byte[]> producer;
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
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerProps.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_RECORD_BYTES);
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        producerProps.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(timeout.toMillis(), 30_000));
        producerProps.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 30_000));
        this.producer = new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer());

        Map<String, Object> consumerProps = new HashMap<>(common);
        consumerProps.put(ConsumerConfig.CLIENT_ID_CONFIG, "schema-registry-tail");
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerProps.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        this.consumer = new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer());
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
        NewTopic t = new NewTopic(topic, Optional.of(1), Optional.empty()).configs(Map.of(
                "cleanup.policy", "compact",
                "max.message.bytes", String.valueOf(MAX_RECORD_BYTES)));
        try {
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
    public long append(byte[] key, byte[] value) {
        try {
            return producer.send(new ProducerRecord<>(topic, 0, key, value)).get(timeout.toMillis(), TimeUnit.MILLISECONDS).offset();
        } catch (ExecutionException e) {
            throw new RegistryException(500, RegistryException.STORE_ERROR, "Error while writing to the schema log: " + e.getCause().getMessage());
        } catch (TimeoutException e) {
            throw new RegistryException(500, RegistryException.STORE_TIMEOUT, "Timed out writing to the schema log");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException(500, RegistryException.STORE_ERROR, "Interrupted while writing to the schema log");
        }
    }

    @Override
    public void awaitApplied(long offset) {
        awaitPosition(offset + 1);
    }

    @Override
    public void catchUp() {
        awaitPosition(endOffset());
    }

    /** The log's end offset; retried while the topic's metadata is still propagating (just created, leader moving). */
    private long endOffset() {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            try {
                return admin.listOffsets(Map.of(partition, OffsetSpec.latest())).partitionResult(partition)
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
        producer.close(Duration.ofSeconds(5));
        admin.close(Duration.ofSeconds(5));
        synchronized (progress) {
            progress.notifyAll();
        }
    }
}
