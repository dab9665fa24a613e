package org.triage.alerts.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triage.schemas.kafka.KafkaClientProperties;

/**
 * Follows one compacted topic into a cache of the page's (thumbnails, study results). Like the alert consumer it
 * assigns partitions by hand from the beginning (every instance needs every record, nothing is committed) and looks
 * for the topic and new partitions periodically, so the service may start first. What it follows is a convenience
 * for the page: errors (a broker away, a record that does not decode) are counted, logged and retried, never fatal.
 */
public final class TopicFollower<V> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TopicFollower.class);

    private final String topic;
    private final String metricPrefix;
    private final Properties props;
    private final Deserializer<V> values;
    private final BiConsumer<String, V> sink;
    private final Duration refreshInterval;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Set<TopicPartition> assigned = new HashSet<>();
    private final AtomicLong read = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private volatile boolean running = true;
    private volatile KafkaConsumer<String, byte[]> consumer;

    /**
     * @param metricPrefix names its metrics: {@code <prefix>_read_total}, {@code <prefix>_consumer_errors_total}
     * @param sink         gets each record with a key (a null value is a tombstone)
     */
    public TopicFollower(String bootstrapServers, KafkaClientProperties client, String topic, String clientId, String metricPrefix,
                         Deserializer<V> values, BiConsumer<String, V> sink, Duration refreshInterval) {
        this.topic = topic;
        this.metricPrefix = metricPrefix;
        this.values = values;
        this.sink = sink;
        this.refreshInterval = refreshInterval;
        props = ViewConsumerProperties.of(bootstrapServers, client, clientId);
        thread = new Thread(this::run, "alerts-follow-" + topic);
        thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    private void run() {
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props, new StringDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            consumer = c;
            long nextRefresh = 0;
            while (running) {
                try {
                    long now = System.currentTimeMillis();
                    if (now >= nextRefresh) {
                        boolean found = refreshAssignment(c);
                        nextRefresh = now + (found ? refreshInterval.toMillis() : Math.min(1000, refreshInterval.toMillis()));
                    }
                    if (assigned.isEmpty()) {
                        sleep(200);
                        continue;
                    }
                    for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(250))) {
                        if (r.key() == null) continue;
                        accept(r);
                    }
                } catch (WakeupException e) {
                    if (running) LOG.debug("spurious wakeup");
                } catch (KafkaException e) {
                    long n = errors.incrementAndGet();
                    if (n == 1 || n % 30 == 0) LOG.warn("reading {} failed ({} errors so far), retrying: {}", topic, n, e.toString());
                    sleep(1000);
                }
            }
        } catch (RuntimeException e) {
            LOG.error("{} follower stopped on an unexpected error", topic, e);
        } finally {
            stopped.countDown();
        }
    }

    private void accept(ConsumerRecord<String, byte[]> r) {
        V v;
        try {
            v = r.value() == null ? null : values.deserialize(r.topic(), r.headers(), r.value());
        } catch (RuntimeException e) {
            long n = errors.incrementAndGet();
            if (n == 1 || n % 30 == 0) LOG.warn("{}-{}@{} does not decode, skipped ({} errors so far): {}", r.topic(), r.partition(), r.offset(), n,
                    e.getClass().getSimpleName());
            return;
        }
        sink.accept(r.key(), v);
        read.incrementAndGet();
    }

    /** Assigns any new partition from the beginning; true once the topic exists. */
    private boolean refreshAssignment(KafkaConsumer<String, byte[]> c) {
        List<PartitionInfo> parts = c.listTopics(Duration.ofSeconds(5)).get(topic);
        if (parts == null || parts.isEmpty()) return false;
        List<TopicPartition> fresh = new ArrayList<>();
        for (PartitionInfo p : parts) {
            TopicPartition tp = new TopicPartition(topic, p.partition());
            if (assigned.add(tp)) fresh.add(tp);
        }
        if (!fresh.isEmpty()) {
            c.assign(new ArrayList<>(assigned));
            c.seekToBeginning(fresh);
        }
        return true;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public Map<String, Number> metrics() {
        return Map.of(metricPrefix + "_read_total", read.get(), metricPrefix + "_consumer_errors_total", errors.get());
    }

    @Override
    public void close() {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        // wakeup(), not interrupt(): an interrupted KafkaConsumer cannot close cleanly.
        if (c != null) c.wakeup();
        try {
            if (!stopped.await(10, TimeUnit.SECONDS)) LOG.warn("{} follower did not stop within 10 s", topic);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
