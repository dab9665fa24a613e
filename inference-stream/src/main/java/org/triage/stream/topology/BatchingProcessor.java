package org.triage.stream.topology;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triage.events.Alert;
import org.triage.events.Finding;
import org.triage.events.ImageEmbedding;
import org.triage.events.LabelPrototype;
import org.triage.events.LabelScore;
import org.triage.events.ModelRef;
import org.triage.events.RadiographEvent;
import org.triage.schemas.RecordSizes;
import org.triage.stream.alerting.AlertRule;
import org.triage.stream.alerting.LabelMatchRule;
import org.triage.stream.alerting.NoveltyRule;
import org.triage.stream.alerting.ScoredFilm;
import org.triage.stream.cluster.ClusterSettings;
import org.triage.stream.cluster.Explanation;
import org.triage.stream.cluster.NoveltyClusterProcessor;
import org.triage.stream.cluster.ThresholdsHeader;
import org.triage.schemas.Topics;
import org.triage.stream.metrics.StreamMetrics;
import org.triage.stream.model.BatchEmbedder;
import org.triage.stream.model.ModelHolder;

/**
 * Dynamic batching, inference and scoring for one task (one input partition).
 *
 * <p>Each radiograph is put into the changelogged pending store on arrival and only removed in
 * the same transaction that emits its finding, so a crash at any point loses nothing and emits
 * nothing twice. The store keeps where the record is ({@link PendingRecord}), not its image: the
 * bytes are held in memory and re-read from the source partition after a restart.
 *
 * <p>A failure of one record (undecodable, gone from the log, model error on it) sends that
 * record to the DLQ. A failure of infrastructure (registry or broker not answering) is thrown
 * as {@link InfrastructureException} with nothing of the batch taken, so the task is retried
 * from its committed state and no record is stranded. A batch closes when it holds max-batch records (at once) or when its oldest
 * record has waited max-delay-ms (wall-clock punctuation). The in-memory index and the
 * preprocessing futures are caches rebuilt from the store, never the source of truth.
 */
public final class BatchingProcessor implements Processor<String, byte[], String, Object> {
    private static final Logger LOG = LoggerFactory.getLogger(BatchingProcessor.class);
    private static final String NEAREST = "\u0000nearest";

    private final StreamSettings settings;
    private final ModelHolder models;
    private final PrototypeCache prototypeCache;
    private final Deserializer<RadiographEvent> deserializer;
    private final ExecutorService preprocessPool;
    /** Null: inference runs on the stream thread (not pipelined). */
    private final ExecutorService inferencePool;
    private final StreamMetrics metrics;
    private final java.util.function.Supplier<SourceReader> sourceReaders;
    /** What a scored film raises: decided by the rules, the batcher only forwards. */
    private final List<AlertRule> alertRules;
    /** Null: nothing is clustered. Otherwise which films go to the clusterer: those it calls unexplained. */
    private final Explanation clustered;
    private final Lane lane;
    private SourceReader sourceReader;
    private InFlight inFlight;

    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, byte[]> pending;
    private KeyValueStore<String, byte[]> sketches;
    private ReadOnlyKeyValueStore<String, LabelPrototype> prototypes;
    private Cancellable punctuator;
    /** store key -> arrival wall time, in arrival order. */
    private final LinkedHashMap<String, Long> index = new LinkedHashMap<>();
    private final Map<String, Prepared> prepared = new HashMap<>();
    /** store key -> the bytes and event of records read since this task started (restored ones are re-read). */
    private final Map<String, Held> held = new HashMap<>();
    private long lastNoModelWarning;

    private record Prepared(String modelRef, Future<float[]> tensor) {
    }

    private record Held(byte[] value, RadiographEvent event) {
    }

    public BatchingProcessor(StreamSettings settings, ModelHolder models, PrototypeCache prototypeCache,
                             Deserializer<RadiographEvent> deserializer, ExecutorService preprocessPool,
                             ExecutorService inferencePool, StreamMetrics metrics,
                             java.util.function.Supplier<SourceReader> sourceReaders) {
        this(settings, models, prototypeCache, deserializer, preprocessPool, inferencePool, metrics, sourceReaders, false);
    }

    /** @param clusterNovel forward the embedding of every unexplained film (default cluster settings) to the clusterer */
    public BatchingProcessor(StreamSettings settings, ModelHolder models, PrototypeCache prototypeCache,
                             Deserializer<RadiographEvent> deserializer, ExecutorService preprocessPool,
                             ExecutorService inferencePool, StreamMetrics metrics,
                             java.util.function.Supplier<SourceReader> sourceReaders, boolean clusterNovel) {
        this(Lane.ROUTINE, settings, models, prototypeCache, deserializer, preprocessPool, inferencePool, metrics, sourceReaders,
                clusterNovel ? Explanation.of(ClusterSettings.disabled(), settings.noveltyThreshold()) : null);
    }

    /**
     * @param lane      whose stores it uses and whose sinks it forwards to
     * @param clustered which films go to the clusterer (null: none)
     */
    public BatchingProcessor(Lane lane, StreamSettings settings, ModelHolder models, PrototypeCache prototypeCache,
                             Deserializer<RadiographEvent> deserializer, ExecutorService preprocessPool,
                             ExecutorService inferencePool, StreamMetrics metrics,
                             java.util.function.Supplier<SourceReader> sourceReaders, Explanation clustered) {
        this.lane = lane;
        this.clustered = clustered;
        this.settings = settings;
        this.models = models;
        this.prototypeCache = prototypeCache;
        this.deserializer = deserializer;
        this.preprocessPool = preprocessPool;
        this.inferencePool = inferencePool;
        this.metrics = metrics;
        this.sourceReaders = sourceReaders;
        this.alertRules = List.of(new LabelMatchRule(), new NoveltyRule(settings.noveltyThreshold(), settings.noveltySeverity()));
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.pending = context.getStateStore(lane.pendingStore());
        this.sketches = context.getStateStore(lane.sketchStore());
        this.prototypes = context.getStateStore(StreamTopology.PROTOTYPE_STORE);
        // After a crash or a rebalance the store holds the records that were waiting: rebuild the index.
        List<KeyValue<String, Long>> restored = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = pending.all()) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                restored.add(KeyValue.pair(kv.key, PendingRecord.decode(kv.value).arrivedAtMs()));
            }
        }
        restored.sort(Comparator.comparingLong(kv -> kv.value));
        restored.forEach(kv -> index.put(kv.key, kv.value));
        metrics.pendingDelta(index.size());
        if (!index.isEmpty()) {
            LOG.info("task {}: {} record(s) waiting from before the restart", context.taskId(), index.size());
        }
        long tick = Math.max(1, Math.min(50, settings.maxDelayMs() / 4));
        punctuator = context.schedule(Duration.ofMillis(tick), PunctuationType.WALL_CLOCK_TIME, this::onTick);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        metrics.recordIn();
        completeInFlight(false);
        Optional<RecordMetadata> md = context.recordMetadata();
        String topic = md.map(RecordMetadata::topic).orElse(lane.topic());
        int partition = md.map(RecordMetadata::partition).orElse(-1);
        long offset = md.map(RecordMetadata::offset).orElse(-1L);
        if (lane == Lane.ROUTINE && Lane.scoredElsewhere(record.headers())) {
            metrics.laneCopySkipped();
            return; // the STAT lane's copy of a film it scored itself
        }
        byte[] value = record.value();
        if (value == null) {
            dlq(record.key(), null, record.timestamp(), "deserialize", "null value (tombstone) on " + topic, topic, partition, offset);
            return;
        }
        RadiographEvent event;
        try {
            event = deserialize(topic, value);
        } catch (RuntimeException e) {
            Failures.rethrowIfInfrastructure(e, "deserializing " + topic + "-" + partition + "@" + offset);
            dlq(record.key(), value, record.timestamp(), "deserialize", describe(e), topic, partition, offset);
            return;
        }
        metrics.infrastructureRecovered();
        String key = event.getSopInstanceUid();
        long now = context.currentSystemTimeMs();
        pending.put(key, PendingRecord.pointer(record.key(), now, record.timestamp(), topic, partition, offset).encode());
        held.put(key, new Held(value, event));
        if (index.putIfAbsent(key, now) == null) {
            metrics.pendingDelta(1);
        }
        prepare(key, event);
        if (index.size() >= settings.maxBatch()) {
            flush();
        }
    }

    private RadiographEvent deserialize(String topic, byte[] value) {
        RadiographEvent event = deserializer.deserialize(topic, value);
        if (event == null || event.getSopInstanceUid() == null || event.getSopInstanceUid().isBlank()) {
            throw new IllegalArgumentException("event without a SOP Instance UID");
        }
        return event;
    }

    private void onTick(long wallClock) {
        completeInFlight(false);
        if (index.isEmpty() || inFlight != null) {
            // While a batch is in flight the next one keeps filling (and the stream thread keeps consuming)
            // instead of blocking here to close a partial batch; it starts once the model is free or it is full.
            return;
        }
        long oldest = index.values().iterator().next();
        if (context.currentSystemTimeMs() - oldest >= settings.maxDelayMs()) {
            flush();
        }
    }

    /** Starts decoding + preprocessing on the pool, so it overlaps the stream thread's other work. */
    private void prepare(String key, RadiographEvent event) {
        Optional<ModelHolder.Lease> lease = models.acquire();
        if (lease.isEmpty()) {
            return;
        }
        try (ModelHolder.Lease l = lease.get()) {
            BatchEmbedder model = l.model();
            String ref = model.info().ref();
            Prepared old = prepared.put(key, new Prepared(ref, preprocessPool.submit(() -> model.preprocess(ImageBytes.of(event.getImage())))));
            if (old != null) {
                old.tensor.cancel(false);
            }
        }
        // The lease is released before the task finishes; a swap meanwhile closes the old model,
        // and the flush recomputes any tensor prepared for another model version.
    }

    private void flush() {
        while (true) {
            // At most one batch in flight per task: the next one starts when the previous one is emitted.
            completeInFlight(true);
            if (index.isEmpty()) {
                return;
            }
            Optional<ModelHolder.Lease> lease = models.acquire();
            if (lease.isEmpty()) {
                long now = System.currentTimeMillis();
                if (now - lastNoModelWarning > 10_000) {
                    lastNoModelWarning = now;
                    LOG.warn("task {}: {} record(s) waiting, no model loaded yet", context.taskId(), index.size());
                }
                return;
            }
            startBatch(lease.get());
            if (inferencePool == null) {
                completeInFlight(true);
            }
            if (index.size() < settings.maxBatch()) {
                return;
            }
        }
    }

    private record Item(String key, PendingRecord pending, byte[] value, RadiographEvent event, long arrivedAt) {
    }

    /** What the off-thread part of a batch produced, aligned with its items; null embedding = failed. */
    private record Outcome(float[][] embeddings, String[] stages, String[] errors, int embedded, long inferenceNanos,
                           long preprocessWaitNanos) {
    }

    /** A batch whose inference runs off the stream thread; its records stay in the pending store until emitted. */
    private record InFlight(List<Item> items, ModelHolder.Lease lease, Future<Outcome> outcome, long closedAt) {
    }

    /**
     * Moves up to max-batch records from the index into a batch and starts its preprocessing wait + inference.
     * Takes the lease: it is released here on failure, or when the batch completes.
     */
    private void startBatch(ModelHolder.Lease lease) {
        List<Item> items;
        try {
            items = takeBatch();
        } catch (RuntimeException e) {
            lease.close();
            throw e;
        }
        if (items.isEmpty()) {
            lease.close();
            return;
        }
        BatchEmbedder model = lease.model();
        long closedAt = context.currentSystemTimeMs();
        String ref = model.info().ref();
        // Tensors: from the pool when prepared for this model version, otherwise now.
        List<Future<float[]>> futures = new ArrayList<>(items.size());
        for (Item item : items) {
            Prepared p = prepared.remove(item.key);
            if (p != null && p.modelRef.equals(ref)) {
                futures.add(p.tensor);
            } else {
                if (p != null) {
                    p.tensor.cancel(false);
                }
                futures.add(preprocessPool.submit(() -> model.preprocess(ImageBytes.of(item.event.getImage()))));
            }
        }
        java.util.concurrent.Callable<Outcome> work = () -> infer(model, futures);
        Future<Outcome> outcome;
        if (inferencePool == null) {
            java.util.concurrent.FutureTask<Outcome> task = new java.util.concurrent.FutureTask<>(work);
            task.run();
            outcome = task;
        } else {
            outcome = inferencePool.submit(work);
        }
        inFlight = new InFlight(items, lease, outcome, closedAt);
    }

    /**
     * The next records in arrival order, up to max-batch, resolved to their bytes and events.
     * Records that fail on their own go to the DLQ here. On an infrastructure failure nothing has
     * left the index: the exception propagates and the same records are batched on the retry.
     */
    private List<Item> takeBatch() {
        List<Item> items = new ArrayList<>();
        List<String> resolved = new ArrayList<>();
        for (Map.Entry<String, Long> e : index.entrySet()) {
            if (items.size() >= settings.maxBatch()) {
                break;
            }
            resolved.add(e.getKey());
            resolve(e.getKey(), e.getValue()).ifPresent(items::add);
        }
        for (String key : resolved) {
            index.remove(key);
        }
        return items;
    }

    /** Empty when the record left the store or failed on its own (then it is already in the DLQ and out of the store). */
    private Optional<Item> resolve(String key, long arrivedAt) {
        byte[] stored = pending.get(key);
        if (stored == null) {
            metrics.pendingDelta(-1);
            held.remove(key);
            return Optional.empty();
        }
        PendingRecord pr = PendingRecord.decode(stored);
        Held h = held.get(key);
        if (h != null) {
            return Optional.of(new Item(key, pr, h.value, h.event, arrivedAt));
        }
        byte[] value = pr.value();
        if (value == null) {
            if (sourceReader == null) {
                sourceReader = sourceReaders.get();
            }
            Optional<byte[]> read = sourceReader.read(pr.sourceTopic(), pr.partition(), pr.offset());
            if (read.isEmpty()) {
                forget(key, pr, null, "restore", "the record was pending when its task moved and is no longer in "
                        + pr.sourceTopic() + "-" + pr.partition() + "@" + pr.offset() + " (retention shorter than the outage?)");
                return Optional.empty();
            }
            value = read.get();
        }
        RadiographEvent event;
        try {
            event = deserialize(pr.sourceTopic(), value);
        } catch (RuntimeException e) {
            Failures.rethrowIfInfrastructure(e, "deserializing a restored record");
            forget(key, pr, value, "deserialize", describe(e));
            return Optional.empty();
        }
        held.put(key, new Held(value, event));
        return Optional.of(new Item(key, pr, value, event, arrivedAt));
    }

    /** A pending record that cannot be batched: to the DLQ and out of the store, in this transaction. */
    private void forget(String key, PendingRecord pr, byte[] value, String stage, String error) {
        dlq(pr.originalKey(), value, pr.timestamp(), stage, error, pr.sourceTopic(), pr.partition(), pr.offset());
        metrics.pendingDelta(-1);
        pending.delete(key);
        held.remove(key);
    }

    /** Off the stream thread: waits for the tensors and runs the visual model. Touches no Kafka state. */
    private Outcome infer(BatchEmbedder model, List<Future<float[]>> futures) throws InterruptedException {
        int n = futures.size();
        String[] stages = new String[n];
        String[] errors = new String[n];
        float[][] tensors = new float[n][];
        long waitStart = System.nanoTime();
        for (int i = 0; i < n; i++) {
            try {
                tensors[i] = futures.get(i).get();
            } catch (ExecutionException e) {
                stages[i] = "decode";
                errors[i] = describe(e.getCause());
            } catch (java.util.concurrent.CancellationException e) {
                stages[i] = "decode";
                errors[i] = "preprocessing cancelled";
            }
        }
        long waited = System.nanoTime() - waitStart;
        List<Integer> okIdx = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (tensors[i] != null) {
                okIdx.add(i);
            }
        }
        float[][] embeddings = new float[n][];
        long t0 = System.nanoTime();
        if (!okIdx.isEmpty()) {
            int dim = model.info().embeddingDim();
            float[][] batch = new float[okIdx.size()][];
            for (int j = 0; j < batch.length; j++) {
                batch[j] = tensors[okIdx.get(j)];
            }
            try {
                float[][] out = model.embed(batch);
                checkShape(out, batch.length, dim);
                for (int j = 0; j < batch.length; j++) {
                    embeddings[okIdx.get(j)] = out[j];
                }
            } catch (RuntimeException batchError) {
                // One poison image must not block the rest: retry record by record.
                LOG.warn("batch inference failed ({}); retrying record by record", describe(batchError));
                for (int i : okIdx) {
                    try {
                        float[][] one = model.embed(new float[][] {tensors[i]});
                        checkShape(one, 1, dim);
                        embeddings[i] = one[0];
                    } catch (RuntimeException e) {
                        stages[i] = "inference";
                        errors[i] = describe(e);
                    }
                }
            }
        }
        int embedded = 0;
        for (float[] e : embeddings) {
            if (e != null) {
                embedded++;
            }
        }
        return new Outcome(embeddings, stages, errors, embedded, System.nanoTime() - t0, waited);
    }

    /** On the stream thread: emits a finished batch (findings, embeddings, alerts, DLQ) and frees its records. */
    private void completeInFlight(boolean block) {
        InFlight f = inFlight;
        if (f == null || (!block && !f.outcome.isDone())) {
            return;
        }
        inFlight = null;
        try (ModelHolder.Lease lease = f.lease) {
            Outcome o;
            try {
                o = f.outcome.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a batch", e);
            } catch (ExecutionException e) {
                // Unexpected (infer() catches model errors): the records stay pending and are retried.
                requeue(f.items);
                throw new IllegalStateException("batch failed: " + describe(e.getCause()), e.getCause());
            }
            try {
                emitBatch(lease.model(), f.items, o, f.closedAt);
            } catch (RuntimeException e) {
                // E.g. the prototype store cannot be read while the registry is down: the batch is retried whole.
                requeue(f.items);
                throw e;
            }
        }
    }

    private void requeue(List<Item> items) {
        // Back in arrival order, ahead of what came later, so a retried batch is the same batch.
        LinkedHashMap<String, Long> merged = new LinkedHashMap<>();
        for (Item item : items) {
            merged.put(item.key, item.arrivedAt);
            held.putIfAbsent(item.key, new Held(item.value, item.event));
        }
        index.forEach(merged::putIfAbsent);
        index.clear();
        index.putAll(merged);
    }

    private void emitBatch(BatchEmbedder model, List<Item> items, Outcome o, long closedAt) {
        String ref = model.info().ref();
        metrics.preprocessWait(o.preprocessWaitNanos);
        List<Item> ok = new ArrayList<>(items.size());
        List<float[]> okEmbeddings = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            if (o.embeddings[i] == null) {
                fail(items.get(i), o.stages[i], o.errors[i]);
            } else {
                ok.add(items.get(i));
                okEmbeddings.add(o.embeddings[i]);
            }
        }
        if (ok.isEmpty()) {
            return;
        }
        metrics.batch(ok.size(), o.inferenceNanos);

        List<ActivePrototype> active = prototypeCache.active(prototypes, model);
        metrics.activePrototypes(active.size());
        Map<String, DistanceSketch> labelSketches = new HashMap<>();
        for (ActivePrototype ap : active) {
            labelSketches.put(ap.labelId(), loadSketch(ref, ap.labelId()));
        }
        DistanceSketch nearestSketch = loadSketch(ref, NEAREST);
        Map<String, Float> thresholds = Scorer.thresholds(active, model.info(), labelSketches, settings.sketchMinSamples());
        float noveltyRef = nearestSketch.size() >= settings.sketchMinSamples() ? nearestSketch.quantile(0.5) : Float.NaN;
        Map<String, ActivePrototype> byLabel = new HashMap<>();
        active.forEach(ap -> byLabel.put(ap.labelId(), ap));
        ModelRef modelRef = ModelRef.newBuilder().setName(model.info().name()).setVersion(model.info().version()).build();

        int emitted = 0;
        int batchSize = ok.size();
        long scoredAt = context.currentSystemTimeMs();
        for (int i = 0; i < ok.size(); i++) {
            Item item = ok.get(i);
            float[] embedding = okEmbeddings.get(i);
            try {
                Scorer.Scored scored = Scorer.score(embedding, active, model, thresholds);
                float novelty = novelty(scored.nearestDistance(), noveltyRef);
                emit(item, modelRef, embedding, scored, novelty, noveltyRef, byLabel, batchSize, scoredAt, thresholds);
                for (LabelScore ls : scored.labels()) {
                    labelSketches.get(ls.getLabelId()).add(ls.getDistance());
                }
                if (Float.isFinite(scored.nearestDistance())) {
                    nearestSketch.add(scored.nearestDistance());
                }
                emitted++;
                metrics.queueDelay(closedAt - item.arrivedAt);
            } catch (RuntimeException ex) {
                fail(item, "scoring", describe(ex));
                continue;
            }
            done(item);
        }
        labelSketches.forEach((label, sk) -> sketches.put(sketchKey(ref, label), sk.encode()));
        sketches.put(sketchKey(ref, NEAREST), nearestSketch.encode());
        metrics.findings(emitted);
        LOG.debug("task {}: batch of {} scored by {} against {} prototype(s)", context.taskId(), batchSize, ref, active.size());
    }

    private static void checkShape(float[][] out, int n, int dim) {
        if (out == null || out.length != n) {
            throw new IllegalStateException("model returned " + (out == null ? "null" : out.length + " rows") + " for " + n + " images");
        }
        for (float[] row : out) {
            if (row == null || row.length != dim) {
                throw new IllegalStateException("model returned an embedding of dimension " + (row == null ? 0 : row.length)
                        + ", manifest says " + dim);
            }
        }
    }

    private static float novelty(float nearest, float reference) {
        if (!Float.isFinite(nearest)) {
            return 0f; // no prototypes: nothing to be novel against
        }
        if (!Float.isFinite(reference) || reference <= 0) {
            return 1f; // no reference yet: call it typical
        }
        return nearest / reference;
    }

    private void emit(Item item, ModelRef modelRef, float[] embedding, Scorer.Scored scored, float novelty, float noveltyRef,
                      Map<String, ActivePrototype> byLabel, int batchSize, long scoredAt, Map<String, Float> thresholds) {
        RadiographEvent ev = item.event;
        String sop = ev.getSopInstanceUid();
        long ts = item.pending.timestamp();
        Instant received = ev.getReceivedAt();
        long latency = scoredAt - received.toEpochMilli();
        Finding finding = Finding.newBuilder()
                .setFindingId(Ids.findingId(sop, modelRef))
                .setSopInstanceUid(sop)
                .setStudyInstanceUid(ev.getStudyInstanceUid())
                .setPatientPseudonym(ev.getPatientPseudonym())
                .setModel(modelRef)
                .setLabels(scored.labels())
                .setNoveltyScore(novelty)
                .setBatchSize(batchSize)
                .setReceivedAt(received)
                .setScoredAt(Instant.ofEpochMilli(scoredAt))
                .setLatencyMs(latency)
                .setKnownLabels(ev.getKnownLabels())
                .build();
        List<Float> vector = new ArrayList<>(embedding.length);
        for (float f : embedding) {
            vector.add(f);
        }
        ImageEmbedding emb = ImageEmbedding.newBuilder().setSopInstanceUid(sop).setPatientPseudonym(ev.getPatientPseudonym())
                .setModel(modelRef).setVector(vector).setReceivedAt(received).build();
        RecordHeaders scoredWith = new RecordHeaders();
        scoredWith.add(ScoredWith.HEADER, ScoredWith.encode(byLabel.values()));
        context.forward(new Record<String, Object>(sop, emb, ts, scoredWith), lane.embeddingsSink());
        context.forward(new Record<String, Object>(sop, finding, ts), lane.findingsSink());
        metrics.endToEnd(latency);

        List<LabelScore> evidence = scored.labels().subList(0, Math.min(settings.evidenceLabels(), scored.labels().size()));
        ScoredFilm film = new ScoredFilm(ev, modelRef, scored, novelty, noveltyRef, byLabel, evidence, scoredAt);
        for (AlertRule rule : alertRules) {
            for (Alert alert : rule.alerts(film)) {
                context.forward(new Record<String, Object>(alert.getAlertId(), alert, ts), lane.alertsSink());
                metrics.alert(alert.getType().name(), alert.getLabelId());
            }
        }
        // Whether the film goes to the clusterer is decided apart from its alerts: a film no label explains
        // need not be NOVELTY (far from every prototype) and raises no alert of its own; its group may.
        if (clustered != null && Float.isFinite(noveltyRef) && clustered.unexplained(distances(scored), thresholds, noveltyRef)) {
            // The reference and the thresholds travel with the film: the clusterer's radius is relative to the
            // scale the film was judged on, and it judges a cluster's centre with the same thresholds.
            RecordHeaders h = new RecordHeaders();
            h.add(NoveltyClusterProcessor.NOVELTY_REF_HEADER, Float.toString(noveltyRef).getBytes(StandardCharsets.US_ASCII));
            h.add(ThresholdsHeader.HEADER, ThresholdsHeader.encode(thresholds));
            context.forward(new Record<String, Object>(sop, emb, ts, h), lane.novelFilmsSink());
        }
    }

    private static Map<String, Float> distances(Scorer.Scored scored) {
        Map<String, Float> out = new HashMap<>();
        for (LabelScore ls : scored.labels()) {
            out.put(ls.getLabelId(), ls.getDistance());
        }
        return out;
    }

    private DistanceSketch loadSketch(String modelRef, String label) {
        return DistanceSketch.decode(sketches.get(sketchKey(modelRef, label)), settings.sketchCapacity());
    }

    private static String sketchKey(String modelRef, String label) {
        return modelRef + "|" + label;
    }

    private void fail(Item item, String stage, String error) {
        PendingRecord pr = item.pending;
        dlq(pr.originalKey(), item.value, pr.timestamp(), stage, error, pr.sourceTopic(), pr.partition(), pr.offset());
        done(item);
    }

    /** A batch item is finished: its record leaves the pending store, in the transaction that emitted its result. */
    private void done(Item item) {
        metrics.pendingDelta(-1);
        if (index.containsKey(item.key)) {
            return; // the same SOP UID arrived again while this copy was in flight: that copy stays pending
        }
        pending.delete(item.key);
        held.remove(item.key);
    }

    private void dlq(String key, byte[] value, long ts, String stage, String error, String topic, int partition, long offset) {
        LOG.warn("to {}: stage={} source={}-{}@{} error={}", Topics.RADIOGRAPHS_DLQ, stage, topic, partition, offset, error);
        RecordHeaders h = new RecordHeaders();
        if (value != null && value.length > RecordSizes.MAX_EVENT_BYTES) {
            // Larger than any topic accepts: writing it would fail the task's transaction on every retry.
            error = error + " (original of " + value.length + " bytes not copied: over " + RecordSizes.MAX_EVENT_BYTES
                    + "; it stays at the source offset)";
            value = null;
        }
        h.add(Topics.DLQ_HEADER_ERROR, error.getBytes(StandardCharsets.UTF_8));
        h.add(Topics.DLQ_HEADER_STAGE, stage.getBytes(StandardCharsets.UTF_8));
        h.add(Topics.DLQ_HEADER_SOURCE_TOPIC, topic.getBytes(StandardCharsets.UTF_8));
        h.add(Topics.DLQ_HEADER_SOURCE_PARTITION, Integer.toString(partition).getBytes(StandardCharsets.UTF_8));
        h.add(Topics.DLQ_HEADER_SOURCE_OFFSET, Long.toString(offset).getBytes(StandardCharsets.UTF_8));
        context.forward(new Record<String, Object>(key, value, ts, h), lane.dlqSink());
        metrics.dlq(stage);
    }

    static String describe(Throwable e) {
        if (e == null) {
            return "unknown error";
        }
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + (m.length() > 500 ? m.substring(0, 500) : m));
    }

    @Override
    public void close() {
        if (punctuator != null) {
            punctuator.cancel();
        }
        InFlight f = inFlight;
        inFlight = null;
        if (f != null) {
            // Results are dropped: the records are still in the pending store and are batched again by the
            // task's next owner, so nothing is lost and nothing is emitted twice.
            try {
                f.outcome.get(60, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                f.outcome.cancel(true);
            } finally {
                f.lease.close();
            }
            metrics.pendingDelta(-f.items.size());
        }
        prepared.values().forEach(p -> p.tensor.cancel(false));
        prepared.clear();
        held.clear();
        if (sourceReader != null) {
            sourceReader.close();
            sourceReader = null;
        }
        metrics.pendingDelta(-index.size());
        index.clear();
    }
}
