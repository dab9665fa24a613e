package org.triage.alerts.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triage.alerts.view.AlertView;
import org.triage.events.Alert;
import org.triage.events.AlertAction;
import org.triage.schemas.Topics;
import org.triage.schemas.kafka.KafkaAuthErrors;
import org.triage.schemas.kafka.KafkaClientProperties;
import org.triage.schemas.registry.SchemaRegistryException;

/**
 * Reads {@code alerts} and {@code alert-actions} from the beginning into the {@link AlertView}.
 *
 * <p>Every instance needs the whole history, so partitions are assigned by hand (no consumer
 * group, no committed offsets): a restart replays and rebuilds the same view. Only committed
 * transactional data is read ({@code read_committed}), so alerts from an aborted stream
 * transaction never show. Topics and partitions are looked up periodically, so the service can
 * start before the topics exist. The view goes live once every partition has reached the end
 * offset it had when first assigned.
 *
 * <p>A record that cannot be decoded is logged with its position and counted, and the consumer
 * moves on: one bad record must not take the alert service down. A record that cannot be decoded
 * only because the schema registry is unreachable is retried, never skipped.
 */
public final class AlertEventConsumer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AlertEventConsumer.class);
    private static final List<String> TOPICS = List.of(Topics.ALERTS, Topics.ALERT_ACTIONS);

    private final Properties props;
    private final Deserializer<Alert> alertDeserializer;
    private final Deserializer<AlertAction> actionDeserializer;
    private final AlertView view;
    private final Duration refreshInterval;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile KafkaConsumer<byte[], byte[]> consumer;

    private final Map<TopicPartition, Long> catchUpTargets = new HashMap<>();
    private final Set<TopicPartition> assigned = new HashSet<>();
    private final AtomicLong alertsRead = new AtomicLong();
    private final AtomicLong actionsRead = new AtomicLong();
    private final AtomicLong undecodable = new AtomicLong();
    private final AtomicLong tombstones = new AtomicLong();
    private final AtomicLong pollErrors = new AtomicLong();
    private final AtomicLong transientErrors = new AtomicLong();
    private final String bootstrapServers;
    private final KafkaClientProperties client;
    private volatile String fatal;

    public AlertEventConsumer(String bootstrapServers, Deserializer<Alert> alertDeserializer,
            Deserializer<AlertAction> actionDeserializer, AlertView view, Duration refreshInterval) {
        this(bootstrapServers, KafkaClientProperties.none(), alertDeserializer, actionDeserializer, view, refreshInterval);
    }

    /** @param client security settings; the consumer's own settings below win */
    public AlertEventConsumer(String bootstrapServers, KafkaClientProperties client, Deserializer<Alert> alertDeserializer,
            Deserializer<AlertAction> actionDeserializer, AlertView view, Duration refreshInterval) {
        this.bootstrapServers = bootstrapServers;
        this.client = client;
        this.alertDeserializer = alertDeserializer;
        this.actionDeserializer = actionDeserializer;
        this.view = view;
        this.refreshInterval = refreshInterval;
        props = ViewConsumerProperties.of(bootstrapServers, client, "triage-alerts-view");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500");
        thread = new Thread(this::run, "alerts-consumer");
        thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    private void run() {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer = c;
            long nextRefresh = 0;
            while (running) {
                try {
                    long now = System.currentTimeMillis();
                    if (now >= nextRefresh) {
                        boolean complete = refreshAssignment(c);
                        // Until both topics exist, look again soon.
                        nextRefresh = now + (complete ? refreshInterval.toMillis() : Math.min(1000, refreshInterval.toMillis()));
                    }
                    if (assigned.isEmpty()) {
                        if (!view.isLive()) goLive();
                        sleep(200);
                        continue;
                    }
                    ConsumerRecords<byte[], byte[]> records = c.poll(Duration.ofMillis(250));
                    boolean stalled = false;
                    for (TopicPartition tp : records.partitions()) {
                        for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
                            if (!dispatch(r)) {
                                // Read this record again after a pause rather than lose it.
                                c.seek(tp, r.offset());
                                stalled = true;
                                break;
                            }
                        }
                    }
                    if (stalled) {
                        sleep(1000);
                        continue;
                    }
                    if (!view.isLive() && caughtUp(c)) goLive();
                } catch (WakeupException e) {
                    if (running) LOG.debug("spurious wakeup");
                } catch (KafkaException e) {
                    // Wrong credentials or missing ACLs: retrying every second would only fill the log.
                    String auth = KafkaAuthErrors.describe(e, bootstrapServers, client);
                    if (auth != null) {
                        fatal = auth;
                        LOG.error("{}", auth);
                        break;
                    }
                    long n = pollErrors.incrementAndGet();
                    LOG.warn("reading alerts failed ({} errors so far), retrying: {}", n, e.toString());
                    sleep(1000);
                }
            }
        } catch (RuntimeException e) {
            LOG.error("alerts consumer stopped on an unexpected error", e);
        } finally {
            stopped.countDown();
        }
    }

    /** Assigns any partition not yet assigned, from the beginning. Returns true when both topics exist. */
    private boolean refreshAssignment(KafkaConsumer<byte[], byte[]> c) {
        Map<String, List<PartitionInfo>> topics = c.listTopics(Duration.ofSeconds(5));
        List<TopicPartition> fresh = new ArrayList<>();
        boolean complete = true;
        for (String t : TOPICS) {
            List<PartitionInfo> parts = topics.get(t);
            if (parts == null || parts.isEmpty()) {
                complete = false;
                continue;
            }
            for (PartitionInfo p : parts) {
                TopicPartition tp = new TopicPartition(t, p.partition());
                if (!assigned.contains(tp)) fresh.add(tp);
            }
        }
        if (fresh.isEmpty()) return complete;
        if (!view.isLive()) {
            // What "caught up" means: the end (last stable offset) of each partition when we first saw it.
            catchUpTargets.putAll(c.endOffsets(fresh, Duration.ofSeconds(10)));
        }
        assigned.addAll(fresh);
        c.assign(new ArrayList<>(assigned));
        c.seekToBeginning(fresh);
        LOG.info("reading {} from the beginning", fresh);
        return complete;
    }

    private boolean caughtUp(KafkaConsumer<byte[], byte[]> c) {
        for (Map.Entry<TopicPartition, Long> e : catchUpTargets.entrySet()) {
            if (c.position(e.getKey(), Duration.ofSeconds(5)) < e.getValue()) return false;
        }
        return true;
    }

    private void goLive() {
        view.setLive(true);
        LOG.info("alert view caught up: {} alerts, {} actions read; now live", alertsRead.get(), actionsRead.get());
    }

    /**
     * Folds one record into the view. Returns false when it could not be read for a reason that
     * may pass (the schema registry unreachable): the caller retries it. A record that can never
     * be read is skipped, logged with its position and counted.
     */
    private boolean dispatch(ConsumerRecord<byte[], byte[]> r) {
        if (r.value() == null) {
            tombstones.incrementAndGet();
            return true;
        }
        try {
            if (r.topic().equals(Topics.ALERTS)) {
                Alert a = alertDeserializer.deserialize(r.topic(), r.headers(), r.value());
                alertsRead.incrementAndGet();
                view.applyAlert(a);
            } else {
                AlertAction a = actionDeserializer.deserialize(r.topic(), r.headers(), r.value());
                actionsRead.incrementAndGet();
                view.applyAction(a);
            }
            return true;
        } catch (RuntimeException e) {
            if (isTransient(e)) {
                long n = transientErrors.incrementAndGet();
                if (n == 1 || n % 30 == 0) {
                    LOG.warn("cannot read {}-{}@{} yet, retrying ({} transient errors so far): {}", r.topic(), r.partition(), r.offset(), n, e.getMessage());
                }
                return false;
            }
            long n = undecodable.incrementAndGet();
            LOG.warn("skipping record {}-{}@{} that cannot be read ({} so far): {}", r.topic(), r.partition(), r.offset(), n, e.toString());
            return true;
        }
    }

    /** A registry that did not answer, or answered 5xx / 408 / 429: retrying may help. */
    static boolean isTransient(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SchemaRegistryException sre) return sre.isRetryable();
        }
        return false;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Why the consumer stopped for good (authentication or authorization), or null. */
    public String fatalProblem() {
        return fatal;
    }

    public Map<String, Number> metrics() {
        Map<String, Number> m = new HashMap<>();
        m.put("alerts_read_total", alertsRead.get());
        m.put("actions_read_total", actionsRead.get());
        m.put("records_undecodable_total", undecodable.get());
        m.put("tombstones_ignored_total", tombstones.get());
        m.put("consumer_errors_total", pollErrors.get());
        m.put("registry_retries_total", transientErrors.get());
        return m;
    }

    @Override
    public void close() {
        running = false;
        KafkaConsumer<byte[], byte[]> c = consumer;
        // wakeup(), not interrupt(): an interrupted KafkaConsumer cannot close cleanly.
        if (c != null) c.wakeup();
        try {
            if (!stopped.await(10, TimeUnit.SECONDS)) LOG.warn("alerts consumer did not stop within 10 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
