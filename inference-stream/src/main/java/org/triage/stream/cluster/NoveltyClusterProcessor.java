package org.triage.stream.cluster;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triage.events.Alert;
import org.triage.events.ImageEmbedding;
import org.triage.events.Severity;
import org.triage.stream.alerting.Alerts;
import org.triage.stream.metrics.StreamMetrics;
import org.triage.stream.model.ModelHolder;

/**
 * The clusterer task: reads the one-partition novel-films topic (every unexplained film of every
 * instance, in one order, see {@link Explanation}), assigns each film with {@link NoveltyClusterer}, keeps the clusters in
 * a changelogged store (so a crash or a move to another instance resumes where the last commit
 * left it, under exactly-once) and sends the cluster's NOVELTY_CLUSTER alert, under the cluster's
 * one id, whenever a cluster at or above the alerting size grows.
 */
public final class NoveltyClusterProcessor implements Processor<String, ImageEmbedding, String, Object> {
    private static final Logger LOG = LoggerFactory.getLogger(NoveltyClusterProcessor.class);
    /** Header on a novel-films record: the model's typical nearest-prototype distance when the film was scored. */
    public static final String NOVELTY_REF_HEADER = "triage.novelty.ref";

    private final ClusterSettings settings;
    private final NoveltyClusterer clusterer;
    private final Explanation explanation;
    private final ModelHolder models;
    private final StreamMetrics metrics;
    private final Severity severity;
    private final String storeName;
    private final String prototypeStoreName;
    private final org.triage.stream.topology.PrototypeCache prototypes;
    private org.apache.kafka.streams.state.ReadOnlyKeyValueStore<String, org.triage.events.LabelPrototype> prototypeStore;
    private final String sinkName;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, byte[]> store;
    private String skippedLoggedFor;

    /**
     * @param noveltyThreshold   the NOVELTY rule's ratio: with the settings' basis, what makes a cluster's centre unexplained
     * @param prototypeStoreName the global prototype store; {@code prototypes} the batcher's projection cache
     */
    public NoveltyClusterProcessor(ClusterSettings settings, ModelHolder models, StreamMetrics metrics, Severity severity,
                                   double noveltyThreshold, String storeName, String prototypeStoreName,
                                   org.triage.stream.topology.PrototypeCache prototypes, String sinkName) {
        this.settings = settings;
        this.clusterer = new NoveltyClusterer(settings, noveltyThreshold);
        this.explanation = Explanation.of(settings, noveltyThreshold);
        this.prototypeStoreName = prototypeStoreName;
        this.prototypes = prototypes;
        this.models = models;
        this.metrics = metrics;
        this.severity = severity;
        this.storeName = storeName;
        this.sinkName = sinkName;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.store = context.getStateStore(storeName);
        this.prototypeStore = context.getStateStore(prototypeStoreName);
    }

    /** Header value written by the batcher; NaN when absent or unreadable. */
    public static float noveltyRef(Headers headers) {
        Header h = headers.lastHeader(NOVELTY_REF_HEADER);
        if (h == null || h.value() == null) {
            return Float.NaN;
        }
        try {
            return Float.parseFloat(new String(h.value(), StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            return Float.NaN;
        }
    }

    @Override
    public void process(Record<String, ImageEmbedding> record) {
        ImageEmbedding e = record.value();
        float ref = noveltyRef(record.headers());
        if (e == null || !(ref > 0) || !Float.isFinite(ref)) {
            metrics.clusterFilm(false);
            return;
        }
        String filmModel = e.getModel().getName() + ":" + e.getModel().getVersion();
        Optional<ModelHolder.Lease> lease = models.acquire();
        if (lease.isEmpty()) {
            skip(filmModel, "no model loaded");
            return;
        }
        try (ModelHolder.Lease l = lease.get()) {
            if (!l.model().info().ref().equals(filmModel)) {
                // The radius is in the film's model's units and its metric is the one in service: a film of a
                // model no longer in service cannot be placed honestly (clusters of the new model start afresh).
                skip(filmModel, "its model is not the one in service (" + l.model().info().ref() + ")");
                return;
            }
            float[] vector = new float[e.getVector().size()];
            for (int i = 0; i < vector.length; i++) {
                vector[i] = e.getVector().get(i);
            }
            List<NoveltyCluster> open = new ArrayList<>();
            try (KeyValueIterator<String, byte[]> it = store.all()) {
                while (it.hasNext()) {
                    KeyValue<String, byte[]> kv = it.next();
                    open.add(NoveltyCluster.decode(kv.value));
                }
            }
            NoveltyClusterer.NovelFilm film = new NoveltyClusterer.NovelFilm(e.getSopInstanceUid(), e.getPatientPseudonym(),
                    e.getModel().getName(), e.getModel().getVersion(), vector, e.getReceivedAt().toEpochMilli(), ref);
            var model = l.model();
            List<org.triage.stream.topology.ActivePrototype> active = prototypes.active(prototypeStore, model);
            // The centre is judged as the film was: by the labels in force now, with the thresholds the film was scored with.
            Map<String, Float> thresholds = ThresholdsHeader.decode(record.headers());
            NoveltyClusterer.Outcome out = clusterer.assign(film, open, model::distance, (NoveltyClusterer.CentreTest) centre -> {
                if (active.isEmpty()) {
                    return true; // every prototype withdrawn since the films were scored: nothing explains the centre
                }
                Map<String, Float> distances = new HashMap<>();
                for (var ap : active) {
                    distances.put(ap.labelId(), model.distance(centre, ap.projection()));
                }
                return explanation.unexplained(distances, thresholds, ref);
            });
            for (NoveltyCluster gone : out.expired()) {
                store.delete(gone.id());
            }
            NoveltyCluster c = out.cluster();
            store.put(c.id(), c.encode());
            metrics.clusterFilm(true);
            metrics.openClusters((int) Math.min(Integer.MAX_VALUE, store.approximateNumEntries()));
            if (out.raise()) {
                Alert alert = Alerts.cluster(c, settings.minSize(), severity, context.currentSystemTimeMs());
                context.forward(new Record<String, Object>(alert.getAlertId(), alert, record.timestamp()), sinkName);
                if (c.size() == settings.minSize()) {
                    metrics.alert(alert.getType().name(), null);
                    LOG.info("novelty cluster {} reached {} films (model {})", c.id(), c.size(), c.modelRef());
                }
            }
        }
    }

    private void skip(String filmModel, String why) {
        metrics.clusterFilm(false);
        if (!filmModel.equals(skippedLoggedFor)) {
            skippedLoggedFor = filmModel;
            LOG.info("novel films of model {} are not clustered: {}", filmModel, why);
        }
    }
}
