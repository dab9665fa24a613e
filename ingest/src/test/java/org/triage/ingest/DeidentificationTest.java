package org.triage.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triage.events.RadiographEvent;
import org.triage.ingest.deid.DeidOptions;
import org.triage.ingest.deid.DateShifter;
import org.triage.ingest.deid.ReidentificationStore;
import org.triage.ingest.deid.SiteKey;
import org.triage.ingest.dicom.StoreScu;
import org.triage.ingest.dicom.Uids;
import org.triage.ingest.pipeline.DeadLetter;
import org.triage.ingest.pipeline.IngestResult;
import org.triage.ingest.pipeline.Pseudonymiser;
import org.triage.ingest.pipeline.Quarantine;
import org.triage.ingest.scp.ScpConfig;
import org.triage.platform.LocalStack;
import org.triage.schemas.Topics;
import org.triage.schemas.serde.AvroSerdes;

/**
 * The de-identification acceptance (issue 14, part 1) on a real broker and registry: a corpus with every attribute of
 * the README's table set to a marker goes through C-STORE, STOW-RS and files; no marker is on any record of any topic,
 * every event re-identifies through the store, and films whose pixels may carry identity are quarantined with a reason.
 */
class DeidentificationTest {
    static final String UID_ROOT = "1.2.826.0.1.3680043.10.5150.";
    static final String CALLING_AET = "ZZAETMARK";
    static final String ACQUISITION_DATE = "19710205";
    static final String ACQUISITION_TIME = "083014.345678";
    /** Text markers; the UIDs of every film are added per film. */
    static final List<String> MARKERS = List.of("19710207", "19710203", "19710204", ACQUISITION_DATE, "19710206", "083012.345678",
            "083013.345678", ACQUISITION_TIME, "083015.345678", "ZZACC5150", "ZZINSTITUTION", "ZZINSTADDR", "ZZREFERRER", "ZZSTATION7",
            "ZZSTUDYDESC", "ZZSERIESDESC", "ZZDEPT", "ZZPERFORMER", "ZZOPERATOR", "ZZPRIVCREATOR", "ZZPRIVATE", "ZZPATNAME", "Quixote",
            "ZZPID5150", "ZZISSUER", "19010203", "ZZOTHERPID", "ZZPATADDR", "ZZHISTORY", "ZZPATCOMMENT", "ZZDEVSERIAL", "ZZPROTOCOL",
            "ZZSTUDYID", "ZZIMAGECOMMENT", "ZZREQPROC", CALLING_AET, UID_ROOT);

    @TempDir
    static Path tmp;
    static LocalStack stack;
    static IngestService service;
    static final Pseudonymiser KEY = new Pseudonymiser(SiteKey.generate());

    @BeforeAll
    static void start() throws Exception {
        stack = LocalStack.start();
        service = IngestService.start(IngestService.Options.demo(stack.bootstrapServers(), stack.schemaRegistryUrl())
                .withScp(ScpConfig.defaults(0, "TRIAGE")).withStowPort(0).withPseudonymiser(KEY)
                .withQuarantine(tmp.resolve("quarantine"), Quarantine.DEFAULT_MAX_BYTES)
                .withDeid(DeidOptions.defaults().withReidentificationDir(tmp.resolve("reid"))));
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    static String uid(int film, int kind) {
        return UID_ROOT + film + "." + kind;
    }

    /** Film {@code film} of the corpus; {@code patientId} null leaves Patient ID and its issuer out. */
    static byte[] corpusFilm(int film, String sopClass, String patientId, String burnedIn) {
        byte[] requestItem = new DatasetBuilder().str(0x00401001, "SH", "ZZREQPROC").dataset();
        ByteArrayOutputStream sq = new ByteArrayOutputStream();
        sq.writeBytes(new byte[] {(byte) 0xFE, (byte) 0xFF, 0x00, (byte) 0xE0});
        sq.writeBytes(le32(requestItem.length));
        sq.writeBytes(requestItem);
        byte[] pixels = new byte[32 * 32 * 2];
        for (int i = 0; i < pixels.length / 2; i++) {
            int v = (i * 61 + film * 977) & 0xFFFF;
            pixels[2 * i] = (byte) v;
            pixels[2 * i + 1] = (byte) (v >>> 8);
        }
        DatasetBuilder b = new DatasetBuilder()
                .str(0x00080012, "DA", "19710207")
                .str(0x00080016, "UI", sopClass)
                .str(0x00080018, "UI", uid(film, 1))
                .str(0x00080020, "DA", "19710203").str(0x00080021, "DA", "19710204")
                .str(0x00080022, "DA", ACQUISITION_DATE).str(0x00080023, "DA", "19710206")
                .str(0x00080030, "TM", "083012.345678").str(0x00080031, "TM", "083013.345678")
                .str(0x00080032, "TM", ACQUISITION_TIME).str(0x00080033, "TM", "083015.345678")
                .str(0x00080050, "SH", "ZZACC5150")
                .str(0x00080060, "CS", "DX")
                .str(0x00080080, "LO", "ZZINSTITUTION General").str(0x00080081, "ST", "ZZINSTADDR 1 Main St")
                .str(0x00080090, "PN", "ZZREFERRER^Doc").str(0x00081010, "SH", "ZZSTATION7")
                .str(0x00081030, "LO", "ZZSTUDYDESC chest").str(0x0008103E, "LO", "ZZSERIESDESC pa")
                .str(0x00081040, "LO", "ZZDEPT").str(0x00081050, "PN", "ZZPERFORMER^A").str(0x00081070, "PN", "ZZOPERATOR^B")
                .str(0x00090010, "LO", "ZZPRIVCREATOR").str(0x00091001, "LO", "ZZPRIVATE value")
                .str(0x00100010, "PN", "ZZPATNAME^Quixote");
        if (patientId != null) {
            b.str(0x00100020, "LO", patientId).str(0x00100021, "LO", "ZZISSUER");
        }
        b.str(0x00100030, "DA", "19010203").str(0x00101000, "LO", "ZZOTHERPID").str(0x00101040, "LO", "ZZPATADDR Elm 13")
                .str(0x001021B0, "LT", "ZZHISTORY of cough").str(0x00104000, "LT", "ZZPATCOMMENT said hello")
                .str(0x00180015, "CS", "CHEST").str(0x00181000, "LO", "ZZDEVSERIAL").str(0x00181030, "LO", "ZZPROTOCOL chest")
                .str(0x00185101, "CS", "PA")
                .str(0x0020000D, "UI", uid(film, 2)).str(0x0020000E, "UI", uid(film, 3))
                .str(0x00200010, "SH", "ZZSTUDYID").str(0x00200052, "UI", uid(film, 4))
                .str(0x00204000, "LT", "ZZIMAGECOMMENT left")
                .us(0x00280002, 1).str(0x00280004, "CS", "MONOCHROME2").us(0x00280010, 32).us(0x00280011, 32)
                .us(0x00280100, 16).us(0x00280101, 16).us(0x00280102, 15).us(0x00280103, 0);
        if (burnedIn != null) {
            b.str(0x00280301, "CS", burnedIn);
        }
        return b.raw(0x00400275, "SQ", sq.toByteArray(), sq.size())
                .raw(0x7FE00010, "OW", pixels, pixels.length)
                .part10(sopClass, uid(film, 1));
    }

    @Test
    void corpusLeavesNoMarkerOnAnyTopicReidentifiesAndBurnedInFilmsAreQuarantined() throws Exception {
        Map<Integer, IngestResult> stored = new LinkedHashMap<>();
        // 1: C-STORE from a device whose AE title is a marker; 2: same patient by STOW-RS; 3, 4: no Patient ID, by files.
        StoreScu.Result scu = new StoreScu().send("127.0.0.1", service.scpPort(), CALLING_AET, "TRIAGE",
                List.of(corpusFilm(1, Uids.DX_PRESENTATION, "ZZPID5150", "NO"))).get(0);
        assertEquals(0, scu.status(), scu.error());
        assertEquals(uid(1, 1), scu.sopInstanceUid(), "the C-STORE response names the sender's own UID");
        HttpResponse<String> stow = stow(corpusFilm(2, Uids.DX_PRESENTATION, "ZZPID5150", "NO"));
        assertEquals(200, stow.statusCode(), stow.body());
        assertEquals(uid(2, 1), new ObjectMapper().readTree(stow.body()).get("00081199").get("Value").get(0).get("00081155").get("Value")
                .get(0).asText(), "STOW-RS answers with the sender's own UID");
        for (int film : new int[] {3, 4}) {
            IngestResult r = service.pipeline().ingestFileBytes(corpusFilm(film, Uids.DX_PRESENTATION, null, null), "files", null, List.of());
            assertTrue(r.ok(), r.error());
            assertEquals(service.pipeline().deidentifier().replaceUid(uid(film, 1)), r.sopInstanceUid(), "IngestResult carries the Kafka key");
            stored.put(film, r);
        }

        // Films whose pixels may show identity: Burned In Annotation YES (C-STORE), and a secondary capture that does not say (STOW-RS).
        StoreScu.Result burned = new StoreScu().send("127.0.0.1", service.scpPort(), CALLING_AET, "TRIAGE",
                List.of(corpusFilm(5, Uids.DX_PRESENTATION, "ZZPID5150", "YES"))).get(0);
        assertEquals(0x0124, burned.status(), "refused: not authorized");
        assertTrue(burned.error().contains("Burned In Annotation (0028,0301) is YES"), burned.error());
        HttpResponse<String> sc = stow(corpusFilm(6, Uids.SECONDARY_CAPTURE, "ZZPID5150", null));
        assertEquals(409, sc.statusCode(), sc.body());
        JsonNode failed = new ObjectMapper().readTree(sc.body()).get("00081198").get("Value").get(0);
        assertEquals(0x0124, failed.get("00081197").get("Value").get(0).asInt());

        Map<String, RadiographEvent> events = events();
        assertEquals(4, events.size(), events.keySet().toString());
        Map<Integer, RadiographEvent> byFilm = new HashMap<>();
        for (int film = 1; film <= 4; film++) {
            String key = service.pipeline().deidentifier().replaceUid(uid(film, 1));
            RadiographEvent e = events.get(key);
            assertTrue(e != null, "film " + film + " is on radiographs under its replacement UID");
            assertTrue(e.getStudyInstanceUid().startsWith("2.25.") && e.getSeriesInstanceUid().startsWith("2.25."));
            byFilm.put(film, e);
        }
        assertEquals("scp", byFilm.get(1).getSourceSystem());
        assertEquals("stow", byFilm.get(2).getSourceSystem(), "no client address without Retain Device Identity");
        assertEquals(byFilm.get(1).getPatientPseudonym(), byFilm.get(2).getPatientPseudonym(), "one patient, one pseudonym");
        assertEquals(KEY.pseudonym("ZZISSUER", "ZZPID5150", null), byFilm.get(1).getPatientPseudonym(), "the issuer is in the pseudonym");
        assertNotEquals(byFilm.get(3).getPatientPseudonym(), byFilm.get(4).getPatientPseudonym(), "films without a Patient ID share nothing");

        // Dates: every film of a patient moves back by the same whole number of days (1..365); the time of day stays.
        Instant original = Instant.parse("1971-02-05T08:30:14.345Z");
        for (RadiographEvent e : byFilm.values()) {
            long shift = Duration.between(e.getAcquiredAt(), original).toMillis();
            assertEquals(0, shift % 86_400_000L, "whole days");
            long days = shift / 86_400_000L;
            assertTrue(days >= 1 && days <= DateShifter.MAX_SHIFT_DAYS, "shifted by " + days + " days");
        }
        assertEquals(byFilm.get(1).getAcquiredAt(), byFilm.get(2).getAcquiredAt(), "same patient, same offset");

        // Re-identification round-trips through the store, by instance and by study.
        for (int film = 1; film <= 4; film++) {
            RadiographEvent e = byFilm.get(film);
            ReidentificationStore.Entry r = service.reidentification().lookup(e.getSopInstanceUid()).orElseThrow();
            assertEquals(uid(film, 1), r.sopInstanceUid());
            assertEquals(uid(film, 2), r.studyInstanceUid());
            assertEquals(uid(film, 3), r.seriesInstanceUid());
            assertEquals("ZZACC5150", r.accessionNumber());
            assertEquals(film <= 2 ? "ZZPID5150" : null, r.patientId());
            assertEquals(film <= 2 ? "ZZISSUER" : null, r.issuerOfPatientId());
            assertEquals(Uids.DX_PRESENTATION, r.sopClassUid(), "kept so a result can reference the film as an image (SR IMAGE item)");
            assertEquals(uid(film, 2), service.reidentification().lookup(e.getStudyInstanceUid()).orElseThrow().studyInstanceUid());
        }
        assertTrue(service.reidentification().lookup(service.pipeline().deidentifier().replaceUid(uid(5, 1))).isEmpty(),
                "a refused film is not in the map: nothing about it was published");

        // The quarantine keeps the refused originals (at the edge); the DLQ has the reason, keyed by the replacement.
        for (int film : new int[] {5, 6}) {
            String key = service.pipeline().deidentifier().replaceUid(uid(film, 1));
            ConsumerRecord<byte[], byte[]> d = TopicReader.readAll(stack.bootstrapServers(), Topics.RADIOGRAPHS_DLQ).stream()
                    .filter(x -> x.key() != null && key.equals(new String(x.key(), StandardCharsets.UTF_8))).findFirst().orElseThrow();
            assertEquals("deid", header(d, Topics.DLQ_HEADER_STAGE));
            assertTrue(header(d, Topics.DLQ_HEADER_ERROR).contains("the pixels may show patient identity"), header(d, Topics.DLQ_HEADER_ERROR));
            byte[] kept = Files.readAllBytes(Path.of(URI.create(header(d, DeadLetter.HEADER_QUARANTINE_URI))));
            assertTrue(KafkaIngestTest.contains(kept, uid(film, 1).getBytes(StandardCharsets.US_ASCII)), "the original is quarantined whole");
        }

        // Not one marker, nor the original acquisition instant as Avro encodes it, on any record of any topic.
        List<byte[]> needles = new ArrayList<>();
        MARKERS.forEach(m -> needles.add(m.getBytes(StandardCharsets.US_ASCII)));
        for (int film = 1; film <= 6; film++) {
            for (int kind = 1; kind <= 4; kind++) {
                needles.add(uid(film, kind).getBytes(StandardCharsets.US_ASCII));
            }
        }
        needles.add(avroLong(original.toEpochMilli()));
        List<String> topics = new ArrayList<>(Topics.ALL);
        topics.add(Topics.SCHEMAS);
        int scanned = 0;
        for (String topic : topics) {
            for (ConsumerRecord<byte[], byte[]> r : TopicReader.readAll(stack.bootstrapServers(), topic)) {
                scanned++;
                for (byte[] m : needles) {
                    String what = new String(m, StandardCharsets.ISO_8859_1) + " in " + topic + " record " + r.offset();
                    assertFalse(KafkaIngestTest.contains(r.key(), m), what + " (key)");
                    assertFalse(KafkaIngestTest.contains(r.value(), m), what + " (value)");
                    for (Header h : r.headers()) {
                        assertFalse(KafkaIngestTest.contains(h.value(), m), what + " (header " + h.key() + ")");
                    }
                }
            }
        }
        assertTrue(scanned >= 6, "scanned " + scanned + " records (4 events, 2 dead letters, schemas)");
    }

    @Test
    void dcmdumpReadsTheCorpusWithEveryMarkerInPlace() throws Exception {
        Path dcmdump = TestTools.requireTool("dcmdump", "dcmtk");
        Path f = tmp.resolve("corpus.dcm");
        Files.write(f, corpusFilm(1, Uids.DX_PRESENTATION, "ZZPID5150", "NO"));
        TestTools.Result r = TestTools.run(List.of(dcmdump.toString(), "-M", f.toString()), 30);
        assertEquals(0, r.code(), r.out());
        for (String m : MARKERS) {
            if (!m.equals(CALLING_AET)) {
                assertTrue(r.out().contains(m), m + " not in dcmdump's reading of the corpus:\n" + r.out());
            }
        }
        assertTrue(r.out().contains("(0028,0301) CS [NO]"), r.out());
        assertTrue(r.out().contains("(0040,1001) SH [ZZREQPROC]"), "the nested marker is inside the sequence:\n" + r.out());
    }

    static Map<String, RadiographEvent> events() {
        var de = AvroSerdes.specific(RadiographEvent.class, stack.schemaRegistryUrl(), false).deserializer();
        Map<String, RadiographEvent> m = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : TopicReader.readAll(stack.bootstrapServers(), Topics.RADIOGRAPHS)) {
            m.put(new String(r.key(), StandardCharsets.UTF_8), de.deserialize(Topics.RADIOGRAPHS, r.value()));
        }
        return m;
    }

    static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    static HttpResponse<String> stow(byte[] part) throws Exception {
        String boundary = "deid-" + System.nanoTime();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Type: application/dicom\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        body.writeBytes(part);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + service.stowPort() + "/studies"))
                .header("Content-Type", "multipart/related; type=\"application/dicom\"; boundary=" + boundary)
                .header("Accept", "application/dicom+json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A long as Avro writes it (zig-zag varint), to look for the unshifted timestamp-millis in event bytes. */
    static byte[] avroLong(long v) {
        long n = (v << 1) ^ (v >> 63);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while ((n & ~0x7FL) != 0) {
            out.write((int) ((n & 0x7F) | 0x80));
            n >>>= 7;
        }
        out.write((int) n);
        return out.toByteArray();
    }

    static byte[] le32(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }
}
