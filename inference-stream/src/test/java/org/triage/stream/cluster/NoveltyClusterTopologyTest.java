package org.triage.stream.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triage.events.Alert;
import org.triage.events.AlertType;
import org.triage.events.LabelPrototype;
import org.triage.events.PrototypeKind;
import org.triage.events.RadiographEvent;
import org.triage.events.ThresholdMode;
import org.triage.schemas.Topics;
import org.triage.stream.metrics.StreamMetrics;
import org.triage.stream.model.ModelHolder;
import org.triage.stream.testing.Events;
import org.triage.stream.testing.FakeEmbedder;
import org.triage.stream.testing.PlainAvroSerdes;
import org.triage.stream.topology.DlqSink;
import org.triage.stream.topology.ErrorHandlers;
import org.triage.stream.topology.PrototypeCache;
import org.triage.stream.topology.StreamSettings;
import org.triage.stream.topology.StreamTopology;

/**
 * The whole path in the topology: films of a class with no prototype are NOVELTY, travel to the
 * clusterer, and surface as one NOVELTY_CLUSTER alert (one id, re-sent as it grows); outliers of
 * the known classes are NOVELTY too but form no cluster.
 */
class NoveltyClusterTopologyTest {
    private static final String NOVEL_TOPIC = "test-novel-films";
    private static final int DIM = 16;

    private static float[] axis(int d, float value) {
        float[] v = new float[DIM];
        v[d] = value;
        return v;
    }
    @TempDir
    Path stateDir;
    private final ModelHolder models = new ModelHolder();
    private final StreamMetrics metrics = new StreamMetrics();
    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private TopologyTestDriver driver;

    @AfterEach
    void tearDown() {
        if (driver != null) {
            driver.close();
        }
        pool.shutdownNow();
        models.close();
    }

    @Test
    void filmsOfAnUnnamedClassBecomeOneGrowingClusterAlertAndKnownOutliersDoNot() {
        StreamSettings settings = StreamSettings.defaults().withBatching(8, 1000).withPreprocessThreads(2).withSketch(64, 16)
                .withPipelined(false);
        ClusterSettings clusters = new ClusterSettings(NOVEL_TOPIC, ClusterSettings.DEFAULT_RADIUS_FACTOR, 5, java.time.Duration.ofDays(7), 200, true);
        DlqSink sink = (key, value, stage, error, topic, partition, offset) -> {
            throw new AssertionError("nothing goes to the DLQ here: " + stage + " " + error);
        };
        var topology = StreamTopology.build(settings, clusters, new PlainAvroSerdes(), models, new PrototypeCache(), pool, null, metrics,
                sink, (sop, image) -> { }, () -> null);
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "cluster-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, ErrorHandlers.Deserialization.class);
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, ErrorHandlers.Processing.class);
        p.put(ErrorHandlers.DLQ_SINK_CONFIG, sink);
        p.put(ErrorHandlers.METRICS_CONFIG, metrics);
        driver = new TopologyTestDriver(topology, p, Instant.ofEpochMilli(1_000_000));
        var eventSerializer = PlainAvroSerdes.serde(RadiographEvent.class).serializer();
        TestInputTopic<String, byte[]> radiographs = driver.createInputTopic(Topics.RADIOGRAPHS, Serdes.String().serializer(),
                Serdes.ByteArray().serializer());
        TestInputTopic<String, LabelPrototype> prototypes = driver.createInputTopic(Topics.LABEL_PROTOTYPES, Serdes.String().serializer(),
                PlainAvroSerdes.serde(LabelPrototype.class).serializer());
        TestOutputTopic<String, Alert> alerts = driver.createOutputTopic(Topics.ALERTS, Serdes.String().deserializer(),
                PlainAvroSerdes.serde(Alert.class).deserializer());

        // Two known labels; a third class (around C) has no prototype. 16-d, like a small shared space:
        // its films spread around C as far as the known classes' films spread around their prototypes;
        // one in ten known films (after a warm-up) is an outlier three times farther out, so NOVELTY too.
        models.swap(new FakeEmbedder("v1", DIM));
        float[] protoA = axis(0, 1f);
        float[] protoB = axis(1, 1f);
        float[] centreC = axis(2, 1f);
        prototypes.pipeInput("A", Events.prototype("A", PrototypeKind.SEEN, ThresholdMode.NEVER, null, false, protoA));
        prototypes.pipeInput("B", Events.prototype("B", PrototypeKind.SEEN, ThresholdMode.NEVER, null, false, protoB));
        Random rnd = new Random(11);
        Set<String> unnamed = new HashSet<>();
        Set<String> knownOutliers = new HashSet<>();
        for (int i = 0; i < 480; i++) {
            String sop = "film-" + i;
            float[] centre;
            double sd = 0.05;
            if (i >= 80 && i % 6 == 0) {
                unnamed.add(sop);
                centre = centreC;
            } else {
                centre = i % 2 == 0 ? protoA : protoB;
                if (i >= 80 && i % 10 == 3) {
                    knownOutliers.add(sop);
                    sd = 0.15;
                }
            }
            float[] v = new float[DIM];
            for (int d = 0; d < DIM; d++) {
                v[d] = centre[d] + (float) (sd * rnd.nextGaussian());
            }
            radiographs.pipeInput(sop, eventSerializer.serialize(Topics.RADIOGRAPHS,
                    Events.radiograph(sop, FakeEmbedder.image(v), 1_000_000L + 1000L * i)));
        }
        driver.advanceWallClockTime(java.time.Duration.ofSeconds(5));

        List<TestRecord<String, Alert>> out = alerts.readRecordsToList();
        Set<String> novel = new HashSet<>();
        Map<String, Alert> latestCluster = new LinkedHashMap<>();
        int clusterRecords = 0;
        for (TestRecord<String, Alert> r : out) {
            Alert a = r.value();
            if (a.getType() == AlertType.NOVELTY) {
                novel.add(a.getSopInstanceUid());
            } else if (a.getType() == AlertType.NOVELTY_CLUSTER) {
                clusterRecords++;
                Alert before = latestCluster.put(a.getAlertId(), a);
                assertTrue(before == null || before.getCluster().getSize() < a.getCluster().getSize(),
                        "an update only ever grows the cluster");
            }
        }
        assertEquals(1, latestCluster.size(), "one cluster alert (id), updated in place: " + latestCluster.keySet());
        Alert cluster = latestCluster.values().iterator().next();
        List<String> members = cluster.getCluster().getMembers().stream().map(CharSequence::toString).toList();
        long ofUnnamed = members.stream().filter(unnamed::contains).count();
        Set<String> novelUnnamed = new HashSet<>(unnamed);
        novelUnnamed.retainAll(novel);
        double purity = (double) ofUnnamed / members.size();
        double recall = (double) ofUnnamed / unnamed.size();
        long outliersNovel = knownOutliers.stream().filter(novel::contains).count();
        System.out.printf("clusters in topology: %d unnamed-class films (%d NOVELTY), %d known outliers NOVELTY; one cluster of %d, "
                        + "purity %.3f, recall %.3f, %d alert records for it%n", unnamed.size(), novelUnnamed.size(), outliersNovel,
                cluster.getCluster().getSize(), purity, recall, clusterRecords);
        assertTrue(outliersNovel >= 10, "known-class outliers were NOVELTY too, so the test means something: " + outliersNovel);
        assertTrue(purity >= 0.95, "purity " + purity);
        assertTrue(recall >= 0.9, "recall " + recall);
        assertEquals(cluster.getCluster().getSize(), members.size());
        assertTrue(clusterRecords >= 1 && clusterRecords <= cluster.getCluster().getSize() - clusters.minSize() + 1,
                "at most one alert record per growth step from the minimum size on (merges grow it by more than one): " + clusterRecords);
        assertEquals(cluster.getCluster().getSize(), (int) cluster.getScore());
        double off = 0;
        for (int d = 0; d < DIM; d++) {
            double diff = cluster.getCluster().getCentroid().get(d) - (d == 2 ? 1 : 0);
            off += diff * diff;
        }
        assertTrue(Math.sqrt(off) < 0.1, "centroid near the class's centre: " + Math.sqrt(off));

        // The epidemiologist names it: a shared-space prototype at the centroid (what prototypes add --from-cluster writes),
        // plus one for another model, which this model must not score.
        List<Float> centroid = cluster.getCluster().getCentroid();
        prototypes.pipeInput("new-disease", sharedSpace("new-disease", "fake:v1", centroid));
        prototypes.pipeInput("elsewhere", sharedSpace("elsewhere", "fake:v0", centroid));
        int before = cluster.getCluster().getSize();
        for (int i = 480; i < 540; i += 6) {
            float[] v = new float[DIM];
            for (int d = 0; d < DIM; d++) {
                v[d] = centreC[d] + (float) (0.05 * rnd.nextGaussian());
            }
            radiographs.pipeInput("late-" + i, eventSerializer.serialize(Topics.RADIOGRAPHS,
                    Events.radiograph("late-" + i, FakeEmbedder.image(v), 1_000_000L + 1000L * i)));
        }
        driver.advanceWallClockTime(java.time.Duration.ofSeconds(5));
        List<Alert> after = alerts.readValuesToList();
        long unseen = after.stream().filter(x -> x.getType() == AlertType.UNSEEN_CLASS && "new-disease".equals(String.valueOf(x.getLabelId())))
                .count();
        assertEquals(10, unseen, "each later film of the class now matches the named disease: " + after.stream().map(Alert::getType).toList());
        assertTrue(after.stream().noneMatch(x -> "elsewhere".equals(String.valueOf(x.getLabelId()))), "another model's point is not scored");
        assertTrue(after.stream().noneMatch(x -> x.getType() == AlertType.NOVELTY_CLUSTER || x.getType() == AlertType.NOVELTY),
                "explained now: no NOVELTY, the cluster stops growing at " + before);
    }

    /**
     * A class that lies between two known labels, nearer to them than the NOVELTY ratio (so none of its
     * films is NOVELTY) but outside both labels' thresholds: under the default basis its films are
     * unexplained and form one cluster alert; the known films, within their labels' thresholds, do not.
     * Under the NOVELTY basis the same films form no cluster, which is why UNEXPLAINED is the default.
     */
    @Test
    void aClassBetweenKnownLabelsThatNoLabelClaimsFormsAClusterWithoutNoveltyAlerts() {
        Map<ClusterBasis, List<Alert>> byBasis = new LinkedHashMap<>();
        Set<String> unnamed = new HashSet<>();
        for (ClusterBasis basis : ClusterBasis.values()) {
            ClusterSettings clusters = new ClusterSettings(NOVEL_TOPIC, ClusterSettings.DEFAULT_RADIUS_FACTOR, 5,
                    java.time.Duration.ofDays(7), 200, true).withBasis(basis, ClusterSettings.DEFAULT_EXPLAINED_MARGIN);
            byBasis.put(basis, runBetween(clusters, unnamed));
        }
        List<Alert> out = byBasis.get(ClusterBasis.UNEXPLAINED);
        assertTrue(out.stream().noneMatch(a -> a.getType() == AlertType.NOVELTY && unnamed.contains(a.getSopInstanceUid().toString())),
                "the class's films are near known prototypes: not NOVELTY");
        Map<String, Alert> latest = new LinkedHashMap<>();
        Set<String> facts = new HashSet<>();
        for (Alert a : out) {
            assertTrue(facts.add(a.getAlertId() + "@" + (a.getCluster() == null ? "" : a.getCluster().getSize())), "one alert per fact");
            if (a.getType() == AlertType.NOVELTY_CLUSTER) {
                latest.put(a.getAlertId(), a);
            }
        }
        assertEquals(1, latest.size(), "one cluster alert: " + latest.keySet());
        List<String> members = latest.values().iterator().next().getCluster().getMembers().stream().map(CharSequence::toString).toList();
        long ofUnnamed = members.stream().filter(unnamed::contains).count();
        double purity = (double) ofUnnamed / members.size();
        double recall = (double) ofUnnamed / unnamed.size();
        System.out.printf("class between known labels: %d films, none NOVELTY; cluster of %d, purity %.3f, recall %.3f%n", unnamed.size(),
                members.size(), purity, recall);
        assertTrue(purity >= 0.95, "purity " + purity);
        assertTrue(recall >= 0.9, "recall " + recall);
        assertTrue(byBasis.get(ClusterBasis.NOVELTY).stream().noneMatch(a -> a.getType() == AlertType.NOVELTY_CLUSTER),
                "under the NOVELTY basis the class is not seen at all");
    }

    /** 400 films: A and B (SEEN, ABSOLUTE 0.7) and, every 5th after a warm-up, a class near both with no prototype. */
    private List<Alert> runBetween(ClusterSettings clusters, Set<String> unnamed) {
        StreamSettings settings = StreamSettings.defaults().withBatching(8, 1000).withPreprocessThreads(2).withSketch(64, 16)
                .withPipelined(false);
        DlqSink sink = (key, value, stage, error, topic, partition, offset) -> {
            throw new AssertionError("nothing goes to the DLQ here: " + stage + " " + error);
        };
        var topology = StreamTopology.build(settings, clusters, new PlainAvroSerdes(), models, new PrototypeCache(), pool, null, metrics,
                sink, (sop, image) -> { }, () -> null);
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "cluster-test-" + clusters.basis());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.resolve(clusters.basis().name()).toString());
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, ErrorHandlers.Deserialization.class);
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, ErrorHandlers.Processing.class);
        p.put(ErrorHandlers.DLQ_SINK_CONFIG, sink);
        p.put(ErrorHandlers.METRICS_CONFIG, metrics);
        try (TopologyTestDriver d = new TopologyTestDriver(topology, p, Instant.ofEpochMilli(1_000_000))) {
            var eventSerializer = PlainAvroSerdes.serde(RadiographEvent.class).serializer();
            TestInputTopic<String, byte[]> radiographs = d.createInputTopic(Topics.RADIOGRAPHS, Serdes.String().serializer(),
                    Serdes.ByteArray().serializer());
            TestInputTopic<String, LabelPrototype> prototypes = d.createInputTopic(Topics.LABEL_PROTOTYPES, Serdes.String().serializer(),
                    PlainAvroSerdes.serde(LabelPrototype.class).serializer());
            TestOutputTopic<String, Alert> alerts = d.createOutputTopic(Topics.ALERTS, Serdes.String().deserializer(),
                    PlainAvroSerdes.serde(Alert.class).deserializer());
            models.swap(new FakeEmbedder("v1", DIM));
            float[] protoA = axis(0, 1f);
            float[] protoB = axis(1, 1f);
            // Known films lie about 0.48 from their prototype (sd 0.12 in 16-d), the class's about 0.82 from both:
            // 1.7 x the typical nearest distance (NOVELTY needs 2), beyond both thresholds (0.7).
            float[] centreC = axis(2, 0.4f);
            centreC[0] = 0.5f;
            centreC[1] = 0.5f;
            prototypes.pipeInput("A", Events.prototype("A", PrototypeKind.SEEN, ThresholdMode.ABSOLUTE, 0.7, false, protoA));
            prototypes.pipeInput("B", Events.prototype("B", PrototypeKind.SEEN, ThresholdMode.ABSOLUTE, 0.7, false, protoB));
            Random rnd = new Random(23);
            for (int i = 0; i < 400; i++) {
                String sop = "film-" + i;
                boolean isNew = i >= 80 && i % 5 == 0;
                float[] centre = isNew ? centreC : i % 2 == 0 ? protoA : protoB;
                double sd = isNew ? 0.03 : 0.12;
                if (isNew) {
                    unnamed.add(sop);
                }
                float[] v = new float[DIM];
                for (int k = 0; k < DIM; k++) {
                    v[k] = centre[k] + (float) (sd * rnd.nextGaussian());
                }
                radiographs.pipeInput(sop, eventSerializer.serialize(Topics.RADIOGRAPHS,
                        Events.radiograph(sop, FakeEmbedder.image(v), 1_000_000L + 1000L * i)));
            }
            d.advanceWallClockTime(java.time.Duration.ofSeconds(5));
            return alerts.readValuesToList();
        }
    }

    private static LabelPrototype sharedSpace(String id, String model, List<Float> point) {
        LabelPrototype p = Events.prototype(id, PrototypeKind.UNSEEN, ThresholdMode.ABSOLUTE, 0.4, false, 1f);
        p.setVector(new java.util.ArrayList<>());
        p.setDimension(0);
        p.setEmbedding(org.triage.events.SharedSpacePrototype.newBuilder().setModel(model).setVector(new java.util.ArrayList<>(point))
                .setSource("novelty-cluster:test").build());
        return p;
    }
}
