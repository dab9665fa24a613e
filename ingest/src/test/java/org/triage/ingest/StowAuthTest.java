package org.triage.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triage.ingest.dicom.DicomLimits;
import org.triage.ingest.pipeline.IngestPipeline;
import org.triage.ingest.pipeline.Pseudonymiser;
import org.triage.ingest.stow.StowAuth;
import org.triage.ingest.stow.StowServer;

/** STOW-RS with bearer tokens, through a real HTTP client. */
class StowAuthTest {
    private static final String OLD = "old-token-0123456789abcdef";
    private static final String NEW = "new-token-fedcba9876543210";

    @TempDir
    Path dir;
    private RecordingSink sink;
    private StowServer server;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void start() throws Exception {
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, "# rotated monthly\n" + OLD + "\n\n" + NEW + "\n");
        sink = new RecordingSink();
        IngestPipeline pipeline = TestDeid.pipeline(new Pseudonymiser("test-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8)), sink);
        server = StowServer.start(InetAddress.getLoopbackAddress(), 0, pipeline, 1 << 20, 2, StowAuth.load(tokens, null));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> post(String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/studies"))
                .header("Content-Type", "multipart/related; type=\"application/dicom\"; boundary=xyz")
                .POST(HttpRequest.BodyPublishers.ofString("--xyz\r\nContent-Type: application/dicom\r\n\r\nnot dicom\r\n--xyz--\r\n"));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void missingOrWrongTokenIs401WithAReasonAndNothingIsParsed() throws Exception {
        for (String auth : new String[] {null, "Bearer " + OLD + "x", "Basic dXNlcjpwYXNz", "Bearer "}) {
            HttpResponse<String> r = post(auth);
            assertEquals(401, r.statusCode(), String.valueOf(auth));
            String challenge = r.headers().firstValue("WWW-Authenticate").orElse("");
            assertTrue(challenge.startsWith("Bearer realm=\"triage-stow\""), challenge);
            assertTrue(challenge.contains("error_description="), challenge);
        }
        assertEquals("missing Authorization: Bearer token", post(null).body().strip());
        assertEquals(0, sink.dead.size() + sink.events.size(), "a refused request reaches neither Kafka nor the DLQ");
    }

    @Test
    void eitherTokenOfARotationIsAccepted() throws Exception {
        // The body is not DICOM: an accepted request gets past authentication to the STOW-RS answer for a bad instance.
        assertEquals(409, post("Bearer " + OLD).statusCode());
        assertEquals(409, post("bearer " + NEW).statusCode());
        assertEquals(2, sink.dead.size());
    }

    @Test
    void tokensFromTheEnvironmentAndTheChecks() {
        StowAuth a = StowAuth.load(null, "tok-a, tok-b tok-c");
        assertEquals(3, a.size());
        assertNull(a.reject("Bearer tok-b"));
        assertEquals("invalid bearer token", a.reject("Bearer tok-d"));
        assertNull(StowAuth.none().reject(null), "no tokens configured: open (loopback only)");
        Exception e = assertThrows(IllegalArgumentException.class, () -> StowAuth.load(dir.resolve("none"), null));
        assertTrue(e.getMessage().startsWith("--stow-token-file " + dir.resolve("none") + ": cannot read it"), e.getMessage());
    }

    @Test
    void withoutTokensStowRefusesANonLoopbackAddress() throws Exception {
        IngestService.Options o = IngestService.Options.demo("127.0.0.1:1", "http://127.0.0.1:1");
        IngestService.Options exposed = new IngestService.Options(o.bootstrapServers(), o.schemaRegistryUrl(), o.pseudonymiser(), null, -1, 0,
                InetAddress.getByName("0.0.0.0"), o.limits(), o.maxSide(), o.ackTimeout(), null, o.memoryBudgetBytes(), dir.resolve("q"),
                o.quarantineMaxBytes()).withDeid(o.deid());
        Exception e = assertThrows(IllegalArgumentException.class, () -> IngestService.start(exposed, new RecordingSink()));
        assertTrue(e.getMessage().contains("give bearer tokens with --stow-token-file FILE or TRIAGE_STOW_TOKENS"), e.getMessage());
    }
}
