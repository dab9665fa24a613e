package org.triage.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.triage.events.RadiographEvent;
import org.triage.ingest.deid.DeidOptions;
import org.triage.ingest.dicom.StoreScu;
import org.triage.ingest.files.FileIngest;
import org.triage.ingest.files.LabelsCsv;
import org.triage.ingest.pipeline.DeadLetter;
import org.triage.ingest.pipeline.IngestPipeline;
import org.triage.ingest.pipeline.KafkaSink;
import org.triage.ingest.pipeline.Pseudonymiser;
import org.triage.ingest.pipeline.Quarantine;
import org.triage.ingest.scp.ScpConfig;
import org.triage.platform.LocalStack;
import org.triage.schemas.Topics;
import org.triage.schemas.serde.AvroSerdes;

/**
 * The acceptance path on a real broker and registry: C-STORE from storescu and Orthanc, STOW-RS, files;
 * every accepted instance exactly once on {@code radiographs}; rejected input quarantined with a pointer on the DLQ; no PHI anywhere.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KafkaIngestTest {
    @TempDir
    static Path tmp;

    static LocalStack stack;
    static IngestService service;
    static Path fixtures;

    @BeforeAll
    static void startStack() throws Exception {
        stack = LocalStack.start();
        IngestService.Options o = IngestService.Options.demo(stack.bootstrapServers(), stack.schemaRegistryUrl())
                .withScp(ScpConfig.defaults(0, "TRIAGE")).withStowPort(0)
                .withPseudonymiser(new Pseudonymiser("test-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8)))
                .withQuarantine(tmp.resolve("quarantine"), Quarantine.DEFAULT_MAX_BYTES)
                // pydicom's secondary capture does not say whether it has burned-in text; DeidentificationTest covers refusing such films
                .withDeid(DeidOptions.demo().withAcceptBurnedIn(true));
        service = IngestService.start(o);
    }

    @AfterAll
    static void stopStack() {
        if (service != null) {
            service.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    static Map<String, Integer> countByKey(String topic) {
        Map<String, Integer> m = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : TopicReader.readAll(stack.bootstrapServers(), topic)) {
            m.merge(new String(r.key(), StandardCharsets.UTF_8), 1, Integer::sum);
        }
        return m;
    }

    static Map<String, RadiographEvent> events() {
        var de = AvroSerdes.specific(RadiographEvent.class, stack.schemaRegistryUrl(), false).deserializer();
        Map<String, RadiographEvent> m = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : TopicReader.readAll(stack.bootstrapServers(), Topics.RADIOGRAPHS)) {
            m.put(new String(r.key(), StandardCharsets.UTF_8), de.deserialize(Topics.RADIOGRAPHS, r.value()));
        }
        return m;
    }

    @Test
    @Order(1)
    void storescuFilesArriveExactlyOnceEach() throws Exception {
        Path tf = TestTools.pydicomTestFiles();
        Path storescu = TestTools.requireTool("storescu", "dcmtk");
        fixtures = Fixtures.generate(tmp, 0);
        List<Path> files = List.of(tf.resolve("dicomdirtests/77654033/CR1/6154"), tf.resolve("CT_small.dcm"), tf.resolve("MR_small_implicit.dcm"),
                tf.resolve("SC_rgb_jpeg_dcmtk.dcm"), fixtures.resolve("dx16.dcm"), fixtures.resolve("mono1_signed.dcm"));
        List<String> cmd = new ArrayList<>(List.of(storescu.toString(), "-xy", "-aet", "MODALITY", "-aec", "TRIAGE", "127.0.0.1",
                Integer.toString(service.scpPort())));
        files.forEach(f -> cmd.add(f.toString()));
        TestTools.Result r = TestTools.run(cmd, 120);
        assertEquals(0, r.code(), r.out());
        Set<String> sent = new HashSet<>();
        for (Path f : files) {
            sent.add(sopInstanceUid(f));
        }
        Map<String, Integer> counts = countByKey(Topics.RADIOGRAPHS);
        for (String uid : sent) {
            assertEquals(1, counts.getOrDefault(uid, 0), "exactly one event for " + uid);
        }
        RadiographEvent ct = events().get(sopInstanceUid(tf.resolve("CT_small.dcm")));
        assertEquals("CT", ct.getModality());
        assertEquals("scp", ct.getSourceSystem(), "the calling AE title is device identity, not retained by default");
        assertEquals(128, ct.getImage().getOriginalWidth());
        assertEquals("1.2.840.10008.1.2.1", ct.getOriginalTransferSyntax());
        RadiographEvent dx = events().get(sopInstanceUid(fixtures.resolve("dx16.dcm")));
        assertEquals("PA", dx.getViewPosition());
        assertEquals("CHEST", dx.getBodyPart());
        assertEquals(new Pseudonymiser("test-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8)).pseudonym(null, "ZZMARKERPID4711", null),
                dx.getPatientPseudonym());
        assertNotNull(dx.getAcquiredAt());
        byte[] png = dx.getImage().getData().array();
        java.awt.image.BufferedImage bi = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(png));
        assertEquals(16, bi.getColorModel().getPixelSize(), "16-bit grayscale PNG");
        assertEquals(200, bi.getWidth());
    }

    @Test
    @Order(2)
    void ourScuAndRetriesDoNotDuplicate() throws Exception {
        Path dx = fixtures.resolve("dx16_implicit.dcm");
        for (int i = 0; i < 2; i++) {
            List<StoreScu.Result> res = new StoreScu().sendPaths("127.0.0.1", service.scpPort(), "DEMO", "TRIAGE", List.of(dx));
            assertEquals(0, res.get(0).status());
        }
        // A resend is a second event for the same key (the sender retried); the log keeps both, keyed alike,
        // so consumers deduplicate by SOP Instance UID. What must hold: nothing acknowledged is missing.
        assertTrue(countByKey(Topics.RADIOGRAPHS).getOrDefault(sopInstanceUid(dx), 0) >= 1);
    }

    @Test
    @Order(3)
    void orthancForwardsAStoredInstanceToUs() throws Exception {
        Path orthanc = TestTools.requireTool("Orthanc", "orthanc");
        Path tf = TestTools.pydicomTestFiles();
        Path dir = Files.createDirectories(tmp.resolve("orthanc"));
        int http = freePort();
        int dicom = freePort();
        String config = """
                {"Name": "triage-test", "StorageDirectory": "%s", "IndexDirectory": "%s", "HttpPort": %d, "DicomPort": %d,
                 "DicomAet": "ORTHANC", "RemoteAccessAllowed": false, "AuthenticationEnabled": false, "HttpServerEnabled": true,
                 "DicomServerEnabled": true, "Plugins": [], "ConcurrentJobs": 1,
                 "DicomModalities": {"triage": ["TRIAGE", "127.0.0.1", %d]}}
                """.formatted(dir.resolve("db"), dir.resolve("db"), http, dicom, service.scpPort());
        Path cfg = dir.resolve("orthanc.json");
        Files.writeString(cfg, config);
        Process p = new ProcessBuilder(orthanc.toString(), cfg.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("orthanc.log").toFile()).start();
        try {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
            String base = "http://127.0.0.1:" + http;
            long deadline = System.currentTimeMillis() + 30_000;
            while (true) {
                try {
                    if (client.send(HttpRequest.newBuilder(URI.create(base + "/system")).build(), HttpResponse.BodyHandlers.ofString())
                            .statusCode() == 200) {
                        break;
                    }
                } catch (java.io.IOException e) {
                    // not up yet
                }
                assertTrue(p.isAlive(), "Orthanc exited: " + Files.readString(dir.resolve("orthanc.log")));
                assertTrue(System.currentTimeMillis() < deadline, "Orthanc did not start");
                Thread.sleep(200);
            }
            Path cr = tf.resolve("dicomdirtests/77654033/CR2/6247");
            HttpResponse<String> up = client.send(HttpRequest.newBuilder(URI.create(base + "/instances"))
                    .POST(HttpRequest.BodyPublishers.ofFile(cr)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, up.statusCode(), up.body());
            String id = new ObjectMapper().readTree(up.body()).get("ID").asText();
            HttpResponse<String> store = client.send(HttpRequest.newBuilder(URI.create(base + "/modalities/triage/store"))
                    .POST(HttpRequest.BodyPublishers.ofString(id)).timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, store.statusCode(), store.body());
            assertEquals(1, countByKey(Topics.RADIOGRAPHS).getOrDefault(sopInstanceUid(cr), 0), "forwarded instance arrived once");
            assertEquals("scp", events().get(sopInstanceUid(cr)).getSourceSystem());
        } finally {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    @Test
    @Order(4)
    void stowRsReportsPerInstanceOutcomes() throws Exception {
        Path tf = TestTools.pydicomTestFiles();
        byte[] good1 = Files.readAllBytes(tf.resolve("MR_small.dcm"));
        byte[] good2 = Files.readAllBytes(tf.resolve("dicomdirtests/77654033/CR3/6278"));
        byte[] garbage = "this is not DICOM at all, just text pretending".getBytes(StandardCharsets.US_ASCII);
        String mrUid = sopInstanceUid(tf.resolve("MR_small.dcm"));
        // pydicom's MR files share one SOP Instance UID, and one of them went through C-STORE already.
        int before = countByKey(Topics.RADIOGRAPHS).getOrDefault(mrUid, 0);
        HttpResponse<String> r = stow(List.of(good1, good2, garbage), "application/dicom");
        assertEquals(202, r.statusCode(), r.body());
        assertEquals("application/dicom+json", r.headers().firstValue("Content-Type").orElse(""));
        JsonNode json = new ObjectMapper().readTree(r.body());
        assertEquals(2, json.get("00081199").get("Value").size());
        assertEquals("SQ", json.get("00081199").get("vr").asText());
        JsonNode failed = json.get("00081198").get("Value");
        assertEquals(1, failed.size());
        assertEquals(0xC000, failed.get(0).get("00081197").get("Value").get(0).asInt());
        assertEquals(originalSopInstanceUid(tf.resolve("MR_small.dcm")), json.get("00081199").get("Value").get(0).get("00081155").get("Value").get(0).asText());
        assertEquals(before + 1, countByKey(Topics.RADIOGRAPHS).getOrDefault(mrUid, 0));

        assertEquals(200, stow(List.of(Files.readAllBytes(tf.resolve("MR_small_bigendian.dcm"))), "application/dicom").statusCode());
        assertEquals(409, stow(List.of(garbage), "application/dicom").statusCode());
        assertEquals(415, stow(List.of(good1), "application/dicom+xml").statusCode());
        HttpResponse<String> xmlOnly = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
                HttpRequest.newBuilder(URI.create(stowUrl())).header("Accept", "application/dicom+xml")
                        .header("Content-Type", "multipart/related; type=\"application/dicom\"; boundary=xyz")
                        .POST(HttpRequest.BodyPublishers.ofString("--xyz--")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(406, xmlOnly.statusCode());
        HttpResponse<String> bad = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(HttpRequest.newBuilder(URI.create(stowUrl()))
                .header("Content-Type", "multipart/related; type=\"application/dicom\"; boundary=xyz")
                .POST(HttpRequest.BodyPublishers.ofString("no boundary here")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, bad.statusCode());

        ConsumerRecord<byte[], byte[]> d = dlqRecordFor(garbage);
        assertTrue(header(d, Topics.DLQ_HEADER_ERROR).contains("not DICOM"), header(d, Topics.DLQ_HEADER_ERROR));
        assertEquals("parse", header(d, Topics.DLQ_HEADER_STAGE));
        assertEquals("stow", header(d, "source"), "no client address without Retain Device Identity");
        assertQuarantined(d, garbage);
    }

    @Test
    @Order(10)
    void stowRsWithAStatPriorityGoesToTheStatLane() throws Exception {
        Path file = TestTools.pydicomTestFiles().resolve("dicomdirtests/77654033/CR1/6154");
        String key = sopInstanceUid(file);
        int routineBefore = countByKey(Topics.RADIOGRAPHS).getOrDefault(key, 0);
        HttpResponse<String> r = stow(List.of(Files.readAllBytes(file)), "application/dicom", "STAT");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(1, countByKey(Topics.RADIOGRAPHS_STAT).getOrDefault(key, 0), "the film is on the STAT lane");
        assertEquals(routineBefore, countByKey(Topics.RADIOGRAPHS).getOrDefault(key, 0), "and not on the routine one");
        var de = AvroSerdes.specific(RadiographEvent.class, stack.schemaRegistryUrl(), false).deserializer();
        RadiographEvent ev = TopicReader.readAll(stack.bootstrapServers(), Topics.RADIOGRAPHS_STAT).stream()
                .filter(x -> key.equals(new String(x.key(), StandardCharsets.UTF_8)))
                .map(x -> de.deserialize(Topics.RADIOGRAPHS_STAT, x.value())).findFirst().orElseThrow();
        assertEquals(org.triage.events.Priority.STAT, ev.getPriority());
        HttpResponse<String> bad = stow(List.of(Files.readAllBytes(file)), "application/dicom", "whenever");
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body().contains("X-Triage-Priority must be ROUTINE, URGENT or STAT"), bad.body());
    }

    /** The DLQ record whose original has these bytes (by the SHA-256 header). */
    static ConsumerRecord<byte[], byte[]> dlqRecordFor(byte[] original) {
        String sha = org.triage.ingest.image.Normaliser.sha256(original);
        return TopicReader.readAll(stack.bootstrapServers(), Topics.RADIOGRAPHS_DLQ).stream()
                .filter(x -> sha.equals(header(x, DeadLetter.HEADER_SHA256))).findFirst()
                .orElseThrow(() -> new AssertionError("no DLQ record for original " + sha));
    }

    /** The record points at a quarantine file holding exactly the original, and carries none of its bytes. */
    static void assertQuarantined(ConsumerRecord<byte[], byte[]> d, byte[] original) throws Exception {
        String sha = org.triage.ingest.image.Normaliser.sha256(original);
        String uri = header(d, DeadLetter.HEADER_QUARANTINE_URI);
        assertNotNull(uri, "quarantine URI header");
        Path file = Path.of(URI.create(uri));
        assertEquals(sha + ".bin", file.getFileName().toString());
        assertTrue(java.util.Arrays.equals(original, Files.readAllBytes(file)), "quarantine file holds the original");
        assertEquals(Integer.toString(original.length), header(d, DeadLetter.HEADER_BYTES));
        assertEquals(null, header(d, DeadLetter.HEADER_QUARANTINE_DROPPED));
        JsonNode v = new ObjectMapper().readTree(new String(d.value(), StandardCharsets.UTF_8));
        assertEquals(uri, v.get("quarantineUri").asText());
        assertEquals(sha, v.get("sha256").asText());
        assertEquals(original.length, v.get("sizeBytes").asLong());
        assertEquals(header(d, Topics.DLQ_HEADER_ERROR), v.get("error").asText());
        assertEquals(header(d, Topics.DLQ_HEADER_STAGE), v.get("stage").asText());
        assertEquals(header(d, "source"), v.get("source").asText());
        assertTrue(d.value().length < 2048, "DLQ value is a small pointer, " + d.value().length + " bytes");
    }

    @Test
    @Order(5)
    void filesWithLabelsBecomeEventsWithKnownLabels() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("replay"));
        java.awt.image.BufferedImage bi = new java.awt.image.BufferedImage(1500, 1200, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 1200; y++) {
            for (int x = 0; x < 1500; x++) {
                bi.getRaster().setSample(x, y, 0, (x / 6 + y / 5) & 0xFF);
            }
        }
        javax.imageio.ImageIO.write(bi, "png", dir.resolve("00000001_000.png").toFile());
        javax.imageio.ImageIO.write(bi, "jpg", dir.resolve("00000002_000.jpg").toFile());
        Files.copy(fixtures.resolve("mono1_signed.dcm"), dir.resolve("00000003_000.dcm"));
        Path csv = tmp.resolve("labels.csv");
        Files.writeString(csv, "Image Index,Finding Labels,Follow-up #,Patient ID\n00000001_000.png,Cardiomegaly|Effusion,0,1\n"
                + "00000002_000.jpg,No Finding,0,2\n");
        try (KafkaSink sink = new KafkaSink(stack.bootstrapServers(), stack.schemaRegistryUrl(), Duration.ofSeconds(30),
                new Quarantine(tmp.resolve("quarantine-files"), Quarantine.DEFAULT_MAX_BYTES))) {
            IngestPipeline pipeline = TestDeid.pipeline(
                    new Pseudonymiser("test-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8)), sink);
            FileIngest.Summary s = new FileIngest(pipeline, LabelsCsv.read(csv), null).run(List.of(dir));
            assertEquals(3, s.stored(), s.toString());
        }
        Map<String, RadiographEvent> ev = events();
        RadiographEvent png = ev.values().stream().filter(e -> e.getKnownLabels().contains("Cardiomegaly")).findFirst().orElseThrow();
        assertEquals(List.of("Cardiomegaly", "Effusion"), png.getKnownLabels().stream().map(Object::toString).toList());
        assertEquals("files", png.getSourceSystem());
        assertTrue(png.getSopInstanceUid().startsWith("2.25."));
        assertEquals(1024, png.getImage().getWidth(), "downscaled to 1024 on the long side");
        assertEquals(819, png.getImage().getHeight());
        assertEquals(1500, png.getImage().getOriginalWidth());
        assertNotNull(ev.values().stream().filter(e -> e.getKnownLabels().contains("No Finding")).findFirst().orElse(null));
    }

    @Test
    @Order(6)
    void cliFilesCommandRefusesWithoutAKeyAndIngestsWithOne() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("cli"));
        Files.copy(fixtures.resolve("dx16.dcm"), dir.resolve("a.dcm"));
        // What a re-send from the quarantine looks like: a DICOM file named <sha256>.bin is recognised by its content.
        Files.copy(fixtures.resolve("mono1_signed.dcm"), dir.resolve(
                org.triage.ingest.image.Normaliser.sha256(Files.readAllBytes(fixtures.resolve("mono1_signed.dcm"))) + ".bin"));
        java.io.StringWriter err = new java.io.StringWriter();
        picocli.CommandLine cl = new picocli.CommandLine(new org.triage.ingest.cli.IngestCommand());
        cl.setErr(new java.io.PrintWriter(err));
        int rc = cl.execute("files", "--bootstrap-servers", stack.bootstrapServers(), "--schema-registry-url", stack.schemaRegistryUrl(),
                dir.toString());
        assertTrue(rc != 0, "no key, no start");
        assertTrue(err.toString().contains("no pseudonymisation key"), err.toString());
        Path key = tmp.resolve("key");
        Files.writeString(key, "test-key-0123456789abcdef\n");
        int before = countByKey(Topics.RADIOGRAPHS).values().stream().mapToInt(Integer::intValue).sum();
        rc = new picocli.CommandLine(new org.triage.ingest.cli.IngestCommand()).execute("files", "--no-progress", "--bootstrap-servers",
                stack.bootstrapServers(), "--schema-registry-url", stack.schemaRegistryUrl(), "--pseudonym-key-file", key.toString(),
                "--quarantine-dir", tmp.resolve("quarantine-cli").toString(), "--reid-dir", tmp.resolve("reid-cli").toString(), dir.toString());
        assertEquals(0, rc);
        assertEquals(before + 2, countByKey(Topics.RADIOGRAPHS).values().stream().mapToInt(Integer::intValue).sum());
    }

    @Test
    @Order(7)
    void dlqRecordsSayWhenTheQuarantineIsFull() throws Exception {
        byte[] big = new byte[5000];
        java.util.Arrays.fill(big, (byte) 'x');
        byte[] small = "small rejected input".getBytes(StandardCharsets.US_ASCII);
        Quarantine q = new Quarantine(tmp.resolve("quarantine-small"), 1000);
        try (KafkaSink sink = new KafkaSink(stack.bootstrapServers(), stack.schemaRegistryUrl(), Duration.ofSeconds(30), q)) {
            assertTrue(sink.deadLetter("over-key", big, "test cause", "parse", "files"));
            assertTrue(sink.deadLetter("small-key", small, "test cause", "parse", "files"));
            assertTrue(sink.deadLetter("empty-key", new byte[0], "file of 9 bytes exceeds the limit of 1", "receive", "files"));
        }
        assertEquals(1, q.droppedCount(), "the refusal is counted");
        ConsumerRecord<byte[], byte[]> over = dlqRecordFor(big);
        assertEquals("over-key", new String(over.key(), StandardCharsets.UTF_8));
        assertEquals("over-capacity", header(over, DeadLetter.HEADER_QUARANTINE_DROPPED));
        assertEquals(null, header(over, DeadLetter.HEADER_QUARANTINE_URI));
        assertEquals("5000", header(over, DeadLetter.HEADER_BYTES));
        assertEquals("test cause", header(over, Topics.DLQ_HEADER_ERROR));
        JsonNode v = new ObjectMapper().readTree(over.value());
        assertTrue(v.get("quarantineUri").isNull());
        assertEquals("over-capacity", v.get("quarantineDropped").asText());
        assertFalse(contains(over.value(), "xxxxxxxx".getBytes(StandardCharsets.US_ASCII)), "no original bytes in the value");
        assertFalse(Files.exists(q.pathFor(org.triage.ingest.image.Normaliser.sha256(big))));
        assertQuarantined(dlqRecordFor(small), small);
        ConsumerRecord<byte[], byte[]> empty = TopicReader.readAll(stack.bootstrapServers(), Topics.RADIOGRAPHS_DLQ).stream()
                .filter(x -> x.key() != null && "empty-key".equals(new String(x.key(), StandardCharsets.UTF_8))).findFirst().orElseThrow();
        assertEquals(DeadLetter.NO_ORIGINAL, header(empty, DeadLetter.HEADER_QUARANTINE_DROPPED));
        assertEquals("0", header(empty, DeadLetter.HEADER_BYTES));
    }

    @Test
    @Order(8)
    void malformedDicomWithPhiIsQuarantinedNotPublished() throws Exception {
        // A valid header full of PHI markers, then pixel data cut short: parses, fails to decode.
        byte[] broken = truncatePixelData(Files.readAllBytes(fixtures.resolve("dx16.dcm")));
        assertTrue(contains(broken, "ZZMARKERNAME".getBytes(StandardCharsets.US_ASCII)), "the input carries PHI markers");

        // files path, under a name without .dcm
        Path dir = Files.createDirectories(tmp.resolve("broken"));
        Files.write(dir.resolve("broken-upload"), broken);
        FileIngest.Summary s = new FileIngest(service.pipeline(), null, null).run(List.of(dir));
        assertEquals(1, s.failed(), s.toString());
        ConsumerRecord<byte[], byte[]> viaFiles = dlqRecordFor(broken);
        assertEquals("decode", header(viaFiles, Topics.DLQ_HEADER_STAGE));
        assertEquals("files", header(viaFiles, "source"));
        assertTrue(header(viaFiles, Topics.DLQ_HEADER_ERROR).startsWith("pixel data holds"), header(viaFiles, Topics.DLQ_HEADER_ERROR));
        assertQuarantined(viaFiles, broken);
        assertEquals(tmp.resolve("quarantine").toRealPath(), Path.of(URI.create(header(viaFiles, DeadLetter.HEADER_QUARANTINE_URI)))
                .getParent().toRealPath());

        // C-STORE path: the quarantined original is the dataset wrapped as a Part 10 file, readable for a re-send
        List<StoreScu.Result> res = new StoreScu().send("127.0.0.1", service.scpPort(), "DEMO", "TRIAGE", List.of(broken));
        assertEquals(0xC000, res.get(0).status());
        String sop = sopInstanceUid(fixtures.resolve("dx16.dcm"));
        ConsumerRecord<byte[], byte[]> viaScp = TopicReader.readAll(stack.bootstrapServers(), Topics.RADIOGRAPHS_DLQ).stream()
                .filter(x -> "scp".equals(header(x, "source")) && x.key() != null && sop.equals(new String(x.key(), StandardCharsets.UTF_8)))
                .findFirst().orElseThrow();
        Path kept = Path.of(URI.create(header(viaScp, DeadLetter.HEADER_QUARANTINE_URI)));
        byte[] keptBytes = Files.readAllBytes(kept);
        assertQuarantined(viaScp, keptBytes);
        assertTrue(contains(keptBytes, "ZZMARKERPID4711".getBytes(StandardCharsets.US_ASCII)), "the original is kept whole, PHI included");
        assertEquals(originalSopInstanceUid(fixtures.resolve("dx16.dcm")), new org.triage.ingest.dicom.DicomReader(org.triage.ingest.dicom.DicomLimits.DEFAULT).readFile(keptBytes)
                .getString(org.triage.ingest.dicom.Tag.SOP_INSTANCE_UID));
        // the no-PHI scan below covers these records too
    }

    /** Halves the length of the (last) Pixel Data element of an Explicit VR LE file and cuts the file there. */
    static byte[] truncatePixelData(byte[] f) {
        byte[] tag = {(byte) 0xE0, 0x7F, 0x10, 0x00, 'O', 'W', 0, 0};
        int at = -1;
        for (int i = f.length - tag.length; i >= 0 && at < 0; i--) {
            if (java.util.Arrays.equals(f, i, i + tag.length, tag, 0, tag.length)) {
                at = i;
            }
        }
        assertTrue(at > 0, "pixel data element not found");
        long len = java.nio.ByteBuffer.wrap(f, at + 8, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt() & 0xFFFFFFFFL;
        assertEquals(f.length, at + 12 + len, "pixel data is the last element");
        int half = (int) (len / 2) & ~1;
        byte[] out = java.util.Arrays.copyOf(f, at + 12 + half);
        java.nio.ByteBuffer.wrap(out, at + 8, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(half);
        return out;
    }

    @Test
    @Order(9)
    void noPhiInAnyRecordOfAnyTopic() throws Exception {
        // Files with PHI markers went through C-STORE above (dx16, mono1_signed); send them through files and STOW too.
        assertEquals(200, stow(List.of(Files.readAllBytes(fixtures.resolve("dx16_implicit.dcm"))), "application/dicom").statusCode());
        List<String> topics = new ArrayList<>(Topics.ALL);
        topics.add(Topics.SCHEMAS);
        int scanned = 0;
        for (String topic : topics) {
            for (ConsumerRecord<byte[], byte[]> r : TopicReader.readAll(stack.bootstrapServers(), topic)) {
                scanned++;
                for (String marker : Fixtures.PHI_MARKERS) {
                    byte[] m = marker.getBytes(StandardCharsets.US_ASCII);
                    assertFalse(contains(r.key(), m) || contains(r.value(), m), marker + " found in " + topic + " record " + r.offset());
                    for (Header h : r.headers()) {
                        assertFalse(contains(h.value(), m), marker + " found in a header of " + topic);
                    }
                }
            }
        }
        assertTrue(scanned >= 10, "scanned " + scanned + " records");
        assertTrue(TopicReader.readAll(stack.bootstrapServers(), Topics.RADIOGRAPHS_DLQ).size() >= 4, "the DLQ records were scanned too");
    }

    static boolean contains(byte[] hay, byte[] needle) {
        if (hay == null) {
            return false;
        }
        outer:
        for (int i = 0; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    static String stowUrl() {
        return "http://127.0.0.1:" + service.stowPort() + "/studies";
    }

    static HttpResponse<String> stow(List<byte[]> parts, String type) throws Exception {
        return stow(parts, type, null);
    }

    static HttpResponse<String> stow(List<byte[]> parts, String type, String priority) throws Exception {
        String boundary = "b0undary-" + System.nanoTime();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            body.writeBytes(("--" + boundary + "\r\nContent-Type: application/dicom\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            body.writeBytes(p);
            body.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(stowUrl()))
                .header("Content-Type", "multipart/related; type=\"" + type + "\"; boundary=" + boundary)
                .header("Accept", "application/dicom+json");
        if (priority != null) {
            req.header(org.triage.ingest.stow.StowServer.PRIORITY_HEADER, priority);
        }
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
                req.POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The Kafka key of a file: the replacement of its SOP Instance UID. */
    static String sopInstanceUid(Path f) throws Exception {
        return service.pipeline().deidentifier().replaceUid(originalSopInstanceUid(f));
    }

    static String originalSopInstanceUid(Path f) throws Exception {
        return new org.triage.ingest.dicom.DicomReader(org.triage.ingest.dicom.DicomLimits.DEFAULT).readFile(Files.readAllBytes(f))
                .getString(org.triage.ingest.dicom.Tag.SOP_INSTANCE_UID);
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
