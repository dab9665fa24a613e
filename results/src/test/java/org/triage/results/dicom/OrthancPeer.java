package org.triage.results.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.triage.results.Peers;

/** A real PACS for tests: Orthanc on 127.0.0.1 (HTTP and DICOM on free ports, AE title PACS), storage under {@code dir}. */
public final class OrthancPeer implements AutoCloseable {
    public static final String AET = "PACS";

    private final Process process;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final int dicomPort;

    private OrthancPeer(Process process, String base, int dicomPort) {
        this.process = process;
        this.base = base;
        this.dicomPort = dicomPort;
    }

    /** Starts Orthanc, or skips (fails where peers are required) without it. */
    public static OrthancPeer start(Path dir) throws Exception {
        Path orthanc = Peers.require("Orthanc", "orthanc");
        int http = freePort();
        int dicom = freePort();
        Path cfg = dir.resolve("orthanc.json");
        Files.writeString(cfg, """
                {"Name": "triage-results-test", "StorageDirectory": "%s", "IndexDirectory": "%s", "HttpPort": %d, "DicomPort": %d,
                 "DicomAet": "%s", "RemoteAccessAllowed": false, "AuthenticationEnabled": false, "HttpServerEnabled": true,
                 "DicomServerEnabled": true, "Plugins": [], "ConcurrentJobs": 1}
                """.formatted(dir.resolve("db"), dir.resolve("db"), http, dicom, AET));
        Process p = new ProcessBuilder(orthanc.toString(), cfg.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("orthanc.log").toFile()).start();
        OrthancPeer peer = new OrthancPeer(p, "http://127.0.0.1:" + http, dicom);
        try {
            peer.awaitUp();
        } catch (Exception | AssertionError e) {
            peer.close();
            throw e;
        }
        return peer;
    }

    public int dicomPort() {
        return dicomPort;
    }

    private void awaitUp() throws Exception {
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
            assertTrue(process.isAlive(), "Orthanc exited");
            assertTrue(System.currentTimeMillis() < deadline, "Orthanc did not start within 30 s");
            Thread.sleep(200);
        }
    }

    /** GET {@code path} of the REST API as JSON. */
    public JsonNode get(String path) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return new ObjectMapper().readTree(r.body());
    }

    /** The stored Part 10 file of an instance. */
    public byte[] file(String instanceId) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(base + "/instances/" + instanceId + "/file")).build(),
                HttpResponse.BodyHandlers.ofByteArray()).body();
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
