package org.triage.stream.rescan;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triage.events.Alert;
import org.triage.events.ImageEmbedding;
import org.triage.events.LabelPrototype;
import org.triage.schemas.Topics;
import org.triage.schemas.kafka.KafkaClientProperties;
import org.triage.stream.alerting.Alerts;
import org.triage.stream.metrics.StreamMetrics;
import org.triage.stream.model.BatchEmbedder;
import org.triage.stream.model.ModelHolder;
import org.triage.stream.topology.ScoredWith;
import org.triage.stream.serde.EventSerdes;
import org.triage.stream.topology.Failures;
import org.triage.stream.topology.PrototypeValidator;

/**
 * Retrospective rescan: when a prototype version arrives, score it against the stored embeddings
 * (topic {@code embeddings}) of films of the last {@code lookback} under the model in service, and
 * raise one RETROSPECTIVE_MATCH alert per film within its (fixed) threshold, carrying the film's
 * original time.
 *
 * <p>Exactly once per prototype version, whatever the number of instances: the scanner is a member
 * of the consumer group {@code <application.id>-rescan} on {@code label-prototypes}, so each
 * prototype record is handled by the one member that owns its partition. The alerts of a record
 * and the record's consumed offset are committed in one Kafka transaction
 * ({@code sendOffsetsToTransaction} with the group metadata, so a member that lost the partition is
 * fenced): a crash before the commit publishes nothing and the record is handled again by whoever
 * owns it next; after the commit it is never handled again. Alert ids are deterministic, so even a
 * redo would repeat ids, not facts.
 *
 * <p>The scan reads before the transaction begins and the alerts are written in one short
 * transaction at the end: an open transaction on {@code alerts} would hold back every
 * read_committed consumer of live alerts for as long as the scan runs.
 *
 * <p>Runs on its own thread: live scoring never waits for a scan.
 */
public final class RetrospectiveScanner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RetrospectiveScanner.class);
    /** Wait after the prototype was written before the scan takes the embeddings' end: batches that were in flight then commit. */
    static final Duration SETTLE = Duration.ofSeconds(5);
    private static final long PROGRESS_EVERY = 50_000;

    /**
     * @param applicationId  the stream's application id: the group is {@code <id>-rescan}
     * @param instanceId     stable per instance (survives its restarts, differs between instances): the transactional id's suffix
     * @param lookback       how far back from the prototype's time the scan reads (bounded by the topic's retention)
     * @param scanTimeout    a scan that has not finished by then fails and is redone
     */
    public record Config(String bootstrapServers, String registryUrl, KafkaClientProperties client, String applicationId,
                         String instanceId, Duration lookback, Duration scanTimeout) {
    }

    private final Config cfg;
    private final EventSerdes serdes;
    private final ModelHolder models;
    private final StreamMetrics metrics;
    /** label-prototypes partition -> label -> last version handled (scanned or skipped) there. */
    private final Map<Integer, Map<String, Integer>> handled = new ConcurrentHashMap<>();
    private volatile boolean closed;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private Thread thread;

    public RetrospectiveScanner(Config cfg, EventSerdes serdes, ModelHolder models, StreamMetrics metrics) {
        this.cfg = cfg;
        this.serdes = serdes;
        this.models = models;
        this.metrics = metrics;
    }

    public String groupId() {
        return cfg.applicationId + "-rescan";
    }

    public String transactionalId() {
        return cfg.applicationId + "-rescan-" + cfg.instanceId;
    }

    public synchronized void start() {
        thread = new Thread(this::run, "triage-rescan");
        thread.setDaemon(true);
        thread.start();
        LOG.info("retrospective rescanner started: group={} transactional.id={} lookback-days={}", groupId(), transactionalId(),
                cfg.lookback.toHours() / 24.0);
    }

    private void run() {
        long backoff = 1_000;
        while (!closed) {
            try {
                session();
                backoff = 1_000;
            } catch (WakeupException e) {
                if (closed) {
                    return;
                }
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                metrics.rescan("failed");
                LOG.warn("retrospective rescanner failed; nothing of the current record was published, it is handled again in {} ms: {}",
                        backoff, e.toString());
                sleep(backoff);
                backoff = Math.min(30_000, backoff * 2);
            } finally {
                metrics.rescanProgress(-1);
            }
        }
    }

    /** One consumer + transactional producer; returns only when closed, throws on any failure (both are then recreated). */
    private void session() {
        Deserializer<LabelPrototype> protoDeser = serdes.value(LabelPrototype.class).deserializer();
        Serializer<Alert> alertSer = serdes.value(Alert.class).serializer();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(groupConsumerProperties(), new StringDeserializer(),
                new ByteArrayDeserializer());
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerProperties(), new StringSerializer(),
                     (topic, data) -> data)) {
            consumer = c;
            if (closed) {
                return;
            }
            producer.initTransactions();
            c.subscribe(List.of(Topics.LABEL_PROTOTYPES), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> parts) {
                    parts.forEach(tp -> handled.remove(tp.partition()));
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> parts) {
                    seed(c, parts, protoDeser);
                }
            });
            while (!closed) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                    if (closed) {
                        return;
                    }
                    handle(c, producer, r, protoDeser, alertSer);
                }
            }
        } finally {
            consumer = null;
        }
    }

    /** What was handled before this member got the partitions: the records below the committed offsets. */
    private void seed(KafkaConsumer<String, byte[]> c, Collection<TopicPartition> parts, Deserializer<LabelPrototype> deser) {
        if (parts.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> committed = c.committed(Set.copyOf(parts), Duration.ofSeconds(30));
        Properties p = plainConsumerProperties();
        try (KafkaConsumer<String, byte[]> reader = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            for (TopicPartition tp : parts) {
                Map<String, Integer> versions = new ConcurrentHashMap<>();
                handled.put(tp.partition(), versions);
                OffsetAndMetadata upTo = committed.get(tp);
                if (upTo == null || upTo.offset() == 0) {
                    continue;
                }
                reader.assign(List.of(tp));
                reader.seekToBeginning(List.of(tp));
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (reader.position(tp) < upTo.offset() && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(200))) {
                        if (r.offset() >= upTo.offset()) {
                            break;
                        }
                        remember(versions, r, deser);
                    }
                }
            }
        }
    }

    private static void remember(Map<String, Integer> versions, ConsumerRecord<String, byte[]> r, Deserializer<LabelPrototype> deser) {
        if (r.key() == null) {
            return;
        }
        if (r.value() == null) {
            versions.remove(r.key());
            return;
        }
        try {
            versions.put(r.key(), deser.deserialize(r.topic(), r.value()).getVersion());
        } catch (RuntimeException e) {
            // An undeserializable record was skipped when it was handled; nothing to remember.
        }
    }

    private void handle(KafkaConsumer<String, byte[]> c, KafkaProducer<String, byte[]> producer, ConsumerRecord<String, byte[]> r,
                        Deserializer<LabelPrototype> deser, Serializer<Alert> alertSer) {
        Map<String, Integer> versions = handled.computeIfAbsent(r.partition(), k -> new ConcurrentHashMap<>());
        if (r.value() == null) {
            // A retired label: nothing to scan.
            commit(c, producer, r, List.of());
            if (r.key() != null) {
                versions.remove(r.key());
            }
            return;
        }
        LabelPrototype p;
        try {
            p = deser.deserialize(r.topic(), r.value());
        } catch (RuntimeException e) {
            Failures.rethrowIfInfrastructure(e, "reading a prototype for the rescan");
            LOG.warn("no retrospective rescan for {}@{}: the prototype record does not deserialize ({})", r.partition(), r.offset(),
                    e.getMessage());
            metrics.rescan("invalid");
            commit(c, producer, r, List.of());
            return;
        }
        String label = p.getLabelId();
        Integer prev = versions.get(label);
        if (prev != null && p.getVersion() <= prev) {
            LOG.info("no retrospective rescan for label {} v{}: version {} was already handled", label, p.getVersion(), prev);
            metrics.rescan("skipped-scanned");
            commit(c, producer, r, List.of());
            return;
        }
        Optional<ModelHolder.Lease> lease = models.acquire();
        while (lease.isEmpty() && !closed) {
            sleep(200);
            lease = models.acquire();
        }
        if (lease.isEmpty()) {
            return;
        }
        try (ModelHolder.Lease l = lease.get()) {
            BatchEmbedder model = l.model();
            Optional<String> problem = PrototypeValidator.problem(p, model.info().classVectorDim())
                    .or(() -> org.triage.stream.topology.PrototypeProjection.unusableBy(p, model));
            if (problem.isPresent()) {
                LOG.warn("no retrospective rescan for label {} v{}: {}", label, p.getVersion(), problem.get());
                metrics.rescan("invalid");
                commit(c, producer, r, List.of());
                versions.put(label, p.getVersion());
                return;
            }
            RetrospectivePolicy.Decision d = RetrospectivePolicy.decide(p, model.info());
            if (!d.scans()) {
                LOG.info("no retrospective rescan for label {} v{}: {}", label, p.getVersion(), d.reason());
                metrics.rescan("skipped-policy");
                commit(c, producer, r, List.of());
                versions.put(label, p.getVersion());
                return;
            }
            float[] projection = org.triage.stream.topology.PrototypeProjection.project(p, model);
            long t = r.timestamp();
            long since = t - cfg.lookback.toMillis();
            long waitMs = t + SETTLE.toMillis() - System.currentTimeMillis();
            if (waitMs > 0) {
                sleep(waitMs);
            }
            long t0 = System.nanoTime();
            List<Alert> alerts = scan(model, projection, d, p, since, t);
            List<ProducerRecord<String, byte[]>> out = new ArrayList<>(alerts.size());
            for (Alert a : alerts) {
                out.add(new ProducerRecord<>(Topics.ALERTS, a.getAlertId(), alertSer.serialize(Topics.ALERTS, a)));
            }
            commit(c, producer, r, out);
            versions.put(label, p.getVersion());
            metrics.rescanDuration(System.nanoTime() - t0);
            metrics.rescan("completed");
            metrics.rescanMatches(label, alerts.size());
            for (int i = 0; i < alerts.size(); i++) {
                metrics.alert(org.triage.events.AlertType.RETROSPECTIVE_MATCH.name(), label);
            }
            LOG.info("retrospective rescan of label {} v{} done: {} match(es) within {} under model {} in {} ms", label, p.getVersion(),
                    alerts.size(), d.threshold(), model.info().ref(), (System.nanoTime() - t0) / 1_000_000);
        }
    }

    /** The stored embeddings under the leased model with record time in [since, until): one alert per film within the threshold. */
    private List<Alert> scan(BatchEmbedder model, float[] projection, RetrospectivePolicy.Decision d, LabelPrototype p, long since,
                             long until) {
        String label = p.getLabelId().toString();
        String ref = model.info().ref();
        Deserializer<ImageEmbedding> deser = serdes.value(ImageEmbedding.class).deserializer();
        Map<String, Alert> bySop = new LinkedHashMap<>();
        Duration timeout = Duration.ofSeconds(30);
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(plainConsumerProperties(), new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(Topics.EMBEDDINGS, timeout).stream()
                    .map(pi -> new TopicPartition(pi.topic(), pi.partition())).toList();
            c.assign(parts);
            Map<TopicPartition, Long> query = new HashMap<>();
            parts.forEach(tp -> query.put(tp, Math.max(0, since)));
            Map<TopicPartition, OffsetAndTimestamp> start = c.offsetsForTimes(query, timeout);
            Map<TopicPartition, Long> end = c.endOffsets(parts, timeout);
            long total = 0;
            for (TopicPartition tp : parts) {
                OffsetAndTimestamp o = start.get(tp);
                long from = o == null ? end.get(tp) : o.offset();
                c.seek(tp, from);
                total += end.get(tp) - from;
            }
            LOG.info("retrospective rescan of label {} v{}: reading up to {} stored embedding(s) of the last {} day(s)", p.getLabelId(),
                    p.getVersion(), total, cfg.lookback.toHours() / 24.0);
            long deadline = System.nanoTime() + cfg.scanTimeout.toNanos();
            long read = 0;
            long nextLog = Math.max(1, Math.min(PROGRESS_EVERY, total / 10));
            long created = System.currentTimeMillis();
            metrics.rescanProgress(0);
            while (!org.triage.stream.calibration.ReferenceEmbeddings.caughtUp(c, parts, end)) {
                if (closed) {
                    throw new WakeupException();
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("rescan did not finish within " + cfg.scanTimeout.toSeconds() + " s");
                }
                int n = 0;
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (r.offset() >= end.get(new TopicPartition(r.topic(), r.partition()))) {
                        continue;
                    }
                    n++;
                    if (r.value() == null || r.timestamp() < since) {
                        continue;
                    }
                    // A film the live path scored with this version (or a later one) was judged there; one without
                    // the header (older records) counts as scored before the prototype if it came before its record.
                    Optional<Boolean> scoredLive = ScoredWith.covers(r.headers(), label, p.getVersion());
                    if (scoredLive.isPresent() ? scoredLive.get() : r.timestamp() >= until) {
                        continue;
                    }
                    ImageEmbedding e = deser.deserialize(r.topic(), r.value());
                    if (!ref.equals(e.getModel().getName() + ":" + e.getModel().getVersion()) || e.getVector().size() != projection.length) {
                        continue;
                    }
                    float dist = model.distance(org.triage.stream.calibration.ReferenceEmbeddings.vector(e), projection);
                    if (dist <= d.threshold()) {
                        bySop.put(e.getSopInstanceUid(), Alerts.retrospective(e, p.getLabelId(), dist, d.threshold(), p.getSeverity(),
                                d.rare(), d.kind(), created));
                    }
                }
                read += n;
                metrics.rescanEmbeddings(n);
                if (total > 0) {
                    metrics.rescanProgress(read / (double) total);
                }
                if (read >= nextLog && read < total) {
                    LOG.info("retrospective rescan of label {} v{}: {}/{} embeddings read ({}%), {} match(es) so far", p.getLabelId(),
                            p.getVersion(), read, total, read * 100 / total, bySop.size());
                    nextLog = read + Math.max(1, Math.min(PROGRESS_EVERY, total / 10));
                }
            }
        }
        return new ArrayList<>(bySop.values());
    }

    /** The record's alerts and its consumed offset, in one transaction. */
    private void commit(KafkaConsumer<String, byte[]> c, KafkaProducer<String, byte[]> producer, ConsumerRecord<String, byte[]> r,
                        List<ProducerRecord<String, byte[]>> alerts) {
        producer.beginTransaction();
        try {
            for (ProducerRecord<String, byte[]> a : alerts) {
                producer.send(a);
            }
            producer.sendOffsetsToTransaction(Map.of(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1)),
                    c.groupMetadata());
            producer.commitTransaction();
        } catch (RuntimeException e) {
            try {
                producer.abortTransaction();
            } catch (RuntimeException ignored) {
                // fenced or broken: the session is recreated either way
            }
            throw e;
        }
    }

    private Properties groupConsumerProperties() {
        Properties p = plainConsumerProperties();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, cfg.applicationId + "-rescan-" + cfg.instanceId);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "20");
        // A scan runs between two polls: the member must not be dropped from the group meanwhile.
        p.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, cfg.scanTimeout.plusMinutes(5).toMillis()));
        return p;
    }

    private Properties plainConsumerProperties() {
        Properties p = cfg.client.newProperties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cfg.bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        return p;
    }

    private Properties producerProperties() {
        Properties p = cfg.client.newProperties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cfg.bootstrapServers);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.CLIENT_ID_CONFIG, transactionalId());
        // The transaction only spans writing a finished scan's alerts, but many of them may go out at once.
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) Duration.ofMinutes(5).toMillis());
        return p;
    }

    private void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WakeupException();
        }
    }

    @Override
    public void close() {
        closed = true;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        Thread t = thread;
        if (t != null) {
            try {
                // The wakeup ends a poll; a scan notices the flag between polls. Interrupt only a thread
                // that does not stop by itself (interrupting the clients' close makes them log errors).
                t.join(10_000);
                if (t.isAlive()) {
                    t.interrupt();
                    t.join(20_000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
