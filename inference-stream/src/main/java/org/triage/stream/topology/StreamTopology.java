package org.triage.stream.topology;

import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.triage.events.Alert;
import org.triage.events.Finding;
import org.triage.events.ImageEmbedding;
import org.triage.events.LabelPrototype;
import org.triage.events.RadiographEvent;
import org.triage.schemas.Topics;
import org.triage.stream.cluster.ClusterSettings;
import org.triage.stream.cluster.Explanation;
import org.triage.stream.cluster.NoveltyClusterProcessor;
import org.triage.stream.metrics.StreamMetrics;
import org.triage.stream.model.ModelHolder;
import org.triage.stream.serde.EventSerdes;
import org.triage.stream.thumbnail.ThumbnailProcessor;
import org.triage.stream.thumbnail.ThumbnailSink;
import org.triage.stream.thumbnail.ThumbnailWriter;

/**
 * The inference topology:
 * <pre>
 *  radiographs (bytes) ─► batcher ──┬─► embeddings
 *    [pending store: offsets only]  ├─► findings
 *    [distance sketches, changelog] ├─► alerts
 *                                   └─► radiographs-dlq (original bytes + error headers)
 *  radiographs (bytes) ─► thumbnailer ─► ThumbnailSink (off the stream thread) ─► thumbnails
 *  label-prototypes ─► prototype validator ─► global prototype store (read by the batcher)
 *  batcher ─(unexplained films)─► <app>-novel-films (1 partition) ─► clusterer ─► alerts (NOVELTY_CLUSTER)
 *                                                  [novelty-clusters store, changelog]
 *
 *  STAT lane, application <app>-stat:
 *  radiographs-stat ─► stat batcher ─► embeddings, findings, alerts, radiographs-dlq, <app>-novel-films
 *                   ├► stat thumbnailer
 *                   └► stat copy ─► radiographs (header triage.scored-in-lane=stat: the routine batcher skips it)
 * </pre>
 * The input is read as bytes and deserialized inside the batcher, so a record that does not
 * deserialize reaches the DLQ with its original bytes as part of the task's transaction.
 */
public final class StreamTopology {
    public static final String SOURCE = "radiographs-source";
    public static final String BATCHER = "batcher";
    public static final String FINDINGS_SINK = "findings-sink";
    public static final String EMBEDDINGS_SINK = "embeddings-sink";
    public static final String ALERTS_SINK = "alerts-sink";
    public static final String DLQ_SINK = "dlq-sink";
    public static final String PENDING_STORE = "pending-batch";
    public static final String SKETCH_STORE = "distance-sketches";
    public static final String PROTOTYPE_STORE = "label-prototypes-store";
    public static final String NOVEL_FILMS_SINK = "novel-films-sink";
    public static final String CLUSTER_SOURCE = "novel-films-source";
    public static final String CLUSTERER = "novelty-clusterer";
    public static final String CLUSTER_STORE = "novelty-clusters";
    public static final String CLUSTER_ALERTS_SINK = "cluster-alerts-sink";
    public static final String THUMBNAILER = "thumbnailer";

    private StreamTopology() {
    }

    /**
     * @param inferencePool runs batches off the stream thread when {@code settings.pipelined()}; may be null otherwise
     */
    public static Topology build(StreamSettings settings, EventSerdes serdes, ModelHolder models, PrototypeCache cache,
                                 ExecutorService preprocessPool, ExecutorService inferencePool, StreamMetrics metrics,
                                 DlqSink prototypeDlq, ThumbnailSink thumbnails, Supplier<SourceReader> sourceReaders) {
        return build(settings, ClusterSettings.disabled(), serdes, models, cache, preprocessPool, inferencePool, metrics, prototypeDlq,
                thumbnails, sourceReaders);
    }

    /**
     * @param clusters   where NOVELTY films are clustered (disabled: no clusterer sub-topology)
     * @param thumbnails where each film goes for its preview ({@link ThumbnailWriter} in service)
     */
    public static Topology build(StreamSettings settings, ClusterSettings clusters, EventSerdes serdes, ModelHolder models,
                                 PrototypeCache cache, ExecutorService preprocessPool, ExecutorService inferencePool,
                                 StreamMetrics metrics, DlqSink prototypeDlq, ThumbnailSink thumbnails,
                                 Supplier<SourceReader> sourceReaders) {
        return build(Lane.ROUTINE, settings, clusters, serdes, models, cache, preprocessPool, inferencePool, metrics, prototypeDlq,
                thumbnails, sourceReaders);
    }

    /**
     * One lane's application. The STAT lane runs as a KafkaStreams application of its own (its own
     * consumer, stream thread and preprocessing pool): in a shared one, its film would wait behind
     * the routine backlog the consumer already fetched and the stream thread is working through.
     *
     * @param lane ROUTINE: the routine lane and, when enabled, the novelty clusterer; STAT: the STAT lane and its copy to radiographs
     */
    public static Topology build(Lane lane, StreamSettings settings, ClusterSettings clusters, EventSerdes serdes, ModelHolder models,
                                 PrototypeCache cache, ExecutorService preprocessPool, ExecutorService inferencePool,
                                 StreamMetrics metrics, DlqSink prototypeDlq, ThumbnailSink thumbnails,
                                 Supplier<SourceReader> sourceReaders) {
        if (settings.pipelined() && inferencePool == null) {
            throw new IllegalArgumentException("a pipelined stream needs an inference pool");
        }
        Serde<RadiographEvent> radiographSerde = serdes.value(RadiographEvent.class);
        Serde<LabelPrototype> prototypeSerde = serdes.value(LabelPrototype.class);
        Serde<Finding> findingSerde = serdes.value(Finding.class);
        Serde<ImageEmbedding> embeddingSerde = serdes.value(ImageEmbedding.class);
        Serde<Alert> alertSerde = serdes.value(Alert.class);

        StoreBuilder<KeyValueStore<String, LabelPrototype>> prototypeStore = Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(PROTOTYPE_STORE), Serdes.String(), prototypeSerde).withLoggingDisabled();

        Supplier<Integer> expectedDim = () -> models.info().map(i -> i.classVectorDim()).orElse(null);

        Topology t = new Topology();
        // Bytes in, deserialized by the processor: a registry outage is retried there, not DLQ'd by a handler.
        t.addGlobalStore(prototypeStore, "label-prototypes-source", Serdes.String().deserializer(),
                Serdes.ByteArray().deserializer(), Topics.LABEL_PROTOTYPES, "prototype-validator",
                () -> new PrototypeStoreProcessor(expectedDim, prototypeDlq, prototypeSerde.deserializer(), metrics));
        addLane(t, lane, settings, clusters, models, cache, radiographSerde, preprocessPool, inferencePool, metrics, sourceReaders,
                thumbnails, findingSerde, embeddingSerde, alertSerde);
        if (lane == Lane.STAT) {
            t.addProcessor(Lane.STAT_COPY, StatCopyProcessor::new, Lane.STAT.source());
            t.addSink(Lane.STAT_COPY_SINK, Topics.RADIOGRAPHS, Serdes.String().serializer(), Serdes.ByteArray().serializer(),
                    Lane.STAT_COPY);
            return t; // the clusterer runs once, in the routine application
        }
        if (clusters.enabled()) {
            t.addSource(CLUSTER_SOURCE, Serdes.String().deserializer(), embeddingSerde.deserializer(), clusters.topic());
            t.addProcessor(CLUSTERER, () -> new NoveltyClusterProcessor(clusters, models, metrics, settings.noveltySeverity(),
                    settings.noveltyThreshold(), CLUSTER_STORE, PROTOTYPE_STORE, cache, CLUSTER_ALERTS_SINK), CLUSTER_SOURCE);
            t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CLUSTER_STORE), Serdes.String(),
                    Serdes.ByteArray()), CLUSTERER);
            t.addSink(CLUSTER_ALERTS_SINK, Topics.ALERTS, Serdes.String().serializer(), alertSerde.serializer(), CLUSTERER);
        }
        return t;
    }

    /** A lane's source, batcher (with its own pending and sketch stores), thumbnailer and sinks: a sub-topology of its own. */
    private static void addLane(Topology t, Lane lane, StreamSettings settings, ClusterSettings clusters, ModelHolder models,
                                PrototypeCache cache, Serde<RadiographEvent> radiographSerde, ExecutorService preprocessPool,
                                ExecutorService inferencePool, StreamMetrics metrics, Supplier<SourceReader> sourceReaders,
                                ThumbnailSink thumbnails, Serde<Finding> findingSerde, Serde<ImageEmbedding> embeddingSerde,
                                Serde<Alert> alertSerde) {
        StoreBuilder<KeyValueStore<String, byte[]>> pendingStore = Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(lane.pendingStore()), Serdes.String(), Serdes.ByteArray()).withCachingDisabled();
        StoreBuilder<KeyValueStore<String, byte[]>> sketchStore = Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(lane.sketchStore()), Serdes.String(), Serdes.ByteArray());
        // Bytes in, deserialized by the processor: a registry outage is retried there, not DLQ'd by a handler.
        t.addSource(lane.source(), Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), lane.topic());
        t.addProcessor(lane.batcher(), () -> new BatchingProcessor(lane, settings, models, cache, radiographSerde.deserializer(),
                preprocessPool, settings.pipelined() ? inferencePool : null, metrics, sourceReaders,
                clusters.enabled() ? Explanation.of(clusters, settings.noveltyThreshold()) : null), lane.source());
        t.addStateStore(pendingStore, lane.batcher());
        t.addStateStore(sketchStore, lane.batcher());
        t.addSink(lane.findingsSink(), Topics.FINDINGS, Serdes.String().serializer(), findingSerde.serializer(), lane.batcher());
        t.addSink(lane.embeddingsSink(), Topics.EMBEDDINGS, Serdes.String().serializer(), embeddingSerde.serializer(), lane.batcher());
        t.addSink(lane.alertsSink(), Topics.ALERTS, Serdes.String().serializer(), alertSerde.serializer(), lane.batcher());
        t.addSink(lane.dlqSink(), Topics.RADIOGRAPHS_DLQ, Serdes.String().serializer(), Serdes.ByteArray().serializer(), lane.batcher());
        t.addProcessor(lane.thumbnailer(), () -> new ThumbnailProcessor(radiographSerde.deserializer(), thumbnails, metrics), lane.source());
        if (clusters.enabled()) {
            t.addSink(lane.novelFilmsSink(), clusters.topic(), Serdes.String().serializer(), embeddingSerde.serializer(), lane.batcher());
        }
    }
}
