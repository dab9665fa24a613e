package org.triage.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triage.ingest.bench.SyntheticDx;
import org.triage.ingest.dicom.StoreScu;
import org.triage.ingest.pipeline.IngestResult;
import org.triage.ingest.pipeline.Pseudonymiser;
import org.triage.ingest.pipeline.Quarantine;
import org.triage.ingest.scp.ScpConfig;
import org.triage.platform.LocalStack;

/**
 * /metrics and /health of IngestService on a real broker and registry: exact counters after a known mix of valid and
 * malformed input through C-STORE, STOW-RS and the files path; /health turns 503 naming the registry once it stops.
 */
class IngestMetricsTest {
    @TempDir
    static Path tmp;

    static LocalStack stack;
    static IngestService service;
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        stack = LocalStack.start();
        service = IngestService.start(IngestService.Options.demo(stack.bootstrapServers(), stack.schemaRegistryUrl())
                .withScp(ScpConfig.defaults(0, "TRIAGE")).withStowPort(0).withMetrics(0, "127.0.0.1")
                .withPseudonymiser(new Pseudonymiser("test-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8)))
                .withQuarantine(tmp.resolve("quarantine"), Quarantine.DEFAULT_MAX_BYTES));
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

    @Test
    void countersAreExactAndHealthFollowsTheRegistry() throws Exception {
        assertTrue(service.metricsPort() > 0);
        String base = "http://127.0.0.1:" + service.metricsPort();

        // C-STORE: two valid instances.
        List<StoreScu.Result> scp = new StoreScu().send("127.0.0.1", service.scpPort(), "MODALITY", "TRIAGE",
                List.of(SyntheticDx.create(64, 48, 1), SyntheticDx.create(40, 40, 2)));
        assertTrue(scp.stream().allMatch(StoreScu.Result::ok), scp.toString());

        // STOW-RS: one request, one valid part and one that is not DICOM.
        byte[] valid = SyntheticDx.create(32, 32, 3);
        byte[] garbage = "this is not a DICOM file at all, not even close".getBytes(StandardCharsets.US_ASCII);
        HttpResponse<String> stow = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.stowPort() + "/studies"))
                .header("Content-Type", "multipart/related; type=\"application/dicom\"; boundary=xyz")
                .POST(HttpRequest.BodyPublishers.ofByteArray(multipart("xyz", valid, garbage))).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, stow.statusCode(), stow.body());

        // Files path through the same pipeline: one PNG.
        byte[] png = png16(24, 20);
        IngestResult file = service.pipeline().ingestFileBytes(png, "files", "SYNTHFILE", List.of());
        assertTrue(file.ok(), String.valueOf(file.error()));

        String text = get(base + "/metrics").body();
        Map<String, Double> m = parse(text);
        assertEquals(2.0, m.get("triage_ingest_received_total{source=scp}"), text);
        assertEquals(2.0, m.get("triage_ingest_received_total{source=stow}"), text);
        assertEquals(1.0, m.get("triage_ingest_received_total{source=files}"), text);
        assertEquals(2.0, m.get("triage_ingest_stored_total{source=scp}"), text);
        assertEquals(1.0, m.get("triage_ingest_stored_total{source=stow}"), text);
        assertEquals(1.0, m.get("triage_ingest_stored_total{source=files}"), text);
        assertEquals(1.0, m.get("triage_ingest_rejected_total{reason=malformed,stage=parse}"), text);
        assertEquals(1.0, m.get("triage_ingest_dlq_total{stage=parse}"), text);
        assertEquals(4.0, m.get("triage_ingest_latency_seconds_count"), text);
        assertEquals((double) (valid.length + garbage.length), m.get("triage_ingest_received_bytes_total{source=stow}"), text);
        assertEquals((double) png.length, m.get("triage_ingest_received_bytes_total{source=files}"), text);
        assertTrue(m.get("triage_ingest_received_bytes_total{source=scp}") > 2 * 40 * 40 * 2, text);
        assertTrue(m.get("triage_ingest_published_bytes_total") > 0, text);
        assertEquals(0.0, m.get("triage_ingest_scp_associations"), text);
        assertEquals(0.0, m.get("triage_ingest_stow_requests_in_flight"), text);
        assertEquals(0.0, m.get("triage_ingest_memory_budget_used_bytes"), text);
        assertFalse(text.contains("triage_ingest_retryable_failures_total{"), "no retryable failures: " + text);
        assertFalse(text.contains("SYNTH"), "no patient ids in metrics");
        assertEquals(1.0, service.metrics().count("triage_ingest_dlq", "stage", "parse"));

        HttpResponse<String> up = get(base + "/health");
        assertEquals(200, up.statusCode(), up.body());
        assertEquals("{\"status\":\"UP\"}", up.body());

        stack.registry().close();
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        HttpResponse<String> down = get(base + "/health");
        while (down.statusCode() == 200 && System.nanoTime() < deadline) {
            Thread.sleep(250);
            down = get(base + "/health");
        }
        assertEquals(503, down.statusCode(), "health turns DOWN after the registry stops: " + down.body());
        assertTrue(down.body().startsWith("{\"status\":\"DOWN\",\"reason\":\"schema registry unreachable: "), down.body());
        assertFalse(down.body().contains("SYNTH"), down.body());
        System.out.println("health with the registry stopped: " + down.body());
    }

    static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{([^}]*)\\})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** Prometheus text to {@code name{k=v,...}} (labels sorted, unquoted; no braces without labels) → value. */
    static Map<String, Double> parse(String text) {
        Map<String, Double> out = new TreeMap<>();
        for (String line : text.split("\n")) {
            Matcher s = SAMPLE.matcher(line.strip());
            if (line.startsWith("#") || !s.matches()) {
                continue;
            }
            Map<String, String> labels = new TreeMap<>();
            if (s.group(2) != null) {
                Matcher l = LABEL.matcher(s.group(2));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
            }
            StringBuilder key = new StringBuilder(s.group(1));
            if (!labels.isEmpty()) {
                key.append('{');
                labels.forEach((k, v) -> key.append(key.charAt(key.length() - 1) == '{' ? "" : ",").append(k).append('=').append(v));
                key.append('}');
            }
            out.put(key.toString(), Double.parseDouble(s.group(3)));
        }
        return out;
    }

    static byte[] multipart(String boundary, byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(("--" + boundary + "\r\nContent-Type: application/dicom\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(p);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    static byte[] png16(int w, int h) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_USHORT_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.getRaster().setSample(x, y, 0, (x * 2000 + y * 900) & 0xFFFF);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }
}
