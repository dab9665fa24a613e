package org.triage.stream.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** The stream's Prometheus metrics (names under triage_stream_*). Thread-safe; shared by all tasks. */
public final class StreamMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Counter recordsIn;
    private final Counter findings;
    private final DistributionSummary batchSize;
    private final Timer queueDelay;
    private final Timer inference;
    private final Timer preprocess;
    private final Timer endToEnd;
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicInteger activePrototypes = new AtomicInteger();
    private final AtomicReference<String> modelVersion = new AtomicReference<>("");
    private final AtomicReference<String> device = new AtomicReference<>("");
    private final Counter laneCopiesSkipped;
    private final Map<String, Counter> dlq = new ConcurrentHashMap<>();
    private final Map<String, Counter> thumbnails = new ConcurrentHashMap<>();
    private final Map<String, Counter> alerts = new ConcurrentHashMap<>();
    private final Map<String, Counter> studyFilms = new ConcurrentHashMap<>();
    private final Map<String, Counter> studyResults = new ConcurrentHashMap<>();
    private final Counter studyGroupsClosed;
    private final Map<String, Counter> infraFailures = new ConcurrentHashMap<>();
    /** Wall time of the first infrastructure failure since the last success; 0 = healthy. */
    private final java.util.concurrent.atomic.AtomicLong degradedSince = new java.util.concurrent.atomic.AtomicLong();
    private final AtomicReference<String> degradedReason = new AtomicReference<>("");
    private final Counter rescanEmbeddings;
    private final Timer rescanTimer;
    private final Counter novelFilmsClustered;
    private final Counter novelFilmsSkipped;
    private final AtomicInteger openClusters = new AtomicInteger();
    private final Map<String, Counter> rescanMatches = new ConcurrentHashMap<>();
    private final Map<String, Counter> rescans = new ConcurrentHashMap<>();
    /** Share (0..1) of the scan in progress read so far; -1 while none runs. */
    private final java.util.concurrent.atomic.AtomicLong rescanProgressPermille = new java.util.concurrent.atomic.AtomicLong(-1000);

    public StreamMetrics() {
        rescanTimer = Timer.builder("triage_stream_rescan_duration").description("Duration of completed retrospective rescans")
                .register(registry);
        novelFilmsClustered = Counter.builder("triage_stream_cluster_films").description("NOVELTY films placed into a novelty cluster")
                .register(registry);
        novelFilmsSkipped = Counter.builder("triage_stream_cluster_films_skipped")
                .description("NOVELTY films not clustered: their model is not the one in service, or no novelty reference yet").register(registry);
        Gauge.builder("triage_stream_clusters_open", openClusters, AtomicInteger::get)
                .description("Open novelty clusters (all sizes) held by this instance's clusterer task").register(registry);
        studyGroupsClosed = Counter.builder("triage_stream_study_groups_closed")
                .description("Sent studies whose late-film window closed (their films forgotten)").register(registry);
        recordsIn = Counter.builder("triage_stream_records_in").description("Radiographs read from the input topic").register(registry);
        findings = Counter.builder("triage_stream_findings").description("Findings emitted").register(registry);
        laneCopiesSkipped = Counter.builder("triage_stream_stat_copies_skipped")
                .description("STAT films' copies on radiographs that the routine lane passed over (scored in the STAT lane)")
                .register(registry);
        batchSize = DistributionSummary.builder("triage_stream_batch_size").description("Records per inference batch")
                .publishPercentiles(0.5, 0.95, 0.99).register(registry);
        queueDelay = timer("triage_stream_queue_delay", "Time a record waited in the pending store for its batch");
        inference = timer("triage_stream_model_inference", "Visual model time per batch");
        preprocess = timer("triage_stream_preprocess_wait", "Time a batch waited for its preprocessing after closing");
        endToEnd = timer("triage_stream_end_to_end_latency", "Received by ingest to finding emitted");
        Gauge.builder("triage_stream_pending_records", pending, AtomicInteger::get).description("Records waiting for a batch")
                .register(registry);
        Gauge.builder("triage_stream_degraded", degradedSince, d -> d.get() == 0 ? 0 : 1)
                .description("1 while a dependency (registry, brokers) is failing and work is being retried").register(registry);
        Gauge.builder("triage_stream_active_prototypes", activePrototypes, AtomicInteger::get)
                .description("Prototypes scored in the latest batch").register(registry);
        rescanEmbeddings = Counter.builder("triage_stream_rescan_embeddings")
                .description("Stored embeddings read by retrospective rescans").register(registry);
        Gauge.builder("triage_stream_rescan_in_progress", rescanProgressPermille, v -> v.get() < 0 ? 0 : 1)
                .description("1 while a retrospective rescan runs on this instance").register(registry);
        Gauge.builder("triage_stream_rescan_progress_ratio", rescanProgressPermille, v -> v.get() < 0 ? 0 : v.get() / 1000.0)
                .description("Share of the stored embeddings the rescan in progress has read (0 when none runs)").register(registry);
    }

    /** How long one completed scan took (reading, matching, committing its alerts). */
    public void rescanDuration(long nanos) {
        rescanTimer.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /** Scans completed and their total seconds (for benchmarks and tests). */
    public long rescansCompleted() {
        return rescanTimer.count();
    }

    public double rescanSecondsTotal() {
        return rescanTimer.totalTime(java.util.concurrent.TimeUnit.NANOSECONDS) / 1e9;
    }

    /** Embeddings read by a rescan. */
    public void rescanEmbeddings(long n) {
        rescanEmbeddings.increment(n);
    }

    /** Retrospective matches published (committed) for a label. */
    public void rescanMatches(String label, long n) {
        rescanMatches.computeIfAbsent(label, l -> Counter.builder("triage_stream_rescan_matches")
                .description("Retrospective matches published by rescans").tag("label", l).register(registry)).increment(n);
    }

    /** A film's preview: written, or why not (unreadable record, undecodable image, busy writer, failed send). */
    public void thumbnail(String outcome) {
        thumbnails.computeIfAbsent(outcome, o -> Counter.builder("triage_stream_thumbnails")
                .description("Film previews for the thumbnails topic, by outcome").tag("outcome", o).register(registry)).increment();
    }

    /** Films whose preview has an outcome (written or why not): once it reaches the films read, the writer is idle. */
    public long thumbnailsHandled() {
        return thumbnails.values().stream().mapToLong(c -> (long) c.count()).sum();
    }

    /** A prototype record handled by the rescanner: completed, skipped-policy, skipped-scanned, invalid, failed, ... */
    public void rescan(String outcome) {
        rescans.computeIfAbsent(outcome, o -> Counter.builder("triage_stream_rescans")
                .description("Prototype versions handled by the retrospective rescanner, by outcome").tag("outcome", o)
                .register(registry)).increment();
    }

    /** Progress of the scan in progress (0..1), or a negative value when none runs. */
    public void rescanProgress(double share) {
        rescanProgressPermille.set(share < 0 ? -1000 : Math.round(Math.min(1, share) * 1000));
    }

    /** Rescans by outcome. */
    public Map<String, Long> rescans() {
        Map<String, Long> out = new TreeMap<>();
        rescans.forEach((k, c) -> out.put(k, (long) c.count()));
        return out;
    }

    /** Retrospective matches by label. */
    public Map<String, Long> rescanMatches() {
        Map<String, Long> out = new TreeMap<>();
        rescanMatches.forEach((k, c) -> out.put(k, (long) c.count()));
        return out;
    }

    public long rescanEmbeddingsRead() {
        return (long) rescanEmbeddings.count();
    }

    private Timer timer(String name, String description) {
        return Timer.builder(name).description(description).publishPercentiles(0.5, 0.95, 0.99)
                .distributionStatisticExpiry(Duration.ofMinutes(2)).register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    public String scrape() {
        return registry.scrape();
    }

    public void recordIn() {
        recordsIn.increment();
    }

    /** A STAT film's copy on radiographs, which the routine lane passes over (the STAT lane scored it). */
    public void laneCopySkipped() {
        laneCopiesSkipped.increment();
    }

    public long laneCopiesSkipped() {
        return (long) laneCopiesSkipped.count();
    }

    public void findings(int n) {
        findings.increment(n);
        if (n > 0) {
            infrastructureRecovered();
        }
    }

    public void batch(int size, long inferenceNanos) {
        batchSize.record(size);
        inference.record(inferenceNanos, TimeUnit.NANOSECONDS);
    }

    public void queueDelay(long ms) {
        queueDelay.record(Math.max(0, ms), TimeUnit.MILLISECONDS);
    }

    public void preprocessWait(long nanos) {
        preprocess.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void endToEnd(long ms) {
        endToEnd.record(Math.max(0, ms), TimeUnit.MILLISECONDS);
    }

    public void pendingDelta(int delta) {
        pending.addAndGet(delta);
    }

    public void activePrototypes(int n) {
        activePrototypes.set(n);
    }

    public void dlq(String stage) {
        dlq.computeIfAbsent(stage, s -> Counter.builder("triage_stream_dlq").description("Records sent to the DLQ")
                .tag("stage", s).register(registry)).increment();
    }

    /** A dependency failed; the work is retried (never DLQ'd). */
    public void infrastructureFailure(String dependency, String reason) {
        infraFailures.computeIfAbsent(dependency, d -> Counter.builder("triage_stream_infrastructure_failures")
                .description("Failures of a dependency that made the stream retry").tag("dependency", d).register(registry)).increment();
        degradedSince.compareAndSet(0, System.currentTimeMillis());
        degradedReason.set(dependency + " unavailable: " + reason);
    }

    /** Work that needs the dependencies succeeded again. Cheap: called per record. */
    public void infrastructureRecovered() {
        if (degradedSince.get() != 0) {
            degradedSince.set(0);
        }
    }

    /** Null when healthy; else why and for how long the stream has been retrying. */
    public String degraded() {
        long since = degradedSince.get();
        if (since == 0) {
            return null;
        }
        return "degraded for " + (System.currentTimeMillis() - since) / 1000 + " s: " + degradedReason.get();
    }

    /** Infrastructure failures by dependency. */
    public Map<String, Long> infrastructureFailures() {
        Map<String, Long> out = new TreeMap<>();
        infraFailures.forEach((k, c) -> out.put(k, (long) c.count()));
        return out;
    }

    /** A finding reaching the study grouper: grouped, late (re-opens a sent study), duplicate, over-cap, no-study. */
    public void studyFilm(String outcome) {
        studyFilms.computeIfAbsent(outcome, o -> Counter.builder("triage_stream_study_films")
                .description("Findings offered to the study grouper, by outcome").tag("outcome", o).register(registry)).increment();
    }

    /** A study result sent: its first version, or an update after a late film. */
    public void studyResult(String kind) {
        studyResults.computeIfAbsent(kind, k -> Counter.builder("triage_stream_study_results")
                .description("Study-level results emitted, by kind (first, update)").tag("kind", k).register(registry)).increment();
    }

    public Map<String, Long> studyResults() {
        Map<String, Long> out = new java.util.TreeMap<>();
        studyResults.forEach((k, c) -> out.put(k, (long) c.count()));
        return out;
    }

    /** A sent study whose late window closed: its films are forgotten. */
    public void studyGroupClosed() {
        studyGroupsClosed.increment();
    }

    public void clusterFilm(boolean clustered) {
        (clustered ? novelFilmsClustered : novelFilmsSkipped).increment();
    }

    public void openClusters(int n) {
        openClusters.set(n);
    }

    public void alert(String type, String label) {
        String key = type + "|" + (label == null ? "" : label);
        alerts.computeIfAbsent(key, k -> Counter.builder("triage_stream_alerts").description("Alerts raised")
                .tag("type", type).tag("label", label == null ? "" : label).register(registry)).increment();
    }

    /** Called when a model goes into service. */
    public void model(String ref, String deviceName) {
        modelVersion.set(ref);
        device.set(deviceName);
        Gauge.builder("triage_stream_model_info", () -> ref.equals(modelVersion.get()) ? 1 : 0)
                .description("1 for the model version in service").tag("model", ref).tag("device", deviceName)
                .register(registry);
    }

    /** A point-in-time copy of the main figures, for the in-process API and the benchmark. */
    public Snapshot snapshot() {
        Map<String, Long> dlqByStage = new TreeMap<>();
        dlq.forEach((k, c) -> dlqByStage.put(k, (long) c.count()));
        Map<String, Long> alertsByType = new TreeMap<>();
        alerts.forEach((k, c) -> alertsByType.merge(k.substring(0, k.indexOf('|')), (long) c.count(), Long::sum));
        return new Snapshot((long) recordsIn.count(), (long) findings.count(), batchSize.count(), batchSize.mean(),
                mean(inference), percentiles(inference), mean(endToEnd), percentiles(endToEnd), mean(queueDelay), pending.get(),
                modelVersion.get(), device.get(), dlqByStage, alertsByType);
    }

    private static double mean(Timer t) {
        return t.count() == 0 ? 0 : t.mean(TimeUnit.MILLISECONDS);
    }

    private static Map<String, Double> percentiles(Timer t) {
        HistogramSnapshot s = t.takeSnapshot();
        Map<String, Double> out = new TreeMap<>();
        for (ValueAtPercentile v : s.percentileValues()) {
            out.put("p" + Math.round(v.percentile() * 100), v.value(TimeUnit.MILLISECONDS));
        }
        return out;
    }

    /**
     * @param recordsIn        radiographs read
     * @param findings         findings emitted
     * @param batches          inference batches run
     * @param meanBatchSize    mean records per batch
     * @param meanInferenceMs  mean visual-model time per batch
     * @param inferenceMs      p50/p95/p99 of batch inference time (recent window)
     * @param meanLatencyMs    mean received-to-emitted latency
     * @param latencyMs        p50/p95/p99 of that latency (recent window)
     * @param meanQueueDelayMs mean wait for a batch
     * @param pending          records waiting now
     * @param model            model in service (name:version)
     * @param device           where it runs
     * @param dlq              DLQ records by stage
     * @param alerts           alerts by type
     */
    public record Snapshot(long recordsIn, long findings, long batches, double meanBatchSize, double meanInferenceMs,
                           Map<String, Double> inferenceMs, double meanLatencyMs, Map<String, Double> latencyMs,
                           double meanQueueDelayMs, int pending, String model, String device, Map<String, Long> dlq,
                           Map<String, Long> alerts) {
    }
}
