package org.triage.alerts.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.triage.alerts.TestAlerts.alert;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.triage.alerts.auth.TokenStore;
import org.triage.alerts.kafka.ActionSink;
import org.triage.alerts.thumbnails.ThumbnailCache;
import org.triage.alerts.view.AlertState;
import org.triage.alerts.view.AlertView;
import org.triage.events.ActionType;
import org.triage.events.AlertAction;

/** The HTTP API against an in-memory view and action sink: routing, auth, validation, SSE, page. */
class AlertsApiTest {
    static final String VIEWER = "viewer-token-0123456789";
    static final String RESPONDER = "responder-token-0123456789";
    static final long T0 = 1_700_000_000_000L;

    static AlertView view;
    static ApiServer server;
    static final List<AlertAction> published = new CopyOnWriteArrayList<>();
    static final AtomicBoolean sinkFails = new AtomicBoolean();
    static final ThumbnailCache thumbnails = new ThumbnailCache(10, 1 << 20);
    static HttpClient http;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        view = new AlertView(100);
        view.applyAlert(alert("alert-1", T0));
        view.applyAlert(alert("alert-2", T0 + 1000));
        view.setLive(true);
        // The sink folds the action back into the view, as the consumer would after the round trip.
        ActionSink sink = a -> {
            if (sinkFails.get()) return CompletableFuture.failedFuture(new org.apache.kafka.common.errors.TimeoutException("broker down"));
            published.add(a);
            view.applyAction(a);
            return CompletableFuture.completedFuture(null);
        };
        TokenStore tokens = TokenStore.parse(List.of("# test", VIEWER + ":viewer:vera", RESPONDER + ":responder:rita"), "test");
        server = new ApiServer("127.0.0.1", 0, view, tokens, sink, thumbnails, 2, Duration.ofMillis(300), Duration.ofSeconds(5), Map::of);
        server.start();
        base = "http://127.0.0.1:" + server.port();
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).GET();
        if (token != null) b.header("Authorization", "Bearer " + token);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) b.header("Authorization", "Bearer " + token);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), r.headers().toString());
        return AlertJson.MAPPER.readTree(r.body());
    }

    static void assertError(HttpResponse<String> r, int status, String fragment) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        String error = json(r).path("error").asText();
        assertTrue(error.contains(fragment), "error '" + error + "' should mention '" + fragment + "'");
    }

    @Test
    void aKnownFilmsThumbnailIsServedAsPngToAnyTokenAndAnUnknownOneIs404Json() throws Exception {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3};
        thumbnails.put("1.2.840.99", png);
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/api/films/1.2.840.99/thumbnail")).GET();
        HttpResponse<byte[]> ok = http.send(b.header("Authorization", "Bearer " + VIEWER).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, ok.statusCode());
        assertEquals("image/png", ok.headers().firstValue("Content-Type").orElse(""));
        assertTrue(ok.headers().firstValue("Cache-Control").orElse("").startsWith("private"));
        assertArrayEquals(png, ok.body());
        assertError(get("/api/films/1.2.840.99/thumbnail", null), 401, "missing");
        assertError(get("/api/films/1.2.840.404/thumbnail", VIEWER), 404, "no thumbnail");
        assertError(post("/api/films/1.2.840.99/thumbnail", RESPONDER, "{}"), 405, "use GET");
        assertError(get("/api/films/1.2.840.99/other", VIEWER), 404, "no such resource");
    }

    @Test
    void authMatrix() throws Exception {
        assertError(get("/api/alerts", null), 401, "missing");
        assertEquals("Bearer realm=\"triage-alerts\"", get("/api/alerts", null).headers().firstValue("WWW-Authenticate").orElse(""));
        assertError(get("/api/alerts", "not-a-token"), 401, "unknown token");
        assertError(get("/api/alerts/alert-1", "not-a-token"), 401, "unknown token");
        assertError(get("/api/alerts/stream", null), 401, "missing");
        assertEquals(200, get("/api/alerts", VIEWER).statusCode());
        assertEquals(200, get("/api/alerts", RESPONDER).statusCode());
        assertError(post("/api/alerts/alert-1/actions", null, "{\"action\":\"ACK\"}"), 401, "missing");
        assertError(post("/api/alerts/alert-1/actions", VIEWER, "{\"action\":\"COMMENT\",\"comment\":\"x\"}"), 403, "responder");
        HttpResponse<String> ok = post("/api/alerts/alert-1/actions", RESPONDER, "{\"action\":\"COMMENT\",\"comment\":\"seen\"}");
        assertEquals(202, ok.statusCode(), ok.body());
        // The scheme name is case-insensitive (RFC 7235).
        HttpRequest lower = HttpRequest.newBuilder(URI.create(base + "/api/alerts")).header("Authorization", "bearer " + VIEWER).build();
        assertEquals(200, http.send(lower, HttpResponse.BodyHandlers.ofString()).statusCode());
        JsonNode me = json(get("/api/session", VIEWER));
        assertEquals("vera", me.get("identity").asText());
        assertFalse(me.get("mayAct").asBoolean());
    }

    @Test
    void listsAndGetsAlerts() throws Exception {
        JsonNode list = json(get("/api/alerts?type=unseen_class&limit=1", VIEWER));
        assertEquals(1, list.get("limit").asInt());
        assertTrue(list.get("total").asInt() >= 2);
        assertEquals(1, list.get("alerts").size());
        JsonNode first = list.get("alerts").get(0);
        assertNotNull(first.get("patientPseudonym"));
        assertEquals("cmdml", first.get("model").get("name").asText());
        assertEquals(0.5, first.get("threshold").asDouble(), 1e-6);

        JsonNode one = json(get("/api/alerts/alert-1", VIEWER));
        assertEquals("alert-1", one.get("alertId").asText());
        assertTrue(one.get("actions").isArray());
        assertEquals("covid19", one.get("labelId").asText());

        JsonNode since = json(get("/api/alerts?since=" + (T0 + 500), VIEWER));
        assertTrue(since.get("alerts").findValuesAsText("alertId").contains("alert-2"));
        assertFalse(since.get("alerts").findValuesAsText("alertId").contains("alert-1"));
        assertEquals(json(get("/api/alerts?since=" + java.time.Instant.ofEpochMilli(T0 + 500), VIEWER)).get("total"), since.get("total"));
    }

    @Test
    void clearErrorsForBadRequests() throws Exception {
        assertError(get("/api/alerts/does-not-exist", VIEWER), 404, "unknown alert");
        assertError(post("/api/alerts/does-not-exist/actions", RESPONDER, "{\"action\":\"ACK\"}"), 404, "unknown alert");
        assertError(post("/api/alerts/alert-2/actions", RESPONDER, "{not json"), 400, "not valid JSON");
        assertError(post("/api/alerts/alert-2/actions", RESPONDER, "[1,2]"), 400, "JSON object");
        assertError(post("/api/alerts/alert-2/actions", RESPONDER, "{\"action\":\"DELETE\"}"), 400, "unknown action 'DELETE'");
        assertError(post("/api/alerts/alert-2/actions", RESPONDER, "{}"), 400, "missing field 'action'");
        assertError(post("/api/alerts/alert-2/actions", RESPONDER, "{\"action\":\"ACK\",\"actor\":\"someone-else\"}"), 400, "unknown field 'actor'");
        assertError(post("/api/alerts/alert-2/actions", RESPONDER, "{\"action\":\"COMMENT\"}"), 400, "comment");
        assertError(post("/api/alerts/alert-2/actions", RESPONDER, "{\"action\":\"ACK\",\"comment\":\"" + "x".repeat(70_000) + "\"}"), 413, "larger than");
        assertError(get("/api/alerts?state=SLEEPING", VIEWER), 400, "unknown state 'SLEEPING'");
        assertError(get("/api/alerts?limit=0", VIEWER), 400, "limit");
        assertError(get("/api/alerts?limit=abc", VIEWER), 400, "limit");
        assertError(get("/api/alerts?since=yesterday", VIEWER), 400, "since");
        assertError(get("/api/alerts?colour=red", VIEWER), 400, "unknown query parameter 'colour'");
        assertError(post("/api/alerts", RESPONDER, "{}"), 405, "not allowed");
        assertError(get("/api/alerts/alert-2/actions", VIEWER), 405, "not allowed");
        assertError(get("/api/alerts/alert-2/other", VIEWER), 404, "no such resource");
        assertError(get("/nope", null), 404, "no such resource");
    }

    @Test
    void ackProducesAnActionWithTheTokensIdentityAndChangesState() throws Exception {
        view.applyAlert(alert("alert-ack", T0 + 5000));
        HttpResponse<String> r = post("/api/alerts/alert-ack/actions", RESPONDER, "{\"action\":\"ack\"}");
        assertEquals(202, r.statusCode(), r.body());
        JsonNode body = json(r);
        String actionId = body.get("actionId").asText();
        assertEquals("/api/alerts/alert-ack", r.headers().firstValue("Location").orElse(""));
        AlertAction sent = published.stream().filter(a -> a.getActionId().equals(actionId)).findFirst().orElseThrow();
        assertEquals(ActionType.ACK, sent.getAction());
        assertEquals("rita", sent.getActor());
        assertEquals("alert-ack", sent.getAlertId());
        assertEquals("ACKNOWLEDGED", json(get("/api/alerts/alert-ack", VIEWER)).get("state").asText());
        assertEquals(AlertState.ACKNOWLEDGED, view.get("alert-ack").orElseThrow().state());
    }

    @Test
    void sinkFailureIs503() throws Exception {
        view.applyAlert(alert("alert-fail", T0 + 6000));
        sinkFails.set(true);
        try {
            assertError(post("/api/alerts/alert-fail/actions", RESPONDER, "{\"action\":\"RESOLVE\"}"), 503, "could not record");
        } finally {
            sinkFails.set(false);
        }
        assertEquals(AlertState.OPEN, view.get("alert-fail").orElseThrow().state());
    }

    @Test
    void sseDeliversNewAlertsAndStateChanges() throws Exception {
        ExecutorService ex = Executors.newSingleThreadExecutor();
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/api/alerts/stream")).header("Authorization", "Bearer " + VIEWER).build();
        HttpResponse<InputStream> resp = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, resp.statusCode());
        assertTrue(resp.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        try (BufferedReader in = new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8))) {
            Future<String> until = ex.submit(() -> readUntil(in, ": connected"));
            until.get(10, TimeUnit.SECONDS);
            view.applyAlert(alert("alert-sse", T0 + 7000));
            String data = ex.submit(() -> readUntil(in, "data: ")).get(10, TimeUnit.SECONDS);
            JsonNode a = AlertJson.MAPPER.readTree(data.substring("data: ".length()));
            assertEquals("alert-sse", a.get("alertId").asText());
            assertEquals("OPEN", a.get("state").asText());
            view.applyAction(org.triage.alerts.TestAlerts.action("alert-sse", ActionType.RESOLVE, T0 + 7001));
            String change = ex.submit(() -> readUntil(in, "data: ")).get(10, TimeUnit.SECONDS);
            assertEquals("RESOLVED", AlertJson.MAPPER.readTree(change.substring(6)).get("state").asText());
            // Heartbeats keep idle connections open through proxies.
            assertEquals(": keepalive", ex.submit(() -> readUntil(in, ": keepalive")).get(10, TimeUnit.SECONDS));
        } finally {
            ex.shutdownNow();
        }
    }

    @Test
    void sseConnectionsAreLimited() throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/api/alerts/stream")).header("Authorization", "Bearer " + VIEWER).build();
        HttpResponse<InputStream> a = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        HttpResponse<InputStream> b = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        try {
            long deadline = System.currentTimeMillis() + 5000;
            while (server.hub().clientCount() < 2 && System.currentTimeMillis() < deadline) Thread.sleep(20);
            assertError(get("/api/alerts/stream", VIEWER), 503, "too many live connections");
        } finally {
            a.body().close();
            b.body().close();
        }
    }

    private static String readUntil(BufferedReader in, String prefix) throws Exception {
        String line;
        while ((line = in.readLine()) != null) {
            if (line.startsWith(prefix)) return line;
        }
        throw new AssertionError("stream ended before '" + prefix + "'");
    }

    @Test
    void pageIsSelfContainedAndHealthIsPublic() throws Exception {
        HttpResponse<String> page = get("/", null);
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("default-src 'none'"));
        String html = page.body();
        assertTrue(html.contains("/api/alerts/stream") && html.contains("sessionStorage"));
        // No CDN, no external script, style or font: everything is inline.
        assertFalse(html.matches("(?s).*(src|href)\\s*=\\s*\"(https?:)?//.*"), "page must not load anything from another origin");
        assertFalse(html.contains("<script src"));
        assertFalse(html.contains("innerHTML"), "rows are built with textContent, never innerHTML");
        JsonNode health = json(get("/health", null));
        assertEquals("UP", health.get("status").asText());
        assertTrue(health.get("alerts").asInt() >= 2);
        HttpResponse<String> metrics = get("/metrics", null);
        assertTrue(metrics.body().contains("triage_alerts_actions_accepted_total"), metrics.body());
    }
}
