package org.triage.results.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triage.results.Peers;
import org.triage.results.TestReports;

/** The SR reaches a real PACS (Orthanc): stored once however often it is sent, in the original study, and dsrdump reads it back. */
class DicomSrTargetTest {
    @TempDir
    Path tmp;

    @Test
    void orthancStoresTheSrInTheOriginalStudyOnce() throws Exception {
        Path orthanc = Peers.require("Orthanc", "orthanc");
        Path dsrdump = Peers.require("dsrdump", "dcmtk");
        int http = freePort();
        int dicom = freePort();
        Path cfg = tmp.resolve("orthanc.json");
        Files.writeString(cfg, """
                {"Name": "triage-results-test", "StorageDirectory": "%s", "IndexDirectory": "%s", "HttpPort": %d, "DicomPort": %d,
                 "DicomAet": "PACS", "RemoteAccessAllowed": false, "AuthenticationEnabled": false, "HttpServerEnabled": true,
                 "DicomServerEnabled": true, "Plugins": [], "ConcurrentJobs": 1}
                """.formatted(tmp.resolve("db"), tmp.resolve("db"), http, dicom));
        Process p = new ProcessBuilder(orthanc.toString(), cfg.toString()).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("orthanc.log").toFile()).start();
        try {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
            String base = "http://127.0.0.1:" + http;
            awaitUp(client, base, p);

            DicomSrTarget target = new DicomSrTarget("127.0.0.1", dicom, "TRIAGE", "PACS", Duration.ofSeconds(30));
            target.deliver(TestReports.alert());
            target.deliver(TestReports.alert());

            JsonNode instances = get(client, base + "/instances");
            assertEquals(1, instances.size(), "a redelivery replaces, never adds: " + instances);
            String id = instances.get(0).asText();
            JsonNode tags = get(client, base + "/instances/" + id + "/simplified-tags");
            assertEquals(SrBuilder.COMPREHENSIVE_SR, tags.get("SOPClassUID").asText());
            assertEquals(TestReports.FILM.studyInstanceUid(), tags.get("StudyInstanceUID").asText());
            assertEquals(TestReports.FILM.patientId(), tags.get("PatientID").asText());
            assertEquals(TestReports.FILM.accessionNumber(), tags.get("AccessionNumber").asText());

            Path stored = tmp.resolve("stored.dcm");
            Files.write(stored, client.send(HttpRequest.newBuilder(URI.create(base + "/instances/" + id + "/file")).build(),
                    HttpResponse.BodyHandlers.ofByteArray()).body());
            Process dump = new ProcessBuilder(Peers.command(dsrdump, stored.toString())).redirectErrorStream(true).start();
            String out = new String(dump.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(dump.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, dump.exitValue(), out);
            assertTrue(out.contains("Imaging Measurement Report") && out.contains(TestReports.FILM.sopInstanceUid()), out);
        } finally {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    static void awaitUp(HttpClient client, String base, Process p) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (true) {
            try {
                if (client.send(HttpRequest.newBuilder(URI.create(base + "/system")).build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException e) {
                // not up yet
            }
            assertTrue(p.isAlive(), "Orthanc exited");
            assertTrue(System.currentTimeMillis() < deadline, "Orthanc did not start within 30 s");
            Thread.sleep(200);
        }
    }

    static JsonNode get(HttpClient client, String url) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return new ObjectMapper().readTree(r.body());
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
