package org.triage.cli.demo;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.triage.events.Alert;
import org.triage.events.AlertType;
import org.triage.events.Finding;
import org.triage.events.ImageEmbedding;
import org.triage.platform.LocalStack;
import org.triage.schemas.Topics;
import org.triage.schemas.serde.AvroSerdes;
import org.triage.schemas.serde.SpecificAvroDeserializer;
import org.triage.stream.calibration.ReferenceEmbeddings;

/**
 * Reads findings, alerts and embeddings as the stream commits them (read_committed), the way any
 * downstream consumer would. It also counts facts seen twice: an alert id arriving again, except a
 * cluster alert re-sent because its cluster grew (the same id with a new size is a new fact).
 */
final class DemoCollector implements AutoCloseable {
    final Map<String, Finding> findings = new ConcurrentHashMap<>();
    /** The latest version of each alert, by id. */
    final Map<String, Alert> alerts = new ConcurrentHashMap<>();
    final Map<String, float[]> embeddings = new ConcurrentHashMap<>();
    private final Set<String> facts = ConcurrentHashMap.newKeySet();
    private final AtomicInteger repeatedFacts = new AtomicInteger();
    private final AtomicLong lastAlertNanos = new AtomicLong(System.nanoTime());
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final LocalStack stack;
    private final Thread thread;

    DemoCollector(LocalStack stack) {
        this.stack = stack;
        this.thread = new Thread(this::loop, "demo-collector");
        thread.setDaemon(true);
    }

    DemoCollector start() {
        thread.start();
        return this;
    }

    /** Alert facts received more than once (0 is the contract: one alert per fact). */
    int repeatedFacts() {
        return repeatedFacts.get();
    }

    boolean awaitFindings(int n, Duration timeout) throws InterruptedException {
        return awaitCount(findings::size, n, timeout);
    }

    boolean awaitEmbeddings(int n, Duration timeout) throws InterruptedException {
        return awaitCount(embeddings::size, n, timeout);
    }

    /** Waits until no alert has arrived for {@code quiet}, at most {@code timeout}. */
    void awaitAlertsQuiet(Duration quiet, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && System.nanoTime() - lastAlertNanos.get() < quiet.toNanos()) {
            Thread.sleep(100);
        }
    }

    private static boolean awaitCount(IntSupplier count, int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (count.getAsInt() < n) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(100);
        }
        return true;
    }

    List<Alert> alertsOf(AlertType type) {
        return alerts.values().stream().filter(a -> a.getType() == type).toList();
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join(10_000);
    }

    private void loop() {
        Map<String, Object> cfg = new HashMap<>();
        cfg.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        cfg.put(ConsumerConfig.GROUP_ID_CONFIG, "triage-demo-" + System.nanoTime());
        cfg.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        cfg.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // Without a fixed class the deserializer picks the generated class named by each record's writer schema.
        SpecificAvroDeserializer<SpecificRecord> values = new SpecificAvroDeserializer<>();
        values.configure(AvroSerdes.config(stack.schemaRegistryUrl()), false);
        try (KafkaConsumer<String, SpecificRecord> consumer = new KafkaConsumer<>(cfg, new StringDeserializer(), values)) {
            consumer.subscribe(List.of(Topics.FINDINGS, Topics.ALERTS, Topics.EMBEDDINGS));
            while (running.get()) {
                for (ConsumerRecord<String, SpecificRecord> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.value() instanceof Finding f) {
                        findings.putIfAbsent(f.getSopInstanceUid(), f);
                    } else if (r.value() instanceof Alert a) {
                        onAlert(a);
                    } else if (r.value() instanceof ImageEmbedding e) {
                        embeddings.putIfAbsent(e.getSopInstanceUid(), ReferenceEmbeddings.vector(e));
                    }
                }
            }
        }
    }

    private void onAlert(Alert a) {
        lastAlertNanos.set(System.nanoTime());
        String fact = a.getAlertId() + (a.getCluster() == null ? "" : "@" + a.getCluster().getSize());
        if (!facts.add(fact)) {
            repeatedFacts.incrementAndGet();
            return;
        }
        alerts.put(a.getAlertId(), a);
    }
}
