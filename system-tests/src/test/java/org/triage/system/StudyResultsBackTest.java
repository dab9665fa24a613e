package org.triage.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.triage.events.LabelPrototype;
import org.triage.events.PrototypeKind;
import org.triage.events.StudyResult;
import org.triage.events.ThresholdMode;
import org.triage.ingest.IngestService;
import org.triage.ingest.dicom.DicomLimits;
import org.triage.platform.LocalStack;
import org.triage.results.ResultsService;
import org.triage.results.delivery.RetryPolicy;
import org.triage.results.dicom.DicomSrTarget;
import org.triage.results.dicom.OrthancPeer;
import org.triage.results.fhir.FhirEndpoint;
import org.triage.results.fhir.FhirTarget;
import org.triage.results.kafka.Granularity;
import org.triage.schemas.Topics;
import org.triage.schemas.kafka.KafkaClientProperties;
import org.triage.schemas.serde.AvroSerdes;
import org.triage.stream.InferenceStream;
import org.triage.stream.study.StudySettings;
import org.triage.stream.testing.Events;
import org.triage.stream.testing.KafkaTestIo;
import org.triage.stream.testing.TinyModel;

/**
 * The way back for a whole study, every part real: a PA + lateral study and a one-film study of full-size DX films
 * C-STOREd by dcmtk's storescu into ingest (de-identified), scored by a real ONNX model in the stream, grouped into
 * study results after the quiet time, re-identified by the results service from ingest's own store and delivered
 * per study: one FHIR DiagnosticReport per study naming its original films, and one SR per study in Orthanc that
 * claims TID 1500 with an IMAGE reference to each original film (dsrdump, strict).
 */
@Timeout(600)
class StudyResultsBackTest {
    private static final Duration QUIET = Duration.ofSeconds(3);

    @TempDir
    Path tmp;

    @Test
    void aTwoFilmStudyComesBackAsOneReportNamingBothOriginalFilms() throws Exception {
        Path storescu = SystemTestSupport.tool("storescu", "dcmtk");
        Path dcmodify = SystemTestSupport.tool("dcmodify", "dcmtk");
        Path dsrdump = SystemTestSupport.tool("dsrdump", "dcmtk");
        Path films = SystemTestSupport.makeRadiographs(tmp, 3, 0, 21);
        List<Path> dx;
        try (Stream<Path> s = Files.list(films)) {
            dx = s.filter(p -> p.getFileName().toString().startsWith("dx")).sorted().toList();
        }
        // Films 0 and 1: one study (PA + lateral); film 2: a study of its own.
        String study = "1.2.826.0.1.3680043.8.498.60001";
        for (Path f : dx.subList(0, 2)) {
            SystemTestSupport.run(List.of(dcmodify.toString(), "-nb", "-i", "(0020,000D)=" + study, "-i", "(0008,0050)=ACCSTUDY1",
                    "-i", "(0010,0020)=PATSTUDY1", f.toString()), tmp, 60);
        }
        List<String> originalSops = new ArrayList<>();
        for (Path f : dx) {
            originalSops.add(SystemTestSupport.run(List.of("dcmdump", "-q", "+P", "0008,0018", f.toString()), tmp, 60)
                    .replaceAll("(?s).*\\[(.*?)\\].*", "$1").trim());
        }
        Path model = TinyModel.create(tmp.resolve("model"), "tiny", "1", 5);
        try (LocalStack stack = LocalStack.start(); OrthancPeer orthanc = OrthancPeer.start(Files.createDirectories(tmp.resolve("orthanc")));
             FhirEndpoint fhir = new FhirEndpoint(0)) {
            String bootstrap = stack.bootstrapServers();
            String registry = stack.schemaRegistryUrl();
            try (KafkaProducer<String, LabelPrototype> protos = KafkaTestIo.producer(bootstrap, registry, LabelPrototype.class)) {
                // A fixed distance threshold no film can miss: the label is positive on every film, so on the study.
                protos.send(new ProducerRecord<>(Topics.LABEL_PROTOTYPES, "Effusion", Events.prototype("Effusion", PrototypeKind.SEEN,
                        ThresholdMode.ABSOLUTE, 1e6, false, 0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f))).get();
            }
            IngestService.Options options = IngestService.Options.demo(bootstrap, registry).withLimits(DicomLimits.DEFAULT, 2048)
                    .withQuarantine(Files.createDirectories(tmp.resolve("quarantine")), 1L << 30);
            try (InferenceStream stream = InferenceStream.builder().bootstrapServers(bootstrap).schemaRegistryUrl(registry)
                    .applicationId("study-back-test").stateDir(tmp.resolve("state")).modelDir(model).maxBatch(8).maxDelayMs(50)
                    .studies(StudySettings.defaults("study-back-test").withQuietTime(QUIET)).build();
                 IngestService ingest = IngestService.start(options);
                 ResultsService results = ResultsService.start(new ResultsService.Config(bootstrap, KafkaClientProperties.none(),
                         AvroSerdes.config(registry), List.of(new FhirTarget(fhir.baseUrl(), Duration.ofSeconds(10)),
                                 new DicomSrTarget("127.0.0.1", orthanc.dicomPort(), "TRIAGE", OrthancPeer.AET, Duration.ofSeconds(30))),
                         new RetryPolicy(3, Duration.ofMillis(200), Duration.ofSeconds(1)), 10, "127.0.0.1", -1, Granularity.STUDY),
                         ingest.reidentification())) {
                stream.start();
                stream.awaitRunning(Duration.ofSeconds(60));
                List<String> cmd = new ArrayList<>(List.of(storescu.toString(), "-xy", "-aet", "MODALITY", "-aec", ingest.aet(),
                        "127.0.0.1", Integer.toString(ingest.scpPort())));
                dx.forEach(p -> cmd.add(p.toString()));
                SystemTestSupport.run(cmd, tmp, 300);

                List<StudyResult> studies = KafkaTestIo.readUntil(bootstrap, registry, Topics.STUDY_RESULTS, StudyResult.class,
                        Duration.ofSeconds(120), l -> l.size() >= 2).stream().map(r -> r.value()).toList();
                assertEquals(List.of(1, 2), studies.stream().map(r -> r.getFilms().size()).sorted().toList(), "two studies: 1 and 2 films");
                // Alerts go out per film and at once (here the label is positive on every film: its alerts, if the rules raise
                // any); routine findings only inside their study's report.
                int alerts = SystemTestSupport.readRaw(bootstrap, Topics.ALERTS, Integer.MAX_VALUE, Duration.ofSeconds(5)).size();
                awaitTrue(() -> fhir.accepted().size() >= 2 + alerts && orthanc.get("/instances").size() >= 2 + alerts, Duration.ofSeconds(90),
                        "two study reports (and one per alert) at the FHIR endpoint and as SRs in Orthanc");
                Thread.sleep(2000); // a film-level report of a finding, were one (wrongly) sent as well, would arrive meanwhile
                assertEquals(2 + alerts, fhir.accepted().size(), "one report per study and per alert, none per finding");
                assertEquals(2, fhir.accepted().stream().filter(p -> p.body().contains("film(s), result version")).count(),
                        "two study-level reports");
                String two = fhir.accepted().stream().map(FhirEndpoint.Post::body).filter(b -> b.contains(study) && b.contains("film(s), result version"))
                        .findFirst().orElseThrow();
                assertTrue(two.contains("urn:oid:" + originalSops.get(0)) && two.contains("urn:oid:" + originalSops.get(1)),
                        "the study's report names both original films");
                assertTrue(two.contains("PATSTUDY1") && two.contains("ACCSTUDY1") && two.contains("Study of 2 film(s)"), two);
                for (StudyResult r : studies) {
                    assertFalse(r.getStudyInstanceUid().equals(study), "Kafka holds the replacement study UID only");
                }

                // The study's SR sits in the original study and references both original films as images.
                List<String> srIds = new ArrayList<>();
                for (JsonNode i : orthanc.get("/instances?expand")) {
                    JsonNode series = orthanc.get("/series/" + i.get("ParentSeries").asText()).get("MainDicomTags");
                    if (series.path("SeriesDescription").asText().startsWith("AI triage study results")) {
                        srIds.add(i.get("ID").asText());
                    }
                }
                assertEquals(2, srIds.size(), "one study SR per study: " + srIds);
                String dumps = "";
                for (String id : srIds) {
                    Path f = tmp.resolve("sr-" + id + ".dcm");
                    Files.write(f, orthanc.file(id));
                    dumps += SystemTestSupport.run(List.of(dsrdump.toString(), "+Pt", "+Pu", f.toString()), tmp, 60);
                }
                assertTrue(dumps.contains("TID 1500 (DCMR)"), dumps);
                assertTrue(dumps.contains(originalSops.get(0)) && dumps.contains(originalSops.get(1)) && dumps.contains(originalSops.get(2)), dumps);
                assertFalse(dumps.toLowerCase().contains("warning") || dumps.toLowerCase().contains("error"), dumps);
                System.out.printf("study results back: %d study results, %d alerts, %d FHIR reports, %d study SRs in Orthanc%n", studies.size(),
                        alerts, fhir.accepted().size(), srIds.size());
            }
        }
    }

    private interface Check {
        boolean holds() throws Exception;
    }

    private static void awaitTrue(Check c, Duration timeout, String what) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!c.holds()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(250);
        }
    }
}
