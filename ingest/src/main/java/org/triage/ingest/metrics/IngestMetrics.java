package org.triage.ingest.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.triage.ingest.dicom.DicomException;

/**
 * Ingest's Prometheus metrics (names under {@code triage_ingest_*}). Thread-safe; one instance per pipeline. Tags are
 * bounded sets (source class, stage, reason class, cause): never UIDs, AE titles, addresses or anything from a dataset.
 *
 * <p>The pipeline reports exactly one outcome per instance it was handed: {@link #stored}, {@link #rejected} or
 * {@link #retryable}; {@link #received} precedes it.
 */
public final class IngestMetrics {
    /** Why an instance failed in a way the sender may retry (nothing went to the DLQ). */
    public enum Cause {
        /** Kafka did not acknowledge the event (or the registry could not serialise it). */
        KAFKA("kafka"),
        /** The DLQ record for a rejected instance was not acknowledged. */
        DLQ("dlq"),
        /** The reference-mode image store could not take the image. */
        REFERENCE_STORE("reference-store"),
        /** The re-identification store could not keep the instance's originals. */
        REIDENTIFICATION_STORE("reid-store"),
        /** The memory budget had no room within the wait (server busy). */
        MEMORY_BUDGET("memory-budget"),
        INTERRUPTED("interrupted");

        final String tag;

        Cause(String tag) {
            this.tag = tag;
        }
    }

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Timer latency;
    private final AtomicInteger stowInFlight = new AtomicInteger();
    /** Wall time of Kafka's latest acknowledgement (event or DLQ record); 0 = none yet. */
    private final AtomicLong lastAckMillis = new AtomicLong();
    /** Wall time of the latest unacknowledged send after the latest acknowledgement; 0 = none. */
    private final AtomicLong lastKafkaFailureMillis = new AtomicLong();

    public IngestMetrics() {
        latency = Timer.builder("triage_ingest_latency").description("Instance handed to the pipeline to Kafka's acknowledgement (stored instances)")
                .publishPercentiles(0.5, 0.95, 0.99).distributionStatisticExpiry(Duration.ofMinutes(2)).register(registry);
        Gauge.builder("triage_ingest_stow_requests_in_flight", stowInFlight, AtomicInteger::get)
                .description("STOW-RS requests being handled").register(registry);
        Gauge.builder("triage_ingest_kafka_last_ack_age_seconds", lastAckMillis,
                        t -> t.get() == 0 ? Double.NaN : (System.currentTimeMillis() - t.get()) / 1000.0)
                .description("Seconds since Kafka last acknowledged a record (NaN before the first)").register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Prometheus text exposition. */
    public String scrape() {
        return registry.scrape();
    }

    /** The bounded source class of a pipeline source string: {@code scp:<AET>} → scp, {@code stow:<addr>} → stow, files. */
    public static String sourceClass(String source) {
        if (source == null) {
            return "other";
        }
        int colon = source.indexOf(':');
        String c = colon < 0 ? source : source.substring(0, colon);
        return switch (c) {
            case "scp", "stow", "files" -> c;
            default -> "other";
        };
    }

    /** The bounded reason class of a DICOM failure status. */
    public static String reasonClass(int status) {
        return switch (status) {
            case DicomException.Status.CANNOT_UNDERSTAND, DicomException.Status.DATASET_DOES_NOT_MATCH -> "malformed";
            case DicomException.Status.SOP_CLASS_NOT_SUPPORTED, DicomException.Status.TRANSFER_SYNTAX_NOT_SUPPORTED -> "unsupported";
            case DicomException.Status.OUT_OF_RESOURCES -> "over-limit";
            case DicomException.Status.PROCESSING_FAILURE -> "over-size";
            case DicomException.Status.NOT_AUTHORIZED -> "policy";
            default -> "other";
        };
    }

    /** An instance reached the pipeline (the whole dataset or file; bytes = its size as received). */
    public void received(String source, long bytes) {
        String s = sourceClass(source);
        counter("triage_ingest_received", "Instances handed to the pipeline", "source", s).increment();
        counter("triage_ingest_received_bytes", "Bytes of instances handed to the pipeline", "source", s).increment(Math.max(0, bytes));
    }

    /** Kafka acknowledged the instance's event of {@code publishedBytes}; {@code startNanos} is when it was received. */
    public void stored(String source, long publishedBytes, long startNanos) {
        counter("triage_ingest_stored", "Instances stored (event acknowledged by Kafka)", "source", sourceClass(source)).increment();
        counter("triage_ingest_published_bytes", "Bytes of events Kafka acknowledged on radiographs").increment(Math.max(0, publishedBytes));
        latency.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
        acknowledged();
    }

    /**
     * The instance was refused for good. {@code dlqRecorded}: its DLQ record was acknowledged (counted under
     * triage_ingest_dlq); when it was not, the refusal is a retryable failure (cause dlq) instead.
     */
    public void rejected(String stage, int status, boolean dlqRecorded) {
        if (dlqRecorded) {
            counter("triage_ingest_rejected", "Instances refused for good (input problems), by stage and reason class",
                    "stage", stage, "reason", reasonClass(status)).increment();
            counter("triage_ingest_dlq", "Records written to radiographs-dlq, by stage", "stage", stage).increment();
            acknowledged();
        } else {
            retryable(Cause.DLQ);
        }
    }

    /** The instance failed in a way the sender may retry (C-STORE 0xA700 / STOW 0xA700); nothing reached the DLQ. */
    public void retryable(Cause cause) {
        counter("triage_ingest_retryable_failures", "Failures the sender may retry (Kafka not acknowledging, busy, store down), by cause",
                "cause", cause.tag).increment();
        if (cause == Cause.KAFKA || cause == Cause.DLQ) {
            lastKafkaFailureMillis.set(System.currentTimeMillis());
        }
    }

    private void acknowledged() {
        lastAckMillis.set(System.currentTimeMillis());
        lastKafkaFailureMillis.set(0);
    }

    /** Wall time of Kafka's latest acknowledgement, 0 before the first. */
    public long lastAckMillis() {
        return lastAckMillis.get();
    }

    /** Wall time of the latest Kafka failure not followed by an acknowledgement, 0 when none. */
    public long lastKafkaFailureMillis() {
        return lastKafkaFailureMillis.get();
    }

    /** STOW-RS request accounting: +1 when one starts, -1 when it ends. */
    public void stowInFlight(int delta) {
        stowInFlight.addAndGet(delta);
    }

    /** Registers a gauge of active C-STORE associations. */
    public void bindAssociations(Supplier<Number> active) {
        Gauge.builder("triage_ingest_scp_associations", active).description("C-STORE associations open now").register(registry);
    }

    /** Registers gauges of the memory budget: bytes reserved now and the capacity. */
    public void bindMemoryBudget(Supplier<Number> used, long capacity) {
        Gauge.builder("triage_ingest_memory_budget_used_bytes", used).description("Memory budget reserved by datasets in flight and decodes")
                .register(registry);
        Gauge.builder("triage_ingest_memory_budget_capacity_bytes", () -> capacity).description("Memory budget capacity").register(registry);
    }

    /** Current value of a counter (0 when it never moved); tests and the in-process API. */
    public double count(String name, String... tags) {
        Counter c = counters.get(key(name, tags));
        return c == null ? 0 : c.count();
    }

    private Counter counter(String name, String description, String... tags) {
        return counters.computeIfAbsent(key(name, tags), k -> Counter.builder(name).description(description).tags(tags).register(registry));
    }

    private static String key(String name, String... tags) {
        return name + "|" + String.join("|", tags);
    }
}
