package org.triage.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.apache.kafka.common.header.Header;
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
import org.triage.events.Finding;
import org.triage.events.ImageEmbedding;
import org.triage.events.LabelPrototype;
import org.triage.events.LabelScore;
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

class TopologyTest {
    @TempDir
    Path stateDir;
    /** What the topology handed over for previews, in order. */
    final java.util.Map<String, org.triage.events.NormalisedImage> thumbnails = new java.util.LinkedHashMap<>();

    private final ModelHolder models = new ModelHolder();
    private final StreamMetrics metrics = new StreamMetrics();
    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private final List<String> prototypeDlq = new ArrayList<>();
    /** Every record is in memory in a single driver run: reading back from the source would be a bug. */
    private final org.triage.stream.topology.SourceReader sourceLog = new org.triage.stream.topology.SourceReader() {
        @Override
        public java.util.Optional<byte[]> read(String topic, int partition, long offset) {
            throw new AssertionError("no record should need re-reading without a restart");
        }

        @Override
        public void close() {
        }
    };
    /** Set: deserializing a radiograph fails as if the schema registry were down. */
    private volatile boolean registryDown;
    private final org.triage.stream.serde.EventSerdes serdes = new org.triage.stream.serde.EventSerdes() {
        @Override
        @SuppressWarnings("unchecked")
        public <T extends org.apache.avro.specific.SpecificRecord> org.apache.kafka.common.serialization.Serde<T> value(Class<T> type) {
            var plain = PlainAvroSerdes.serde(type);
            if (type != RadiographEvent.class) {
                return plain;
            }
            org.apache.kafka.common.serialization.Deserializer<T> de = (topic, b) -> {
                if (registryDown) {
                    throw new org.triage.schemas.serde.AvroSerdeException("fetching schema id 1 failed",
                            new org.triage.schemas.registry.SchemaRegistryException(-1, -1, "Connection refused"));
                }
                return plain.deserializer().deserialize(topic, b);
            };
            return Serdes.serdeFrom(plain.serializer(), de);
        }
    };
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> radiographs;
    private TestInputTopic<String, LabelPrototype> prototypes;
    private TestOutputTopic<String, Finding> findings;
    private TestOutputTopic<String, ImageEmbedding> embeddings;
    private TestOutputTopic<String, Alert> alerts;
    private TestOutputTopic<String, byte[]> dlq;

    private java.util.concurrent.ExecutorService inferencePool;

    private void start(StreamSettings settings, FakeEmbedder model) {
        start(settings, (org.triage.stream.model.BatchEmbedder) model);
    }

    private void start(StreamSettings settings, org.triage.stream.model.BatchEmbedder model) {
        models.swap(model);
        DlqSink sink = (key, value, stage, error, topic, partition, offset) -> prototypeDlq.add(stage + ":" + error);
        // Inference on the stream thread: the driver is single-threaded and its outputs must be deterministic.
        var topology = StreamTopology.build(inferencePool == null ? settings.withPipelined(false) : settings.withPipelined(true),
                serdes, models, new PrototypeCache(), pool, inferencePool, metrics, sink, thumbnails::put, () -> sourceLog);
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, ErrorHandlers.Deserialization.class);
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, ErrorHandlers.Processing.class);
        p.put(ErrorHandlers.DLQ_SINK_CONFIG, sink);
        p.put(ErrorHandlers.METRICS_CONFIG, metrics);
        driver = new TopologyTestDriver(topology, p, Instant.ofEpochMilli(1_000_000));
        radiographs = driver.createInputTopic(Topics.RADIOGRAPHS, Serdes.String().serializer(), Serdes.ByteArray().serializer());
        var protoSerde = PlainAvroSerdes.serde(LabelPrototype.class);
        prototypes = driver.createInputTopic(Topics.LABEL_PROTOTYPES, Serdes.String().serializer(), protoSerde.serializer());
        findings = driver.createOutputTopic(Topics.FINDINGS, Serdes.String().deserializer(),
                PlainAvroSerdes.serde(Finding.class).deserializer());
        embeddings = driver.createOutputTopic(Topics.EMBEDDINGS, Serdes.String().deserializer(),
                PlainAvroSerdes.serde(ImageEmbedding.class).deserializer());
        alerts = driver.createOutputTopic(Topics.ALERTS, Serdes.String().deserializer(), PlainAvroSerdes.serde(Alert.class).deserializer());
        dlq = driver.createOutputTopic(Topics.RADIOGRAPHS_DLQ, Serdes.String().deserializer(), Serdes.ByteArray().deserializer());
    }

    @AfterEach
    void tearDown() {
        if (driver != null) {
            driver.close();
        }
        pool.shutdownNow();
        if (inferencePool != null) {
            inferencePool.shutdownNow();
        }
        models.close();
    }

    private static final org.apache.kafka.common.serialization.Serializer<RadiographEvent> EVENT =
            PlainAvroSerdes.serde(RadiographEvent.class).serializer();

    private void send(String sop, float... image) {
        radiographs.pipeInput(sop, EVENT.serialize(Topics.RADIOGRAPHS, Events.radiograph(sop, FakeEmbedder.image(image), 999_000)));
    }

    @Test
    void everyReadableFilmIsHandedToTheThumbnailSinkUnderItsSopUidAndAnUnreadableRecordIsOnlyCounted() {
        start(settings(1, 1000), new FakeEmbedder("v1", 2));
        send("sop-a", 0, 0);
        radiographs.pipeInput("k-bad", new byte[] {1, 2, 3});
        assertEquals(List.of("sop-a"), List.copyOf(thumbnails.keySet()));
        assertEquals("0.0,0.0", new String(org.triage.stream.topology.ImageBytes.of(thumbnails.get("sop-a")), java.nio.charset.StandardCharsets.UTF_8));
        assertTrue(metrics.scrape().contains("triage_stream_thumbnails_total{outcome=\"unreadable\"} 1.0"), metrics.scrape());
        assertEquals(1, findings.readValuesToList().size(), "the batcher still scores the film");
    }

    @Test
    void aRegistryOutageFailsTheTaskForARetryAndSendsNothingToTheDlq() {
        start(settings(1, 1000), new FakeEmbedder("v1", 2));
        registryDown = true;
        byte[] bytes = EVENT.serialize(Topics.RADIOGRAPHS, Events.radiograph("sop-0", FakeEmbedder.image(0, 0), 999_000));
        RuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                () -> radiographs.pipeInput("sop-0", bytes));
        assertTrue(org.triage.stream.topology.Failures.infrastructure(e).isPresent(), "an infrastructure failure: " + e);
        assertTrue(dlq.isEmpty(), "a valid radiograph is never DLQ'd because the registry was down");
        assertNotNull(metrics.degraded(), "health says degraded while it lasts");
        assertEquals(1L, metrics.infrastructureFailures().getOrDefault("schema-registry", 0L));
        registryDown = false;
        radiographs.pipeInput("sop-0", bytes); // what the retried task reads again from its committed offset
        assertEquals("sop-0", findings.readValue().getSopInstanceUid().toString());
        assertNull(metrics.degraded(), "healthy again once records flow");
    }


    private static StreamSettings settings(int batch, long delay) {
        return StreamSettings.defaults().withBatching(batch, delay).withPreprocessThreads(2).withSketch(16, 4);
    }

    @Test
    void batchClosesAtOnceWhenFull() {
        start(settings(4, 10_000), new FakeEmbedder("v1", 2));
        for (int i = 0; i < 3; i++) {
            send("sop-" + i, i, 0);
        }
        assertTrue(findings.isEmpty(), "a batch of 3 < max-batch 4 must wait");
        send("sop-3", 3, 0);
        List<TestRecord<String, Finding>> out = findings.readRecordsToList();
        assertEquals(4, out.size());
        for (TestRecord<String, Finding> r : out) {
            assertEquals(4, r.value().getBatchSize());
            assertEquals("v1", r.value().getModel().getVersion());
            assertEquals(r.key(), r.value().getSopInstanceUid());
        }
        assertEquals(List.of("sop-0", "sop-1", "sop-2", "sop-3"), out.stream().map(TestRecord::key).toList());
        assertEquals(4, embeddings.readRecordsToList().size());
        assertEquals(1000L, out.get(0).value().getLatencyMs(), "scoredAt (mock wall clock 1,000,000) - receivedAt (999,000)");
    }

    @Test
    void batchClosesWhenOldestRecordWaitedMaxDelay() {
        start(settings(32, 200), new FakeEmbedder("v1", 2));
        send("a", 1, 0);
        driver.advanceWallClockTime(Duration.ofMillis(100));
        send("b", 2, 0);
        driver.advanceWallClockTime(Duration.ofMillis(99));
        assertTrue(findings.isEmpty(), "oldest record waited 199 ms < 200");
        driver.advanceWallClockTime(Duration.ofMillis(1));
        List<Finding> out = findings.readValuesToList();
        assertEquals(2, out.size());
        assertEquals(2, out.get(0).getBatchSize());
        assertEquals(1, metrics.snapshot().batches());
    }

    @Test
    void scoresAgainstPrototypesWithRanksAndCalibratedThresholds() {
        start(settings(1, 1000), new FakeEmbedder("v1", 2, Map.of("A", 0.5f, "B", 0.5f), List.of("A", "B")));
        prototypes.pipeInput("A", Events.prototype("A", PrototypeKind.SEEN, ThresholdMode.CALIBRATED, null, false, 1, 0));
        prototypes.pipeInput("B", Events.prototype("B", PrototypeKind.SEEN, ThresholdMode.CALIBRATED, null, false, 0, 1));
        send("x", 0.9f, 0.1f);
        Finding f = findings.readValue();
        assertEquals(2, f.getLabels().size());
        LabelScore a = f.getLabels().get(0);
        LabelScore b = f.getLabels().get(1);
        assertEquals("A", a.getLabelId());
        assertEquals(1, a.getRank());
        assertEquals((float) Math.sqrt(0.01 + 0.01), a.getDistance(), 1e-6);
        assertEquals(1f / (1f + a.getDistance()), a.getScore(), 1e-6);
        assertEquals(0.5f, a.getThreshold());
        assertTrue(a.getAboveThreshold());
        assertEquals("B", b.getLabelId());
        assertEquals(2, b.getRank());
        assertFalse(b.getAboveThreshold());
        assertEquals(PrototypeKind.SEEN, a.getKind());
        assertTrue(alerts.isEmpty(), "seen, non-rare labels raise no alert");
    }

    @Test
    void prototypeAddedMidRunIsScoredForLaterRecordsAndTombstoneRetiresIt() {
        FakeEmbedder model = new FakeEmbedder("v1", 2);
        start(settings(1, 1000), model);
        prototypes.pipeInput("A", Events.prototype("A", PrototypeKind.SEEN, ThresholdMode.NEVER, null, false, 1, 0));
        send("first", 1, 0);
        assertEquals(List.of("A"), labels(findings.readValue()));
        prototypes.pipeInput("covid", Events.prototype("covid", PrototypeKind.UNSEEN, ThresholdMode.NEVER, null, false, 0, 1));
        send("second", 1, 0);
        assertEquals(List.of("A", "covid"), labels(findings.readValue()));
        send("third", 1, 0);
        findings.readValue();
        assertEquals(2, model.projections.get(), "each prototype projected once per model version");
        prototypes.pipeInput("covid", (LabelPrototype) null);
        send("fourth", 1, 0);
        assertEquals(List.of("A"), labels(findings.readValue()));
    }

    @Test
    void invalidPrototypesAreRejectedAndTheStreamKeepsScoring() {
        start(settings(1, 1000), new FakeEmbedder("v1", 2));
        prototypes.pipeInput("A", Events.prototype("A", PrototypeKind.SEEN, ThresholdMode.NEVER, null, false, 1, 0));
        prototypes.pipeInput("nan", Events.prototype("nan", PrototypeKind.UNSEEN, ThresholdMode.NEVER, null, false, Float.NaN, 1));
        prototypes.pipeInput("zero", Events.prototype("zero", PrototypeKind.UNSEEN, ThresholdMode.NEVER, null, false, 0, 0));
        prototypes.pipeInput("dim3", Events.prototype("dim3", PrototypeKind.UNSEEN, ThresholdMode.NEVER, null, false, 1, 1, 1));
        // A later bad version of a valid label does not replace the good one.
        prototypes.pipeInput("A", Events.prototype("A", PrototypeKind.SEEN, ThresholdMode.NEVER, null, false, 0, 0));
        send("x", 1, 0);
        Finding f = findings.readValue();
        assertEquals(List.of("A"), labels(f));
        assertEquals(0f, f.getLabels().get(0).getDistance(), 1e-6, "the valid version of A is still in force");
        assertEquals(4, prototypeDlq.size(), prototypeDlq.toString());
        assertTrue(prototypeDlq.get(0).contains("NaN"), prototypeDlq.get(0));
        assertTrue(prototypeDlq.get(1).contains("zero-norm"), prototypeDlq.get(1));
        assertTrue(prototypeDlq.get(2).contains("model takes 2"), prototypeDlq.get(2));
    }

    @Test
    void badRecordsGoToTheDlqWithTheirCauseAndTheRestIsScored() {
        start(settings(3, 1000), new FakeEmbedder("v1", 2));
        radiographs.pipeInput("garbage", "not avro".getBytes(StandardCharsets.UTF_8));
        radiographs.pipeInput("bad-image", EVENT.serialize(Topics.RADIOGRAPHS,
                Events.radiograph("bad-image", "BAD".getBytes(StandardCharsets.UTF_8), 999_000)));
        send("poison", -999f, 0);
        send("good", 1, 0);
        List<TestRecord<String, byte[]>> dead = dlq.readRecordsToList();
        assertEquals(3, dead.size());
        assertEquals("garbage", dead.get(0).key());
        assertEquals("not avro", new String(dead.get(0).value(), StandardCharsets.UTF_8), "original bytes kept");
        assertEquals("deserialize", header(dead.get(0), Topics.DLQ_HEADER_STAGE));
        assertEquals(Topics.RADIOGRAPHS, header(dead.get(0), Topics.DLQ_HEADER_SOURCE_TOPIC));
        assertEquals("0", header(dead.get(0), Topics.DLQ_HEADER_SOURCE_OFFSET));
        assertEquals("decode", header(dead.get(1), Topics.DLQ_HEADER_STAGE));
        assertTrue(header(dead.get(1), Topics.DLQ_HEADER_ERROR).contains("not an image"));
        assertEquals("inference", header(dead.get(2), Topics.DLQ_HEADER_STAGE));
        assertEquals("poison", dead.get(2).key());
        List<Finding> out = findings.readValuesToList();
        assertEquals(1, out.size());
        assertEquals("good", out.get(0).getSopInstanceUid());
        assertEquals(Map.of("decode", 1L, "deserialize", 1L, "inference", 1L), metrics.snapshot().dlq());
    }

    @Test
    void aFilmMatchingAnUnseenRareLabelRaisesOneAlertWithRarityAsAnAttributeAndDeterministicIds() {
        start(settings(1, 1000), new FakeEmbedder("v1", 2));
        prototypes.pipeInput("covid", Events.prototype("covid", PrototypeKind.UNSEEN, ThresholdMode.ABSOLUTE, 0.5, true, 1, 0));
        send("near", 0.9f, 0);
        send("far", -1, 0);
        List<Alert> out = alerts.readValuesToList();
        assertEquals(1, out.size(), "one alert per fact: " + out);
        Alert a = out.get(0);
        assertEquals(AlertType.UNSEEN_CLASS, a.getType());
        assertTrue(a.getRare(), "rarity is an attribute of the one alert");
        assertEquals("near", a.getSopInstanceUid());
        assertEquals("covid", a.getLabelId());
        assertEquals(0.5f, a.getThreshold());
        assertEquals(0.1f, a.getScore(), 1e-6);
        assertEquals("v1", a.getModel().getVersion());
        assertEquals(1, a.getEvidence().size());
        // Replaying the same radiograph yields the same id: downstream, keyed by id, sees no duplicate.
        send("near", 0.9f, 0);
        List<Alert> replay = alerts.readValuesToList();
        assertEquals(List.of(a.getAlertId()), replay.stream().map(Alert::getAlertId).toList());
        assertEquals(Map.of("UNSEEN_CLASS", 2L), metrics.snapshot().alerts());
    }

    @Test
    void aSeenRareLabelRaisesRareFindingAndASeenCommonOneNothing() {
        start(settings(1, 1000), new FakeEmbedder("v1", 2));
        prototypes.pipeInput("rare", Events.prototype("rare", PrototypeKind.SEEN, ThresholdMode.ABSOLUTE, 0.5, true, 1, 0));
        prototypes.pipeInput("common", Events.prototype("common", PrototypeKind.SEEN, ThresholdMode.ABSOLUTE, 0.5, false, 0, 1));
        send("on-rare", 0.9f, 0);
        send("on-common", 0, 0.9f);
        List<Alert> out = alerts.readValuesToList();
        assertEquals(1, out.size(), out.toString());
        assertEquals(AlertType.RARE_FINDING, out.get(0).getType());
        assertEquals("on-rare", out.get(0).getSopInstanceUid());
        assertTrue(out.get(0).getRare());
    }

    /** Sends {@code n} films, a share {@code share} of them of the class around (0,1); returns the alerts they raised. */
    private int phase(String prefix, int n, double share, long seed) {
        List<float[]> films = ThresholdCalibratorTest.population(n, share, seed);
        for (int i = 0; i < films.size(); i++) {
            send(prefix + i, films.get(i)[0], films.get(i)[1]);
        }
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        return (int) alerts.readValuesToList().stream().filter(a -> "covid".equals(a.getLabelId())).count();
    }

    @Test
    void aCalibratedThresholdMakesAlertsFollowPrevalenceWhereAQuantileDoesNot() {
        FakeEmbedder model = new FakeEmbedder("v1", 2, Map.of("A", 0.3f), List.of("A"));
        start(settings(32, 50).withSketch(256, 32), model);
        // Calibrated once, on a reference population with 2% of the class, at the seen label's alert rate.
        var result = org.triage.stream.calibration.ThresholdCalibrator.calibrate(new float[] {0, 1},
                ThresholdCalibratorTest.population(2000, 0.02, 7), Map.of("A", new float[] {1.6f, 1}), Map.of("A", 0.3f),
                ThresholdCalibratorTest::euclid, null);
        LabelPrototype covid = Events.prototype("covid", PrototypeKind.UNSEEN, ThresholdMode.CALIBRATED, null, false, 0, 1);
        covid.getAlertPolicy().setCalibration(org.triage.events.Calibration.newBuilder().setThreshold(result.threshold())
                .setModel(model.info().ref()).setReferenceFilms(result.referenceFilms()).setTargetRate(result.targetRate())
                .setMethod("reference-quantile").setCalibratedAt(Instant.ofEpochMilli(1000)).build());
        prototypes.pipeInput("covid", covid);
        prototypes.pipeInput("A", Events.prototype("A", PrototypeKind.SEEN, ThresholdMode.CALIBRATED, null, false, 1.6f, 1));
        int low = phase("p2-", 1000, 0.02, 11);
        int high = phase("p20-", 1000, 0.20, 12);
        System.out.printf("calibrated threshold %.3f (rate %.3f): 2%% prevalence -> %d alerts, 20%% -> %d alerts (x%.1f)%n",
                result.threshold(), result.targetRate(), low, high, high / (double) Math.max(1, low));
        assertTrue(low > 0, "the class raises alerts at 2%");
        assertTrue(high >= 3 * low, "ten times the prevalence raises several times the alerts: " + low + " -> " + high);

        // The same films under QUANTILE (the closest 5% of the label's own recent distances): the share stays put.
        LabelPrototype q = Events.prototype("covid", PrototypeKind.UNSEEN, ThresholdMode.QUANTILE, 0.05, false, 0, 1);
        q.setVersion(2);
        prototypes.pipeInput("covid", q);
        int qWarm = phase("q-warm-", 300, 0.02, 20);
        int qLow = phase("q2-", 1000, 0.02, 21);
        int qHigh = phase("q20-", 1000, 0.20, 22);
        System.out.printf("quantile policy: 2%% -> %d alerts, 20%% -> %d alerts (warm-up %d)%n", qLow, qHigh, qWarm);
        assertTrue(qHigh < 2 * qLow, "a quantile of recent distances alerts on about the same share: " + qLow + " -> " + qHigh);
    }

    @Test
    void aCalibrationForAnotherModelIsNotUsed() {
        FakeEmbedder model = new FakeEmbedder("v2", 2);
        start(settings(1, 1000), model);
        LabelPrototype covid = Events.prototype("covid", PrototypeKind.UNSEEN, ThresholdMode.CALIBRATED, null, false, 0, 1);
        covid.getAlertPolicy().setCalibration(org.triage.events.Calibration.newBuilder().setThreshold(10).setModel("fake:v1")
                .setReferenceFilms(100).setTargetRate(0.01).setMethod("reference-quantile").setCalibratedAt(Instant.ofEpochMilli(1)).build());
        prototypes.pipeInput("covid", covid);
        send("near", 0, 1);
        assertTrue(alerts.isEmpty(), "calibrated for fake:v1, the model in service is fake:v2: no threshold until recalibrated");
        assertNull(findings.readValue().getLabels().get(0).getThreshold());
    }

    @Test
    void quantilePolicyAlertsOnlyOnceTheSketchHasEnoughSamples() {
        // sketch: capacity 16, min samples 4; quantile 0.25 of recent distances
        start(settings(1, 1000).withNovelty(100, org.triage.events.Severity.LOW), new FakeEmbedder("v1", 1));
        prototypes.pipeInput("u", Events.prototype("u", PrototypeKind.UNSEEN, ThresholdMode.QUANTILE, 0.25, false, 1));
        // distances 4,3,2,1 fill the warm-up window: no threshold yet, no alerts
        for (int i = 0; i < 4; i++) {
            send("w" + i, 5 - i);
        }
        List<Finding> warm = findings.readValuesToList();
        assertNull(warm.get(3).getLabels().get(0).getThreshold());
        assertTrue(alerts.isEmpty());
        send("close", 1.5f); // distance 0.5 <= q25 of {1,2,3,4} = 1
        Finding f = findings.readValue();
        assertEquals(1f, f.getLabels().get(0).getThreshold());
        assertTrue(f.getLabels().get(0).getAboveThreshold());
        Alert a = alerts.readValue();
        assertEquals(AlertType.UNSEEN_CLASS, a.getType());
        send("far", 9f); // distance 8: not within
        assertFalse(findings.readValue().getLabels().get(0).getAboveThreshold());
        assertTrue(alerts.isEmpty());
    }

    @Test
    void noveltyAlertWhenFarFromEveryPrototype() {
        start(settings(1, 1000).withNovelty(3.0, org.triage.events.Severity.LOW), new FakeEmbedder("v1", 1));
        prototypes.pipeInput("a", Events.prototype("a", PrototypeKind.SEEN, ThresholdMode.NEVER, null, false, 1));
        for (int i = 0; i < 4; i++) {
            send("typical" + i, 2); // nearest distance 1
        }
        assertTrue(alerts.isEmpty());
        send("odd", 11); // nearest distance 10 = 10x typical
        Finding f = findings.readValuesToList().get(4);
        assertEquals(10f, f.getNoveltyScore(), 1e-5);
        Alert a = alerts.readValue();
        assertEquals(AlertType.NOVELTY, a.getType());
        assertNull(a.getLabelId());
        assertEquals(org.triage.events.Severity.LOW, a.getSeverity());
    }

    @Test
    void hotSwapSwitchesBetweenBatchesAndRetiresTheOldModel() {
        FakeEmbedder v1 = new FakeEmbedder("v1", 2);
        start(settings(2, 1000), v1);
        prototypes.pipeInput("A", Events.prototype("A", PrototypeKind.SEEN, ThresholdMode.NEVER, null, false, 1, 0));
        send("a", 1, 0);
        FakeEmbedder v2 = new FakeEmbedder("v2", 2);
        models.swap(v2); // while "a" waits: its batch runs entirely on v2
        send("b", 1, 0);
        List<Finding> out = findings.readValuesToList();
        assertEquals(List.of("v2", "v2"), out.stream().map(f -> f.getModel().getVersion()).toList());
        assertTrue(v1.closed.get(), "old model closed once no batch uses it");
        assertEquals(0, v1.batches.get());
        assertEquals(1, v2.projections.get(), "prototypes re-projected for the new model version");
        assertFalse(out.get(0).getFindingId().equals(
                org.triage.stream.topology.Ids.findingId("a", org.triage.events.ModelRef.newBuilder().setName("fake").setVersion("v1").build())));
    }

    @Test
    void pipelinedBatchRunsOffThreadWhileTheNextOneFillsAndIsEmittedOnTheStreamThread() throws Exception {
        inferencePool = Executors.newSingleThreadExecutor();
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        FakeEmbedder inner = new FakeEmbedder("v1", 2);
        // The first batch blocks in the model until released; later ones run at once.
        org.triage.stream.model.BatchEmbedder gated = new org.triage.stream.model.BatchEmbedder() {
            public org.triage.stream.model.ModelInfo info() { return inner.info(); }
            public float[] preprocess(byte[] b) { return inner.preprocess(b); }
            public float[][] embed(float[][] batch) {
                if (calls.incrementAndGet() == 1) {
                    try {
                        release.await(20, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return inner.embed(batch);
            }
            public float[][] project(float[][] v) { return inner.project(v); }
            public float distance(float[] x, float[] y) { return inner.distance(x, y); }
            public void close() { inner.close(); }
        };
        start(settings(4, 100), gated);
        for (int i = 0; i < 4; i++) {
            send("first-" + i, i, 0);
        }
        send("second-0", 1, 1);
        send("second-1", 2, 2);
        driver.advanceWallClockTime(Duration.ofMillis(500));
        assertTrue(findings.isEmpty(), "first batch still in the model");
        assertEquals(6, metrics.snapshot().pending(), "in-flight and waiting records are all still pending");
        release.countDown();
        List<Finding> out = new ArrayList<>();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (out.size() < 6 && System.nanoTime() < deadline) {
            Thread.sleep(10);
            driver.advanceWallClockTime(Duration.ofMillis(25)); // punctuation emits finished batches, starts due ones
            out.addAll(findings.readValuesToList());
        }
        assertEquals(List.of("first-0", "first-1", "first-2", "first-3", "second-0", "second-1"),
                out.stream().map(Finding::getSopInstanceUid).toList());
        assertEquals(List.of(4, 4, 4, 4, 2, 2), out.stream().map(Finding::getBatchSize).toList(),
                "no partial batch was closed while the first was in flight");
        assertEquals(0, metrics.snapshot().pending());
    }

    private static List<String> labels(Finding f) {
        return f.getLabels().stream().map(LabelScore::getLabelId).collect(Collectors.toList());
    }

    private static String header(TestRecord<String, byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        assertNotNull(h, "header " + name);
        return new String(h.value(), StandardCharsets.UTF_8);
    }
}
