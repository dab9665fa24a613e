package org.triage.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triage.events.RadiographEvent;
import org.triage.ingest.dicom.DimseCommand;
import org.triage.ingest.dicom.StoreScu;
import org.triage.ingest.dicom.Uids;
import org.triage.ingest.dicom.UpperLayer;
import org.triage.ingest.deid.DeidOptions;
import org.triage.ingest.pipeline.Pseudonymiser;
import org.triage.ingest.scp.ScpConfig;

/** The SCP against real dcmtk peers and hostile raw sockets, with an in-memory sink (the Kafka path is in KafkaIngestIT). */
class ScpTest {
    @TempDir
    Path tmp;

    private RecordingSink sink;
    private IngestService service;

    @BeforeEach
    void start() throws Exception {
        sink = new RecordingSink();
        ScpConfig cfg = ScpConfig.defaults(0, "TRIAGE").withMaxAssociations(2).withTimeouts(Duration.ofSeconds(3), Duration.ofSeconds(5));
        // The site options this SCP test runs under: the calling AE title kept (Retain Device Identity), and pydicom's
        // secondary capture, which does not say whether it has burned-in text, accepted.
        service = IngestService.start(IngestService.Options.demo("unused:9092", "http://unused").withScp(cfg)
                .withDeid(DeidOptions.demo().withRetainDeviceIdentity(true).withAcceptBurnedIn(true)), sink);
    }

    @AfterEach
    void stop() {
        service.close();
    }

    private TestTools.Result dcmtk(String tool, String... args) {
        List<String> cmd = new ArrayList<>(List.of(TestTools.requireTool(tool, "dcmtk").toString()));
        cmd.addAll(List.of(args));
        return TestTools.run(cmd, 60);
    }

    @Test
    void echoscuSucceeds() {
        TestTools.Result r = dcmtk("echoscu", "-aet", "MODALITY", "-aec", "TRIAGE", "127.0.0.1", Integer.toString(service.scpPort()));
        assertEquals(0, r.code(), r.out());
    }

    @Test
    void storescuSendsRealFilesAndEachBecomesOneEvent() throws Exception {
        Path tf = TestTools.pydicomTestFiles();
        Path fx = Fixtures.generate(tmp, 0);
        List<String> files = new ArrayList<>(List.of(tf.resolve("dicomdirtests/77654033/CR1/6154").toString(),
                tf.resolve("dicomdirtests/77654033/CR2/6247").toString(), tf.resolve("CT_small.dcm").toString(),
                tf.resolve("MR_small_implicit.dcm").toString(), tf.resolve("SC_rgb_jpeg_dcmtk.dcm").toString(),
                fx.resolve("dx16.dcm").toString(), fx.resolve("mono1_signed.dcm").toString()));
        Path jpegDcm = ownJpegAsDicom();
        if (jpegDcm != null) {
            files.add(jpegDcm.toString());
        }
        // -xy: also propose JPEG baseline, so the JPEG files travel as they are (storescu cannot convert them).
        List<String> args = new ArrayList<>(List.of("-xy", "-aet", "MODALITY", "-aec", "TRIAGE", "127.0.0.1", Integer.toString(service.scpPort())));
        args.addAll(files);
        TestTools.Result r = dcmtk("storescu", args.toArray(String[]::new));
        assertEquals(0, r.code(), r.out());
        assertEquals(files.size(), sink.events.size(), "one event per file; dead letters: " + sink.dead);
        Set<String> uids = new HashSet<>();
        for (RadiographEvent e : sink.events) {
            assertTrue(uids.add(e.getSopInstanceUid()), "duplicate " + e.getSopInstanceUid());
            assertEquals("scp:MODALITY", e.getSourceSystem());
            assertEquals("png16", e.getImage().getEncoding());
            assertTrue(e.getImage().getWidth() <= 1024 && e.getImage().getHeight() <= 1024);
            assertEquals(64, e.getPatientPseudonym().length());
        }
        assertTrue(sink.dead.isEmpty(), sink.dead.toString());
    }

    /** A JPEG of our own (written by ImageIO) wrapped by dcmtk's img2dcm: JPEG baseline Secondary Capture. */
    private Path ownJpegAsDicom() throws Exception {
        Path img2dcm = TestTools.which("img2dcm");
        if (img2dcm == null) {
            return null;
        }
        Path jpg = tmp.resolve("own.jpg");
        java.awt.image.BufferedImage bi = new java.awt.image.BufferedImage(120, 90, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 90; y++) {
            for (int x = 0; x < 120; x++) {
                bi.getRaster().setSample(x, y, 0, (x * 2 + y) & 0xFF);
            }
        }
        javax.imageio.ImageIO.write(bi, "jpg", jpg.toFile());
        Path out = tmp.resolve("own_jpeg.dcm");
        TestTools.Result r = TestTools.run(List.of(img2dcm.toString(), jpg.toString(), out.toString()), 60);
        assertEquals(0, r.code(), r.out());
        return out;
    }

    @Test
    void undecodableTransferSyntaxIsRefusedAtNegotiation() throws Exception {
        Path tf = TestTools.pydicomTestFiles();
        Path j2k = tf.resolve("MR_small_jp2klossless.dcm");
        // -R: propose only what the file needs (its own JPEG 2000 syntax), which we must refuse.
        TestTools.Result r = dcmtk("storescu", "-R", "-aet", "MODALITY", "-aec", "TRIAGE", "127.0.0.1", Integer.toString(service.scpPort()),
                j2k.toString());
        assertNotEquals(0, r.code(), "storescu must report the refused context: " + r.out());
        assertTrue(sink.events.isEmpty());
        // Our SCU sees the context rejected too, and the SCP keeps serving.
        List<StoreScu.Result> res = new StoreScu().sendPaths("127.0.0.1", service.scpPort(), "MODALITY", "TRIAGE", List.of(j2k));
        assertEquals(-1, res.get(0).status());
        assertEquals(0, new StoreScu().echo("127.0.0.1", service.scpPort(), "MODALITY", "TRIAGE"));
    }

    @Test
    void wrongCalledAeTitleIsRejected() throws Exception {
        StoreScu.AssociationRejectedException e = assertThrows(StoreScu.AssociationRejectedException.class,
                () -> new StoreScu().echo("127.0.0.1", service.scpPort(), "MODALITY", "NOT_US"));
        assertEquals(7, e.reason());
        assertEquals(1, e.result());
    }

    @Test
    void callingAeTitleAllowList() throws Exception {
        service.close();
        ScpConfig cfg = ScpConfig.defaults(0, "TRIAGE").withAllowedCallingAets(Set.of("GOODCT"));
        service = IngestService.start(IngestService.Options.demo("unused:9092", "http://unused").withScp(cfg), sink);
        StoreScu.AssociationRejectedException e = assertThrows(StoreScu.AssociationRejectedException.class,
                () -> new StoreScu().echo("127.0.0.1", service.scpPort(), "EVIL", "TRIAGE"));
        assertEquals(3, e.reason());
        assertEquals(0, new StoreScu().echo("127.0.0.1", service.scpPort(), "GOODCT", "TRIAGE"));
    }

    @Test
    void garbagePdusAreAbortedAndTheScpKeepsServing() throws Exception {
        byte[][] garbage = {
            "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(),
            {0x01, 0x00, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF}, // A-ASSOCIATE-RQ claiming 4 GB
            {0x01, 0x00, 0, 0, 0, 10, 0, 1, 0, 0, 'x', 'x', 'x', 'x', 'x', 'x'}, // truncated RQ body
            {0x04, 0x00, 0, 0, 0, 4, 0, 0, 0, 0}, // P-DATA before association
        };
        for (byte[] g : garbage) {
            try (Socket s = new Socket("127.0.0.1", service.scpPort())) {
                s.setSoTimeout(5000);
                s.getOutputStream().write(g);
                s.getOutputStream().flush();
                int type = s.getInputStream().read();
                assertTrue(type == UpperLayer.A_ABORT || type == -1, "expected A-ABORT or close, got " + type);
            }
        }
        echoEventually();
    }

    @Test
    void silentConnectionsAreAbortedAfterTheArtimTimeout() throws Exception {
        try (Socket s = new Socket("127.0.0.1", service.scpPort())) {
            s.setSoTimeout(10000);
            long t0 = System.nanoTime();
            int first = s.getInputStream().read();
            assertTrue(first == UpperLayer.A_ABORT || first == -1, "aborted, got " + first);
            assertTrue(System.nanoTime() - t0 < 8_000_000_000L, "within the 3 s ARTIM timeout (plus slack)");
        }
    }

    @Test
    void abortMidTransferStoresNothingAndTheScpKeepsServing() throws Exception {
        Path fx = Fixtures.generate(tmp, 0);
        byte[] file = Files.readAllBytes(fx.resolve("dx16.dcm"));
        try (Socket s = new Socket("127.0.0.1", service.scpPort())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            DataInputStream in = new DataInputStream(s.getInputStream());
            UpperLayer.writeAssociateRq(out, "MODALITY", "TRIAGE",
                    List.of(new UpperLayer.PresentationContext(1, Uids.DX_PRESENTATION, List.of(Uids.EXPLICIT_VR_LE))), 16384);
            assertEquals(UpperLayer.A_ASSOCIATE_AC, UpperLayer.read(in, 1 << 16).type());
            byte[] cmd = new DimseCommand.Builder().ui(DimseCommand.AFFECTED_SOP_CLASS_UID, Uids.DX_PRESENTATION)
                    .us(DimseCommand.COMMAND_FIELD, DimseCommand.C_STORE_RQ).us(DimseCommand.MESSAGE_ID, 1)
                    .us(DimseCommand.COMMAND_DATA_SET_TYPE, 0).ui(DimseCommand.AFFECTED_SOP_INSTANCE_UID, "1.2.3").encode();
            UpperLayer.writePData(out, 1, true, cmd, 16384);
            // Half of the dataset, sent as non-last fragments, then abort.
            byte[] half = java.util.Arrays.copyOfRange(file, 300, file.length / 2);
            byte[] body = new byte[half.length + 6];
            int len = half.length + 2;
            body[0] = (byte) (len >>> 24);
            body[1] = (byte) (len >>> 16);
            body[2] = (byte) (len >>> 8);
            body[3] = (byte) len;
            body[4] = 1;
            body[5] = 0;
            System.arraycopy(half, 0, body, 6, half.length);
            out.write(new byte[] {0x04, 0, (byte) (body.length >>> 24), (byte) (body.length >>> 16), (byte) (body.length >>> 8), (byte) body.length});
            out.write(body);
            UpperLayer.writeAbort(out, 0, 0);
        }
        echoEventually();
        assertTrue(sink.events.isEmpty(), "nothing from an aborted transfer is published");
        // The aborted association's own thread releases the budget when it reads the abort; the echo runs on another
        // association and may finish first (seen in CI under load), so wait for it, bounded.
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (service.pipeline().memoryBudget().used() != 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(0, service.pipeline().memoryBudget().used(), "the aborted dataset's budget was released");
    }

    @Test
    void malformedDatasetsGetFailureStatusAndDlqRecords() throws Exception {
        byte[] huge = DatasetBuilder.image("1.2.826.0.1.1", 60000, 60000, 8, 8).part10(Uids.DX_PRESENTATION, "1.2.826.0.1.1");
        byte[] lying = DatasetBuilder.image("1.2.826.0.1.2", 4, 4, 32, 900_000).part10(Uids.DX_PRESENTATION, "1.2.826.0.1.2");
        byte[] good = DatasetBuilder.image("1.2.826.0.1.3", 4, 4, 32, 32).part10(Uids.DX_PRESENTATION, "1.2.826.0.1.3");
        List<StoreScu.Result> res = new StoreScu().send("127.0.0.1", service.scpPort(), "MODALITY", "TRIAGE", List.of(huge, good));
        assertEquals(0xA700, res.get(0).status(), "over the dimension limit: out of resources");
        assertTrue(res.get(0).error().contains("60000x60000"), res.get(0).error());
        assertEquals(0, res.get(1).status(), "the next instance on the same association is stored");
        // The lying file cannot even be parsed by our SCU, so send it raw over the SCU path as a dataset.
        List<StoreScu.Result> res2 = new StoreScu().send("127.0.0.1", service.scpPort(), "MODALITY", "TRIAGE",
                List.of(DatasetBuilder.image("1.2.826.0.1.4", 4, 4, 32, 32).part10(Uids.DX_PRESENTATION, "1.2.826.0.1.4")));
        assertEquals(0, res2.get(0).status());
        assertFalse(sink.dead.isEmpty());
        RecordingSink.Dead d = sink.dead.get(0);
        assertEquals(service.pipeline().deidentifier().replaceUid("1.2.826.0.1.1"), d.key(), "DLQ key: the replacement UID");
        assertEquals("decode", d.stage());
        assertTrue(d.error().contains("exceed the limit"), d.error());
        assertEquals(2, sink.events.size());
        assertTrue(lying.length > 0);
    }

    @Test
    void oversizedDatasetsAreDiscardedWithoutBufferingAndTheAssociationGoesOn() throws Exception {
        service.close();
        ScpConfig cfg = ScpConfig.defaults(0, "TRIAGE");
        org.triage.ingest.dicom.DicomLimits small = org.triage.ingest.dicom.DicomLimits.DEFAULT.withMaxDatasetBytes(200_000);
        service = IngestService.start(IngestService.Options.demo("unused:9092", "http://unused").withScp(cfg).withLimits(small, 1024), sink);
        byte[] big = DatasetBuilder.image("1.2.826.0.3.1", 400, 400, 320_000, 320_000).part10(Uids.DX_PRESENTATION, "1.2.826.0.3.1");
        byte[] ok = DatasetBuilder.image("1.2.826.0.3.2", 100, 100, 20_000, 20_000).part10(Uids.DX_PRESENTATION, "1.2.826.0.3.2");
        List<StoreScu.Result> res = new StoreScu().send("127.0.0.1", service.scpPort(), "MODALITY", "TRIAGE", List.of(big, ok));
        assertEquals(0xA700, res.get(0).status());
        assertTrue(res.get(0).error().contains("larger than the limit"), res.get(0).error());
        assertEquals(0, res.get(1).status());
        assertEquals("receive", sink.dead.get(0).stage());
        assertEquals(1, sink.events.size());
    }

    @Test
    void memoryBudgetBoundsWorkAcrossAssociationsAndIsAlwaysReturned() throws Exception {
        service.close();
        service = IngestService.start(IngestService.Options.demo("unused:9092", "http://unused").withScp(ScpConfig.defaults(0, "TRIAGE"))
                .withMemoryBudget(6L << 20), sink);
        // 1024x1024 needs ~2 MB of dataset (x2 reserved) and 8 MB of decode work: more than the 6 MB budget.
        byte[] big = DatasetBuilder.image("1.2.826.0.5.1", 1024, 1024, 2 << 20, 2 << 20).part10(Uids.DX_PRESENTATION, "1.2.826.0.5.1");
        byte[] ok = DatasetBuilder.image("1.2.826.0.5.2", 256, 256, 128 << 10, 128 << 10).part10(Uids.DX_PRESENTATION, "1.2.826.0.5.2");
        List<StoreScu.Result> res = new StoreScu().send("127.0.0.1", service.scpPort(), "MODALITY", "TRIAGE", List.of(big, ok));
        assertEquals(0xA700, res.get(0).status());
        assertTrue(res.get(0).error().contains("budget"), res.get(0).error());
        assertEquals(0, res.get(1).status());
        assertEquals(0, service.pipeline().memoryBudget().used(), "every reservation was released");
    }

    @Test
    void referenceModeWritesTheImageAndPutsItsUriInTheEvent() throws Exception {
        service.close();
        Path refs = tmp.resolve("refs");
        service = IngestService.start(IngestService.Options.demo("unused:9092", "http://unused").withScp(ScpConfig.defaults(0, "TRIAGE"))
                .withReferenceDir(refs), sink);
        byte[] ok = DatasetBuilder.image("1.2.826.0.4.1", 64, 64, 8192, 8192).part10(Uids.DX_PRESENTATION, "1.2.826.0.4.1");
        assertEquals(0, new StoreScu().send("127.0.0.1", service.scpPort(), "MODALITY", "TRIAGE", List.of(ok)).get(0).status());
        RadiographEvent e = sink.events.get(0);
        assertEquals(null, e.getImage().getData());
        Path png = Path.of(java.net.URI.create(e.getImage().getUri().toString()));
        assertEquals(e.getImage().getSha256().toString(), org.triage.ingest.image.Normaliser.sha256(Files.readAllBytes(png)));
    }

    @Test
    void kafkaFailureIsReportedAsARetryableFailure() throws Exception {
        sink.failPublish = true;
        byte[] good = DatasetBuilder.image("1.2.826.0.2.1", 4, 4, 32, 32).part10(Uids.DX_PRESENTATION, "1.2.826.0.2.1");
        List<StoreScu.Result> res = new StoreScu().send("127.0.0.1", service.scpPort(), "MODALITY", "TRIAGE", List.of(good));
        assertEquals(0xA700, res.get(0).status());
        sink.failPublish = false;
        res = new StoreScu().send("127.0.0.1", service.scpPort(), "MODALITY", "TRIAGE", List.of(good));
        assertEquals(0, res.get(0).status(), "the retry succeeds");
        assertEquals(1, sink.events.size());
    }

    @Test
    void associationLimitRejectsTransientlyAndIdleAssociationsAreAborted() throws Exception {
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                Socket s = new Socket("127.0.0.1", service.scpPort());
                held.add(s);
                UpperLayer.writeAssociateRq(s.getOutputStream(), "HOLDER", "TRIAGE",
                        List.of(new UpperLayer.PresentationContext(1, Uids.VERIFICATION, List.of(Uids.IMPLICIT_VR_LE))), 16384);
                assertEquals(UpperLayer.A_ASSOCIATE_AC, UpperLayer.read(new DataInputStream(s.getInputStream()), 1 << 16).type());
            }
            StoreScu.AssociationRejectedException e = assertThrows(StoreScu.AssociationRejectedException.class,
                    () -> new StoreScu().echo("127.0.0.1", service.scpPort(), "MODALITY", "TRIAGE"));
            assertEquals(2, e.result(), "transient");
            assertEquals(3, e.source());
            assertEquals(2, e.reason(), "local limit exceeded");
            // The held associations send nothing: the idle timeout (5 s here) aborts them.
            held.get(0).setSoTimeout(15000);
            assertEquals(UpperLayer.A_ABORT, held.get(0).getInputStream().read());
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
        echoEventually();
    }

    /** An aborted association frees its slot just after the peer sees the A-ABORT: allow that moment. */
    private void echoEventually() throws Exception {
        long deadline = System.currentTimeMillis() + 10000;
        while (true) {
            try {
                assertEquals(0, new StoreScu().echo("127.0.0.1", service.scpPort(), "MODALITY", "TRIAGE"));
                return;
            } catch (StoreScu.AssociationRejectedException e) {
                assertTrue(System.currentTimeMillis() < deadline, "slots are released");
                Thread.sleep(50);
            }
        }
    }

    @Test
    void pseudonymIsTheKeyedHmacAndNotTheId() {
        Pseudonymiser a = new Pseudonymiser("0123456789abcdef-key-a".getBytes());
        Pseudonymiser b = new Pseudonymiser("0123456789abcdef-key-b".getBytes());
        assertEquals(a.pseudonym(null, "P1", null), a.pseudonym(null, "P1", null));
        assertNotEquals(a.pseudonym(null, "P1", null), b.pseudonym(null, "P1", null));
        assertFalse(a.pseudonym(null, "P1", null).contains("P1"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Pseudonymiser.fromConfig(null, null, false));
        assertTrue(e.getMessage().contains("TRIAGE_PSEUDONYM_KEY"));
    }
}
