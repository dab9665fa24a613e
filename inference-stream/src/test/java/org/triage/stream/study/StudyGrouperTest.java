package org.triage.stream.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.triage.events.Finding;
import org.triage.events.LabelScore;
import org.triage.events.ModelRef;
import org.triage.events.PrototypeKind;
import org.triage.events.StudyLabel;
import org.triage.events.StudyResult;
import org.triage.schemas.Topics;
import org.triage.stream.metrics.StreamMetrics;
import org.triage.stream.testing.PlainAvroSerdes;

/** The grouper alone (TopologyTestDriver, wall clock advanced by hand): quiet time, late films, replays, expiry, the cap. */
class StudyGrouperTest {
    private static final ModelRef V1 = ModelRef.newBuilder().setName("m").setVersion("1").build();
    private static final Duration QUIET = Duration.ofSeconds(10);
    private static final Duration LATE = Duration.ofHours(1);

    private TopologyTestDriver driver;
    private TestInputTopic<String, Finding> findings;
    private TestOutputTopic<String, StudyResult> results;
    private final StreamMetrics metrics = new StreamMetrics();

    @BeforeEach
    void start() {
        StudySettings settings = new StudySettings("app-findings-by-study", QUIET, LATE, 3, true);
        Topology t = new Topology();
        StudyTopology.addTo(t, settings, PlainAvroSerdes::serde, metrics);
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "study-grouper-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(t, p, Instant.parse("2026-12-06T10:00:00Z"));
        findings = driver.createInputTopic(Topics.FINDINGS, Serdes.String().serializer(), PlainAvroSerdes.serde(Finding.class).serializer());
        results = driver.createOutputTopic(Topics.STUDY_RESULTS, Serdes.String().deserializer(),
                PlainAvroSerdes.serde(StudyResult.class).deserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void aTwoFilmStudyGivesOneResultAfterTheQuietTime() {
        findings.pipeInput("pa", finding("pa", "s1", 0.9f, 0.2f));
        driver.advanceWallClockTime(Duration.ofSeconds(6));
        findings.pipeInput("lat", finding("lat", "s1", 0.3f, 0.8f));
        driver.advanceWallClockTime(Duration.ofSeconds(6));
        assertTrue(results.isEmpty(), "the second film restarted the quiet time");
        driver.advanceWallClockTime(Duration.ofSeconds(5));
        List<StudyResult> out = results.readValuesToList();
        assertEquals(1, out.size());
        StudyResult r = out.get(0);
        assertEquals("s1", r.getStudyInstanceUid());
        assertEquals(1, r.getVersion());
        assertEquals(List.of("pa", "lat"), r.getFilms().stream().map(f -> f.getSopInstanceUid()).toList());
        // Each label as on the film where it is strongest: Effusion from the lateral, Mass from the PA.
        StudyLabel effusion = label(r, "Effusion");
        assertEquals(0.8f, effusion.getScore());
        assertEquals("lat", effusion.getDecidingSopInstanceUid());
        assertTrue(effusion.getAboveThreshold());
        assertEquals(1, effusion.getPositiveFilms());
        StudyLabel mass = label(r, "Mass");
        assertEquals("pa", mass.getDecidingSopInstanceUid());
        assertEquals(0, mass.getRank());
        assertEquals(QUIET.toMillis(), r.getQuietTimeMs());
        assertTrue(Duration.between(r.getLastFilmAt(), r.getEmittedAt()).compareTo(QUIET) >= 0, "emitted after the quiet time");
        // Nothing more once sent.
        driver.advanceWallClockTime(Duration.ofMinutes(5));
        assertTrue(results.isEmpty());
    }

    @Test
    void aLateFilmReopensTheStudyAsANewVersionAndAReplayDoesNot() {
        findings.pipeInput("pa", finding("pa", "s2", 0.2f, 0.2f));
        driver.advanceWallClockTime(QUIET.plusSeconds(1));
        StudyResult first = results.readValue();
        // The same film scored again by the same model (a replay) changes nothing.
        findings.pipeInput("pa", finding("pa", "s2", 0.2f, 0.2f));
        driver.advanceWallClockTime(QUIET.plusSeconds(1));
        assertTrue(results.isEmpty(), "a replayed film does not re-send its study");
        findings.pipeInput("lat", finding("lat", "s2", 0.1f, 0.9f));
        driver.advanceWallClockTime(QUIET.plusSeconds(1));
        StudyResult second = results.readValue();
        assertEquals(2, second.getVersion());
        assertEquals(2, second.getFilms().size());
        assertNotEquals(first.getStudyResultId(), second.getStudyResultId());
        assertEquals(first.getStudyResultId(), org.triage.stream.topology.Ids.studyResultId("s2", V1, 1), "ids are deterministic");
        assertTrue(label(second, "Effusion").getAboveThreshold());
        assertFalse(label(first, "Effusion").getAboveThreshold());
    }

    @Test
    void afterTheLateWindowAStudyStartsAfreshAndAGroupIsCapped() {
        findings.pipeInput("a", finding("a", "s3", 0.2f, 0.2f));
        driver.advanceWallClockTime(QUIET.plusSeconds(1));
        assertEquals(1, results.readValue().getVersion());
        driver.advanceWallClockTime(LATE.plusSeconds(10));
        findings.pipeInput("b", finding("b", "s3", 0.2f, 0.2f));
        driver.advanceWallClockTime(QUIET.plusSeconds(1));
        StudyResult fresh = results.readValue();
        assertEquals(1, fresh.getVersion(), "the old group was forgotten");
        assertEquals(List.of("b"), fresh.getFilms().stream().map(f -> f.getSopInstanceUid()).toList());

        for (String sop : List.of("c1", "c2", "c3", "c4")) {
            findings.pipeInput(sop, finding(sop, "s4", 0.2f, 0.2f));
        }
        driver.advanceWallClockTime(QUIET.plusSeconds(1));
        assertEquals(3, results.readValue().getFilms().size(), "the cap of 3 films holds");
    }

    @Test
    void filmsWithoutAStudyStayFilmLevelAndStudiesOfTwoModelsAreTwoResults() {
        Finding noStudy = finding("x", null, 0.5f, 0.5f);
        findings.pipeInput("x", noStudy);
        Finding v2 = finding("pa", "s5", 0.5f, 0.5f);
        v2.setModel(ModelRef.newBuilder().setName("m").setVersion("2").build());
        findings.pipeInput("pa", finding("pa", "s5", 0.5f, 0.5f));
        findings.pipeInput("pa", v2);
        driver.advanceWallClockTime(QUIET.plusSeconds(1));
        List<org.apache.kafka.streams.KeyValue<String, StudyResult>> out = results.readKeyValuesToList();
        assertEquals(List.of("s5|m:1", "s5|m:2"), out.stream().map(kv -> kv.key).sorted().toList());
    }

    private static StudyLabel label(StudyResult r, String id) {
        return r.getLabels().stream().filter(l -> l.getLabelId().equals(id)).findFirst().orElseThrow();
    }

    /** Films reach ingest in the order the test makes them. */
    private static final java.util.concurrent.atomic.AtomicLong RECEIVED = new java.util.concurrent.atomic.AtomicLong();

    private static Finding finding(String sop, String study, float mass, float effusion) {
        List<LabelScore> labels = List.of(score("Mass", mass), score("Effusion", effusion));
        return Finding.newBuilder().setFindingId("f-" + sop).setSopInstanceUid(sop).setStudyInstanceUid(study)
                .setPatientPseudonym("p1").setModel(V1).setLabels(labels).setNoveltyScore(1f).setBatchSize(1)
                .setReceivedAt(Instant.parse("2026-12-06T09:59:00Z").plusMillis(RECEIVED.incrementAndGet()))
                .setScoredAt(Instant.parse("2026-12-06T10:00:00Z")).setLatencyMs(1).build();
    }

    private static LabelScore score(String label, float score) {
        return LabelScore.newBuilder().setLabelId(label).setScore(score).setDistance(1 - score).setRank(0).setThreshold(0.5f)
                .setAboveThreshold(1 - score <= 0.5f).setKind(PrototypeKind.SEEN).build();
    }
}
