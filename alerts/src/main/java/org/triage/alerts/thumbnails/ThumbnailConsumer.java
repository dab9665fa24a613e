package org.triage.alerts.thumbnails;

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
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triage.schemas.Topics;
import org.triage.schemas.kafka.KafkaClientProperties;

/**
 * Follows the compacted {@code thumbnails} topic into a {@link ThumbnailCache}. Like the alert
 * consumer it assigns partitions by hand from the beginning (every instance needs every preview,
 * nothing is committed) and looks for the topic and new partitions periodically, so the service
 * may start first. Previews are a convenience: errors are logged and retried, never fatal.
 */
public final class ThumbnailConsumer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ThumbnailConsumer.class);

    private final Properties props;
    private final ThumbnailCache cache;
    private final Duration refreshInterval;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Set<TopicPartition> assigned = new HashSet<>();
    private final AtomicLong read = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private volatile boolean running = true;
    private volatile KafkaConsumer<String, byte[]> consumer;

    public ThumbnailConsumer(String bootstrapServers, KafkaClientProperties client, ThumbnailCache cache, Duration refreshInterval) {
        this.cache = cache;
        this.refreshInterval = refreshInterval;
        props = org.triage.alerts.kafka.ViewConsumerProperties.of(bootstrapServers, client, "triage-alerts-thumbnails");
        thread = new Thread(this::run, "alerts-thumbnails");
        thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    private void run() {
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
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
                        cache.put(r.key(), r.value());
                        read.incrementAndGet();
                    }
                } catch (WakeupException e) {
                    if (running) LOG.debug("spurious wakeup");
                } catch (KafkaException e) {
                    long n = errors.incrementAndGet();
                    if (n == 1 || n % 30 == 0) LOG.warn("reading thumbnails failed ({} errors so far), retrying: {}", n, e.toString());
                    sleep(1000);
                }
            }
        } catch (RuntimeException e) {
            LOG.error("thumbnail consumer stopped on an unexpected error", e);
        } finally {
            stopped.countDown();
        }
    }

    /** Assigns any new partition from the beginning; true once the topic exists. */
    private boolean refreshAssignment(KafkaConsumer<String, byte[]> c) {
        List<PartitionInfo> parts = c.listTopics(Duration.ofSeconds(5)).get(Topics.THUMBNAILS);
        if (parts == null || parts.isEmpty()) return false;
        List<TopicPartition> fresh = new ArrayList<>();
        for (PartitionInfo p : parts) {
            TopicPartition tp = new TopicPartition(Topics.THUMBNAILS, p.partition());
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
        return Map.of("thumbnails_read_total", read.get(), "thumbnail_consumer_errors_total", errors.get());
    }

    @Override
    public void close() {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        // wakeup(), not interrupt(): an interrupted KafkaConsumer cannot close cleanly.
        if (c != null) c.wakeup();
        try {
            if (!stopped.await(10, TimeUnit.SECONDS)) LOG.warn("thumbnail consumer did not stop within 10 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
