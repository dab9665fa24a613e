package org.triage.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ca.uhn.hl7v2.model.v251.message.ORU_R01;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.triage.events.Alert;
import org.triage.events.AlertType;
import org.triage.events.Finding;
import org.triage.events.LabelScore;
import org.triage.events.ModelRef;
import org.triage.events.PrototypeKind;
import org.triage.events.Severity;
import org.triage.events.StudyFilm;
import org.triage.events.StudyLabel;
import org.triage.events.StudyResult;
import org.triage.ingest.deid.ReidentificationStore;
import org.triage.ingest.deid.SiteKey;
import org.triage.platform.LocalStack;
import org.triage.results.delivery.DeliveryTarget;
import org.triage.results.delivery.RetryPolicy;
import org.triage.results.fhir.FhirEndpoint;
import org.triage.results.fhir.FhirTarget;
import org.triage.results.hl7.MllpListener;
import org.triage.results.hl7.MllpTarget;
import org.triage.results.hl7.OruMessageBuilder;
import org.triage.schemas.Topics;
import org.triage.schemas.kafka.KafkaClientProperties;
import org.triage.schemas.kafka.TopicRecords;
import org.triage.schemas.serde.AvroSerdes;

/**
 * The way back on a real broker and registry: a two-film study recorded in a re-identification store, a film's
 * finding (carried by its study's result, per-study delivery), an alert and the study's result on Kafka, re-identified results at a FHIR endpoint, an MLLP listener and Orthanc (the FHIR one refusing once, so a
 * retry happens) though a target between them refuses everything (dead-lettered per result after its retries),
 * an unknown film on results-dlq, offsets committed, and no original value on any topic.
 */
class ResultsServiceKafkaTest {
    static final String REPL_SOP = "2.25.900000000000000000000000000000000001";
    static final String REPL_STUDY = "2.25.900000000000000000000000000000000002";
    static final String REPL_SERIES = "2.25.900000000000000000000000000000000003";
    static final ReidentificationStore.Entry FILM = new ReidentificationStore.Entry(REPL_SOP, REPL_STUDY, REPL_SERIES,
            "1.2.826.0.1.3680043.8.498.77001", "1.2.826.0.1.3680043.8.498.77002", "1.2.826.0.1.3680043.8.498.77003",
            "ACCMARK77", "PATMARK77", "ISSUERMARK77", 17);
    /** The lateral of the same study. */
    static final String REPL_SOP_LATERAL = "2.25.900000000000000000000000000000000004";
    static final ReidentificationStore.Entry LATERAL = new ReidentificationStore.Entry(REPL_SOP_LATERAL, REPL_STUDY, REPL_SERIES,
            "1.2.826.0.1.3680043.8.498.77004", FILM.studyInstanceUid(), FILM.seriesInstanceUid(),
            "ACCMARK77", "PATMARK77", "ISSUERMARK77", 17);
    static final List<String> ORIGINALS = List.of(FILM.sopInstanceUid(), FILM.studyInstanceUid(), FILM.seriesInstanceUid(),
            FILM.accessionNumber(), FILM.patientId(), FILM.issuerOfPatientId(), LATERAL.sopInstanceUid());
    static final String STUDY_RESULT_ID = "s0000000000000000000000000000001";
    static final ModelRef MODEL = new ModelRef("cmdml", "v3");

    static final ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> LOGS = new ch.qos.logback.core.read.ListAppender<>();
    static LocalStack stack;
    static ReidentificationStore store;
    static FhirEndpoint fhir;
    static MllpListener mllp;
    static org.triage.results.dicom.OrthancPeer orthanc;
    @org.junit.jupiter.api.io.TempDir
    static java.nio.file.Path tmp;
    static ResultsService service;

    @BeforeAll
    static void start() throws Exception {
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        LOGS.start();
        root.addAppender(LOGS);
        stack = LocalStack.start();
        store = ReidentificationStore.openTemporary(SiteKey.generate());
        store.record(FILM);
        store.record(LATERAL);
        fhir = new FhirEndpoint(1);
        mllp = new MllpListener(0);
        orthanc = org.triage.results.dicom.OrthancPeer.start(tmp);
        List<DeliveryTarget> targets = List.of(new FhirTarget(fhir.baseUrl(), Duration.ofSeconds(10)), new AlwaysRefusing(),
                new MllpTarget("127.0.0.1", mllp.port(), Duration.ofSeconds(10), new OruMessageBuilder("EDGE", "RIS", "HOSP")),
                new org.triage.results.dicom.DicomSrTarget("127.0.0.1", orthanc.dicomPort(), "TRIAGE",
                        org.triage.results.dicom.OrthancPeer.AET, Duration.ofSeconds(30)));
        service = ResultsService.start(new ResultsService.Config(stack.bootstrapServers(), KafkaClientProperties.none(),
                AvroSerdes.config(stack.schemaRegistryUrl()), targets,
                new RetryPolicy(3, Duration.ofMillis(100), Duration.ofMillis(400)), 10, "127.0.0.1", 0,
                org.triage.results.kafka.Granularity.STUDY), store);

        // Per study: the PA's finding is carried by its study's result, the alert goes out at once on its own.
        publish(Topics.FINDINGS, REPL_SOP, finding(REPL_SOP, "f0000000000000000000000000000001"), Finding.class);
        publish(Topics.ALERTS, "a-1", alert(REPL_SOP), Alert.class);
        publish(Topics.STUDY_RESULTS, REPL_STUDY + "|cmdml:v3", studyResult(), StudyResult.class);
        // A film without a study has no study result: its finding is delivered (here: dead-lettered, the store does not know it).
        Finding unknown = finding("2.25.123", "f0000000000000000000000000000002");
        unknown.setStudyInstanceUid(null);
        publish(Topics.FINDINGS, "2.25.123", unknown, Finding.class);
    }

    /** A target that is never there: its refusals must not keep results from the targets after it. */
    static final class AlwaysRefusing implements DeliveryTarget {
        @Override
        public String name() {
            return "refuser";
        }

        @Override
        public void deliver(org.triage.results.report.ResultReport report) throws org.triage.results.delivery.DeliveryRefused {
            throw new org.triage.results.delivery.DeliveryRefused("HTTP 503");
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (service != null) {
            service.close();
        }
        if (fhir != null) {
            fhir.close();
        }
        if (mllp != null) {
            mllp.close();
        }
        if (orthanc != null) {
            orthanc.close();
        }
        if (store != null) {
            store.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void deliversReidentifiedResultsDeadLettersTheUnknownFilmAndKeepsOriginalsOffKafka() throws Exception {
        await(() -> fhir.accepted().size() >= 2 && mllp.accepted().size() >= 2 && dlq().size() >= 3
                && service.metrics().scrape().contains("triage_results_delivered_total{target=\"dicom\"} 2.0"), "deliveries and DLQ");

        List<String> bodies = fhir.accepted().stream().map(FhirEndpoint.Post::body).toList();
        for (String b : bodies) {
            assertTrue(b.contains("urn:oid:" + FILM.studyInstanceUid()) && b.contains("urn:oid:" + FILM.sopInstanceUid()), b);
            assertTrue(b.contains(FILM.patientId()) && b.contains(FILM.accessionNumber()), b);
            assertFalse(b.contains(REPL_SOP), "no replacement UID in what the hospital gets");
        }
        String studyBundle = bodies.stream().filter(b -> b.contains(STUDY_RESULT_ID)).findFirst().orElseThrow();
        assertTrue(studyBundle.contains("urn:oid:" + LATERAL.sopInstanceUid()) && studyBundle.contains("Study of 2 film(s)"),
                "the study's bundle names both films: " + studyBundle);
        assertFalse(bodies.stream().anyMatch(b -> b.contains("f0000000000000000000000000000001")), "the PA is not reported twice");
        assertTrue(bodies.stream().anyMatch(b -> b.contains("Alert UNSEEN_CLASS")), "the alert's bundle");

        List<String> priorities = mllp.accepted().stream()
                .map(m -> ((ORU_R01) m).getPATIENT_RESULT().getORDER_OBSERVATION().getOBR().getPriorityOBR().getValue()).sorted().toList();
        assertEquals(List.of("R", "S"), priorities, "the alert is stat, the finding routine");
        for (var m : mllp.accepted()) {
            String wire = m.encode();
            assertTrue(wire.contains(FILM.studyInstanceUid()) && wire.contains(FILM.patientId()), wire);
        }

        Map<String, List<ConsumerRecord<String, byte[]>>> dlq = dlq().stream()
                .collect(java.util.stream.Collectors.groupingBy(r -> header(r, Topics.DLQ_HEADER_STAGE)));
        assertEquals(java.util.Set.of("results:reidentify", "results:refuser"), dlq.keySet());
        ConsumerRecord<String, byte[]> unknown = dlq.get("results:reidentify").get(0);
        assertEquals(1, dlq.get("results:reidentify").size(), "only the unknown film");
        assertEquals("2.25.123", unknown.key());
        assertEquals("film not in the re-identification store", header(unknown, Topics.DLQ_HEADER_ERROR));
        assertEquals(Topics.FINDINGS, header(unknown, Topics.DLQ_HEADER_SOURCE_TOPIC));
        com.fasterxml.jackson.databind.JsonNode studies = orthanc.get("/studies?expand");
        assertEquals(1, studies.size(), "both SRs (finding and alert) in one study: " + studies);
        assertEquals(FILM.studyInstanceUid(), studies.get(0).get("MainDicomTags").get("StudyInstanceUID").asText());
        assertEquals(2, orthanc.get("/instances").size());

        List<ConsumerRecord<String, byte[]>> refused = dlq.get("results:refuser");
        assertEquals(java.util.Set.of(Topics.STUDY_RESULTS, Topics.ALERTS),
                refused.stream().map(r -> header(r, Topics.DLQ_HEADER_SOURCE_TOPIC)).collect(java.util.stream.Collectors.toSet()),
                "one DLQ record per result the target kept refusing");
        assertEquals("refused 3 times, last: HTTP 503", header(refused.get(0), Topics.DLQ_HEADER_ERROR));

        await(ResultsServiceKafkaTest::allCommitted, "offsets committed to the end");
        String scrape = service.metrics().scrape();
        assertTrue(scrape.contains("triage_results_refusals_total{target=\"fhir\"} 1.0"), scrape);
        assertTrue(scrape.contains("triage_results_delivered_total{target=\"hl7\"} 2.0"), scrape);
        assertTrue(scrape.contains("triage_results_dead_lettered_total{reason=\"refused:refuser\"} 2.0"), scrape);
        assertTrue(scrape.contains("triage_results_covered_by_study_total 1.0"), scrape);
        String studyOru = mllp.accepted().stream().map(m -> {
            try {
                return m.encode();
            } catch (ca.uhn.hl7v2.HL7Exception e) {
                throw new IllegalStateException(e);
            }
        }).filter(w -> w.contains("study of 2 film(s)")).findFirst().orElseThrow();
        assertTrue(studyOru.contains(FILM.sopInstanceUid()) && studyOru.contains(LATERAL.sopInstanceUid()), studyOru);

        int scanned = 0;
        List<String> topics = new ArrayList<>(Topics.ALL);
        topics.add(Topics.SCHEMAS);
        for (String topic : topics) {
            for (ConsumerRecord<String, byte[]> r : TopicRecords.all(client(), topic, new ByteArrayDeserializer(), Duration.ofSeconds(30))) {
                scanned++;
                for (String original : ORIGINALS) {
                    assertFalse(contains(r.key(), original) || contains(r.value(), original), original + " on " + topic);
                    for (Header h : r.headers()) {
                        assertFalse(contains(h.value(), original), original + " in a header on " + topic);
                    }
                }
            }
        }
        assertTrue(scanned >= 4, "scanned " + scanned);

        List<String> lines = LOGS.list.stream().map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).toList();
        assertTrue(lines.stream().anyMatch(l -> l.contains(REPL_SOP)), "logs name the film by its replacement UID");
        for (String original : ORIGINALS) {
            assertTrue(lines.stream().noneMatch(l -> l.contains(original)), original + " in a log line");
        }
    }

    static Finding finding(String sop, String id) {
        return Finding.newBuilder().setFindingId(id).setSopInstanceUid(sop).setStudyInstanceUid(REPL_STUDY)
                .setPatientPseudonym("pseudo-1").setModel(MODEL).setLabels(scores()).setNoveltyScore(0.3f).setBatchSize(1)
                .setReceivedAt(java.time.Instant.ofEpochMilli(1_700_000_000_000L)).setScoredAt(java.time.Instant.ofEpochMilli(1_700_000_001_000L))
                .setLatencyMs(1000).build();
    }

    static StudyResult studyResult() {
        java.time.Instant t = java.time.Instant.ofEpochMilli(1_700_000_070_000L);
        List<StudyFilm> films = List.of(REPL_SOP, REPL_SOP_LATERAL).stream().map(sop -> StudyFilm.newBuilder().setSopInstanceUid(sop)
                .setFindingId("f-" + sop).setReceivedAt(t).setNoveltyScore(0.3f).setPositiveLabels(List.of("Covid_Pattern")).build()).toList();
        List<StudyLabel> labels = scores().stream().map(l -> StudyLabel.newBuilder().setLabelId(l.getLabelId()).setDistance(l.getDistance())
                .setScore(l.getScore()).setRank(l.getRank() - 1).setThreshold(l.getThreshold()).setAboveThreshold(l.getAboveThreshold())
                .setKind(l.getKind()).setDecidingSopInstanceUid(REPL_SOP_LATERAL).setPositiveFilms(l.getAboveThreshold() ? 2 : 0).build()).toList();
        return StudyResult.newBuilder().setStudyResultId(STUDY_RESULT_ID).setStudyInstanceUid(REPL_STUDY).setPatientPseudonym("pseudo-1")
                .setModel(MODEL).setVersion(1).setFilms(films).setLabels(labels).setMaxNoveltyScore(0.3f).setFirstReceivedAt(t)
                .setLastFilmAt(t).setEmittedAt(t.plusSeconds(60)).setQuietTimeMs(60_000).build();
    }

    static Alert alert(String sop) {
        return Alert.newBuilder().setAlertId("a0000000000000000000000000000001").setType(AlertType.UNSEEN_CLASS).setLabelId("Covid_Pattern")
                .setScore(0.2f).setThreshold(0.4f).setSeverity(Severity.HIGH).setSopInstanceUid(sop).setStudyInstanceUid(REPL_STUDY)
                .setPatientPseudonym("pseudo-1").setModel(MODEL).setEvidence(scores())
                .setCreatedAt(java.time.Instant.ofEpochMilli(1_700_000_002_000L)).build();
    }

    static List<LabelScore> scores() {
        return List.of(
                LabelScore.newBuilder().setLabelId("Covid_Pattern").setDistance(0.2f).setScore(0.9f).setRank(1).setThreshold(0.4f)
                        .setAboveThreshold(true).setKind(PrototypeKind.UNSEEN).build(),
                LabelScore.newBuilder().setLabelId("Effusion").setDistance(0.7f).setScore(0.3f).setRank(2).setThreshold(0.5f)
                        .setAboveThreshold(false).setKind(PrototypeKind.SEEN).build());
    }

    static <T extends SpecificRecord> void publish(String topic, String key, T value, Class<T> type) throws Exception {
        Properties p = client();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, T> producer = new KafkaProducer<>(p, new StringSerializer(),
                AvroSerdes.specific(type, stack.schemaRegistryUrl(), false).serializer())) {
            producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
        }
    }

    static List<ConsumerRecord<String, byte[]>> dlq() {
        return TopicRecords.all(client(), Topics.RESULTS_DLQ, new ByteArrayDeserializer(), Duration.ofSeconds(30));
    }

    static boolean allCommitted() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("triage-results")
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> ask = new java.util.HashMap<>();
            for (String t : List.of(Topics.FINDINGS, Topics.ALERTS, Topics.STUDY_RESULTS)) {
                admin.describeTopics(List.of(t)).allTopicNames().get(30, TimeUnit.SECONDS).get(t).partitions()
                        .forEach(pi -> ask.put(new TopicPartition(t, pi.partition()), OffsetSpec.latest()));
            }
            var ends = admin.listOffsets(ask).all().get(30, TimeUnit.SECONDS);
            for (var e : ends.entrySet()) {
                long end = e.getValue().offset();
                OffsetAndMetadata c = committed.get(e.getKey());
                if (end > 0 && (c == null || c.offset() < end)) {
                    return false;
                }
            }
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    static Properties client() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        return p;
    }

    static String header(ConsumerRecord<?, ?> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    static boolean contains(Object hay, String needle) {
        if (hay == null) {
            return false;
        }
        String s = hay instanceof byte[] b ? new String(b, StandardCharsets.ISO_8859_1) : hay.toString();
        return s.contains(needle);
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (!condition.getAsBoolean()) {
            assertTrue(System.currentTimeMillis() < deadline, "timed out waiting for " + what);
            Thread.sleep(200);
        }
    }
}
