package org.triage.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.triage.ingest.bench.SyntheticDx;
import org.triage.ingest.dicom.DicomLimits;
import org.triage.ingest.dicom.MemoryBudget;
import org.triage.ingest.metrics.IngestHealth;
import org.triage.ingest.metrics.IngestMetrics;
import org.triage.ingest.pipeline.IngestPipeline;
import org.triage.ingest.pipeline.IngestResult;
import org.triage.ingest.pipeline.Pseudonymiser;

/** Health decisions and retryable-failure counting without a broker (fake probes, a sink that fails). */
class IngestHealthTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final AtomicInteger kafkaProbes = new AtomicInteger();
    private final AtomicReference<String> kafkaAnswer = new AtomicReference<>();
    private final AtomicReference<String> registryAnswer = new AtomicReference<>();

    private IngestHealth health(IngestMetrics metrics) {
        return new IngestHealth(metrics, () -> {
            kafkaProbes.incrementAndGet();
            return kafkaAnswer.get();
        }, registryAnswer::get, now::get, () -> { });
    }

    @Test
    void probesKafkaOnlyWithoutARecentAcknowledgementAndCaches() throws Exception {
        RecordingSink sink = new RecordingSink();
        IngestMetrics metrics = new IngestMetrics();
        IngestPipeline pipeline = TestDeid.pipeline(Pseudonymiser.fromConfig(null, null, true), sink, MemoryBudget.unlimited(), metrics);
        IngestHealth h = health(metrics);
        kafkaAnswer.set("kafka unreachable at 127.0.0.1:1: TimeoutException: timed out");
        assertEquals("kafka unreachable at 127.0.0.1:1: TimeoutException: timed out", h.problem());
        assertEquals(1, kafkaProbes.get());
        kafkaAnswer.set(null);
        assertTrue(h.problem() != null, "cached for a few seconds");
        now.addAndGet(IngestHealth.CACHE.toMillis());
        assertNull(h.problem());
        assertEquals(2, kafkaProbes.get());

        // A failed publish: the sender is told to retry, counted under cause=kafka, and health says Kafka is not acknowledging.
        sink.failPublish = true;
        IngestResult r = pipeline.ingestPart10(SyntheticDx.create(16, 16, 7), "stow:127.0.0.1", List.of());
        assertEquals(0xA700, r.status());
        assertEquals(1.0, metrics.count("triage_ingest_retryable_failures", "cause", "kafka"));
        assertEquals(0.0, metrics.count("triage_ingest_stored", "source", "stow"));
        now.set(System.currentTimeMillis());
        assertTrue(h.problem().startsWith("kafka not acknowledging records"), h.problem());

        // Kafka acknowledges again: healthy without a probe; the registry's answer still counts.
        sink.failPublish = false;
        assertTrue(pipeline.ingestPart10(SyntheticDx.create(16, 16, 8), "stow:127.0.0.1", List.of()).ok());
        assertEquals(1.0, metrics.count("triage_ingest_stored", "source", "stow"));
        int probes = kafkaProbes.get();
        now.addAndGet(IngestHealth.CACHE.toMillis());
        assertNull(h.problem());
        registryAnswer.set("schema registry unreachable: ConnectException");
        now.addAndGet(IngestHealth.CACHE.toMillis());
        assertEquals("schema registry unreachable: ConnectException", h.problem());
        assertEquals(probes, kafkaProbes.get(), "a recent acknowledgement answers for Kafka");
        assertTrue(new String(metrics.scrape().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)
                .contains("triage_ingest_retryable_failures_total{cause=\"kafka\"} 1.0"), metrics.scrape());
    }
}
