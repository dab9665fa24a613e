package org.triage.stream.topology;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triage.events.LabelPrototype;
import org.triage.stream.model.BatchEmbedder;

/**
 * Projections of prototypes through the semantic model, cached per model version. Each batch
 * reads the global store afresh, so a prototype that arrived before the batch is scored, and a
 * retired one is not; only new or changed prototypes are projected. Shared by all tasks.
 */
public final class PrototypeCache {
    private static final Logger LOG = LoggerFactory.getLogger(PrototypeCache.class);
    private static final int MODELS_KEPT = 2;

    private record Entry(String fingerprint, float[] projection) {
    }

    // model ref -> label -> projection; insertion-ordered eviction of old model versions.
    private final Map<String, Map<String, Entry>> byModel = new ConcurrentHashMap<>();
    private final List<String> modelOrder = new ArrayList<>();
    private final Set<String> rejectedLogged = ConcurrentHashMap.newKeySet();

    public List<ActivePrototype> active(ReadOnlyKeyValueStore<String, LabelPrototype> store, BatchEmbedder model) {
        String ref = model.info().ref();
        Map<String, Entry> cache = cacheFor(ref);
        List<LabelPrototype> usable = new ArrayList<>();
        try (KeyValueIterator<String, LabelPrototype> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<String, LabelPrototype> kv = it.next();
                LabelPrototype p = kv.value;
                if (p == null) {
                    continue;
                }
                // Re-checked here: a restored global store, or a model of another dimension, may hold unusable entries.
                Optional<String> problem = PrototypeValidator.problem(p, model.info().classVectorDim());
                if (problem.isEmpty()) {
                    problem = PrototypeProjection.unusableBy(p, model);
                }
                if (problem.isPresent()) {
                    if (rejectedLogged.add(ref + "|" + fingerprint(p))) {
                        LOG.warn("prototype skipped for model {}: {}", ref, problem.get());
                    }
                    continue;
                }
                usable.add(p);
            }
        }
        List<LabelPrototype> missing = new ArrayList<>();
        for (LabelPrototype p : usable) {
            Entry e = cache.get(p.getLabelId());
            if (e != null && e.fingerprint.equals(fingerprint(p))) {
                continue;
            }
            if (PrototypeProjection.isSharedSpace(p)) {
                cache.put(p.getLabelId(), new Entry(fingerprint(p), PrototypeProjection.point(p))); // its own point: nothing to project
            } else {
                missing.add(p);
            }
        }
        if (!missing.isEmpty()) {
            float[][] vectors = new float[missing.size()][];
            for (int i = 0; i < vectors.length; i++) {
                vectors[i] = PrototypeValidator.vector(missing.get(i));
            }
            float[][] projected = null;
            try {
                projected = model.project(vectors);
            } catch (RuntimeException e) {
                LOG.warn("projecting {} prototype(s) through {} failed ({}); trying one by one", missing.size(), ref, e.toString());
            }
            for (int i = 0; i < vectors.length; i++) {
                LabelPrototype p = missing.get(i);
                float[] proj = projected != null && projected.length == vectors.length ? projected[i] : projectOne(model, p, vectors[i]);
                if (proj != null && proj.length == model.info().embeddingDim()) {
                    cache.put(p.getLabelId(), new Entry(fingerprint(p), proj));
                } else if (rejectedLogged.add(ref + "|" + fingerprint(p))) {
                    LOG.warn("prototype '{}' skipped for model {}: its projection failed or has the wrong dimension", p.getLabelId(), ref);
                }
            }
            LOG.info("projected {} prototype(s) through model {}", missing.size(), ref);
        }
        List<ActivePrototype> out = new ArrayList<>(usable.size());
        for (LabelPrototype p : usable) {
            Entry e = cache.get(p.getLabelId());
            if (e != null && e.fingerprint.equals(fingerprint(p))) {
                out.add(new ActivePrototype(p, e.projection));
            }
        }
        out.sort(Comparator.comparing(ActivePrototype::labelId));
        return out;
    }

    private static float[] projectOne(BatchEmbedder model, LabelPrototype p, float[] vector) {
        try {
            float[][] r = model.project(new float[][] {vector});
            return r != null && r.length == 1 ? r[0] : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private synchronized Map<String, Entry> cacheFor(String ref) {
        Map<String, Entry> m = byModel.get(ref);
        if (m == null) {
            m = new ConcurrentHashMap<>();
            byModel.put(ref, m);
            modelOrder.add(ref);
            while (modelOrder.size() > MODELS_KEPT) {
                byModel.remove(modelOrder.remove(0));
            }
        }
        return m;
    }

    static String fingerprint(LabelPrototype p) {
        float[] v = PrototypeProjection.isSharedSpace(p) ? PrototypeProjection.point(p) : PrototypeValidator.vector(p);
        return p.getLabelId() + "|" + p.getVersion() + "|" + p.getUpdatedAt().toEpochMilli() + "|" + Arrays.hashCode(v);
    }
}
