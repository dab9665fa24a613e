package org.triage.results.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triage.results.metrics.ResultsMetrics;
import org.triage.schemas.Topics;
import org.triage.schemas.kafka.KafkaClientProperties;

/**
 * Reads {@code findings} and {@code alerts} in consumer group {@value #GROUP_ID} and hands each record to the
 * {@link ResultProcessor}. At-least-once: an offset is committed only once its record is done (delivered everywhere
 * or dead-lettered); a crash before the commit redelivers, which the targets' idempotent message ids absorb.
 * A transient failure stops the partition at that record, which is read again after a pause.
 */
public final class ResultsConsumer implements AutoCloseable {
    public static final String GROUP_ID = "triage-results";
    private static final Logger LOG = LoggerFactory.getLogger(ResultsConsumer.class);
    private static final Duration TRANSIENT_PAUSE = Duration.ofSeconds(1);

    private final Properties props;
    private final ResultProcessor processor;
    private final ResultsMetrics metrics;
    private final List<String> topics;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile String problem;

    /**
     * @param maxPollInterval the longest one poll's records may take, retries and backoff of every target included;
     *                        beyond it the group hands the partitions to another member
     */
    public ResultsConsumer(String bootstrapServers, KafkaClientProperties client, ResultProcessor processor,
            ResultsMetrics metrics, int maxPollRecords, Duration maxPollInterval, Granularity granularity) {
        this.processor = processor;
        this.topics = granularity.topics();
        this.metrics = metrics;
        props = client.newProperties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP_ID);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "triage-results");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, String.valueOf(maxPollRecords));
        props.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, String.valueOf(maxPollInterval.toMillis()));
        thread = new Thread(this::run, "results-consumer");
        thread.setDaemon(true);
    }

    public ResultsConsumer start() {
        thread.start();
        return this;
    }

    /** Null while healthy, else why the last poll or commit failed (no PHI: exception classes only). */
    public String problem() {
        return problem;
    }

    private void run() {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer = c;
            c.subscribe(topics);
            while (running) {
                try {
                    ConsumerRecords<byte[], byte[]> records = c.poll(Duration.ofMillis(500));
                    if (records.isEmpty() || handle(c, records)) {
                        problem = null;
                    }
                } catch (WakeupException e) {
                    if (running) {
                        LOG.debug("spurious wakeup");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                } catch (KafkaException e) {
                    problem = "kafka: " + e.getClass().getSimpleName();
                    LOG.warn("reading findings/alerts failed, retrying: {}", e.toString());
                    sleep(TRANSIENT_PAUSE);
                }
            }
        } catch (RuntimeException e) {
            problem = "stopped: " + e.getClass().getSimpleName();
            LOG.error("results consumer stopped on an unexpected error", e);
        } finally {
            stopped.countDown();
        }
    }

    /**
     * Processes partition by partition; a partition's commit covers exactly the records that are done. Returns false
     * when a record was held back.
     */
    private boolean handle(KafkaConsumer<byte[], byte[]> c, ConsumerRecords<byte[], byte[]> records) throws InterruptedException {
        Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
        boolean complete = true;
        for (TopicPartition tp : records.partitions()) {
            for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
                if (!running) {
                    break;
                }
                try {
                    processor.process(r);
                    done.put(tp, new OffsetAndMetadata(r.offset() + 1));
                } catch (TransientFailure e) {
                    metrics.transientFailure(e.causeTag());
                    problem = e.getMessage();
                    LOG.warn("{}-{}@{} held back, read again in {} ms: {}", r.topic(), r.partition(), r.offset(),
                            TRANSIENT_PAUSE.toMillis(), e.getMessage());
                    c.seek(tp, r.offset());
                    sleep(TRANSIENT_PAUSE);
                    complete = false;
                    break;
                }
            }
        }
        if (!done.isEmpty()) {
            c.commitSync(done);
        }
        return complete;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        KafkaConsumer<byte[], byte[]> c = consumer;
        // wakeup(), not interrupt(): an interrupted KafkaConsumer cannot close cleanly.
        if (c != null) {
            c.wakeup();
        }
        try {
            if (!stopped.await(30, TimeUnit.SECONDS)) {
                LOG.warn("results consumer did not stop within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
