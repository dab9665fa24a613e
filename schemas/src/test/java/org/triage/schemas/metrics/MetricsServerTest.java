package org.triage.schemas.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class MetricsServerTest {
    @Test
    void servesScrapeTextAndHealth() throws Exception {
        AtomicReference<String> problem = new AtomicReference<>();
        try (MetricsServer s = new MetricsServer("127.0.0.1", 0, () -> "x_total 3.0\n", problem::get)) {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + s.port();
            HttpResponse<String> m = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, m.statusCode());
            assertEquals("x_total 3.0\n", m.body());
            assertTrue(m.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
            HttpResponse<String> up = http.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, up.statusCode());
            assertEquals("{\"status\":\"UP\"}", up.body());
            problem.set("registry \"x\" unreachable");
            HttpResponse<String> down = http.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(503, down.statusCode());
            assertEquals("{\"status\":\"DOWN\",\"reason\":\"registry \\\"x\\\" unreachable\"}", down.body());
        }
    }
}
