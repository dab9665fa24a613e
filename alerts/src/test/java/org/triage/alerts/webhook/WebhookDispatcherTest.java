package org.triage.alerts.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.triage.alerts.TestAlerts.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.triage.alerts.http.AlertJson;
import org.triage.alerts.view.AlertSnapshot;
import org.triage.alerts.view.AlertState;
import org.triage.alerts.webhook.WebhookDispatcher.WebhookPolicy;

class WebhookDispatcherTest {
    private static final WebhookPolicy FAST = new WebhookPolicy(100, 4, Duration.ofMillis(10), Duration.ofMillis(40),
            Duration.ofSeconds(2), Duration.ofSeconds(2));

    private HttpServer receiver;
    private final BlockingQueue<String> bodies = new LinkedBlockingQueue<>();
    private final AtomicInteger calls = new AtomicInteger();
    private volatile int failFirst;
    private volatile int failStatus = 500;
    private volatile CountDownLatch hold = new CountDownLatch(0);
    private String url;

    @BeforeEach
    void startReceiver() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            int n = calls.incrementAndGet();
            try {
                hold.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (n <= failFirst) {
                ex.sendResponseHeaders(failStatus, -1);
            } else {
                bodies.add(ex.getRequestMethod() + " " + ex.getRequestHeaders().getFirst("Content-Type") + " " + new String(body));
                ex.sendResponseHeaders(204, -1);
            }
            ex.close();
        });
        receiver.start();
        url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook?secret=s3cr3t";
    }

    @AfterEach
    void stopReceiver() {
        hold.countDown();
        receiver.stop(0);
    }

    private static AlertSnapshot snap(String id) {
        return new AlertSnapshot(alert(id, 1_700_000_000_000L), AlertState.OPEN, false, List.of(), 1_700_000_000_000L);
    }

    @Test
    void postsNewLiveAlertsAsJsonAfterRetries() throws Exception {
        failFirst = 2;
        try (WebhookDispatcher d = new WebhookDispatcher(List.of(URI.create(url)), FAST)) {
            d.start();
            d.onNewAlert(snap("replayed"), false);
            d.onAlertChanged(snap("changed"), true);
            d.onNewAlert(snap("fresh"), true);
            String got = bodies.poll(10, TimeUnit.SECONDS);
            assertTrue(got != null && got.startsWith("POST application/json "), String.valueOf(got));
            JsonNode body = AlertJson.MAPPER.readTree(got.substring(got.indexOf('{')));
            assertEquals("alert.created", body.get("event").asText());
            assertEquals("fresh", body.get("alert").get("alertId").asText());
            assertEquals(3, calls.get(), "two failures, then success");
            waitFor(() -> d.delivered() == 1);
            assertEquals(0, d.dropped());
            assertEquals(2L, d.metrics().get("webhook_retries_total{webhook=\"0\"}"));
            // Replayed history and state changes are not posted.
            assertEquals(null, bodies.poll(200, TimeUnit.MILLISECONDS));
        }
    }

    @Test
    void clientErrorsAreNotRetriedAndCountAsDropped() throws Exception {
        failFirst = 1;
        failStatus = 400;
        try (WebhookDispatcher d = new WebhookDispatcher(List.of(URI.create(url)), FAST)) {
            d.start();
            d.onNewAlert(snap("bad"), true);
            d.onNewAlert(snap("good"), true);
            String got = bodies.poll(10, TimeUnit.SECONDS);
            assertTrue(got != null && got.contains("\"good\""), String.valueOf(got));
            assertEquals(2, calls.get());
            assertEquals(1L, d.metrics().get("webhook_dropped_total{webhook=\"0\",reason=\"failed\"}"));
        }
    }

    @Test
    void aStuckWebhookNeverBlocksTheCallerAndDropsAreCounted() throws Exception {
        hold = new CountDownLatch(1);
        WebhookPolicy tiny = new WebhookPolicy(2, 1, Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofSeconds(2), Duration.ofSeconds(5));
        try (WebhookDispatcher d = new WebhookDispatcher(List.of(URI.create(url)), tiny)) {
            d.start();
            long t0 = System.nanoTime();
            for (int i = 0; i < 20; i++) d.onNewAlert(snap("a" + i), true);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 1000, "offering 20 alerts took " + ms + " ms");
            // One in flight (held), two queued, the rest dropped.
            waitFor(() -> calls.get() == 1);
            long queueFull = d.metrics().get("webhook_dropped_total{webhook=\"0\",reason=\"queue_full\"}").longValue();
            assertTrue(queueFull >= 17 && queueFull <= 18, "dropped " + queueFull);
            hold.countDown();
            waitFor(() -> d.delivered() + d.dropped() == 20);
        }
    }

    @Test
    void unreachableWebhookFailsAfterBoundedRetries() throws Exception {
        receiver.stop(0);
        try (WebhookDispatcher d = new WebhookDispatcher(List.of(URI.create(url)), FAST)) {
            d.start();
            d.onNewAlert(snap("lost"), true);
            waitFor(() -> d.dropped() == 1);
            assertEquals(3L, d.metrics().get("webhook_retries_total{webhook=\"0\"}"));
        }
    }

    @Test
    void atCatchUpOnlyRecentOpenAlertsAreRepostedMarkedAsRedelivery() throws Exception {
        long now = System.currentTimeMillis();
        org.triage.alerts.view.AlertView view = new org.triage.alerts.view.AlertView(100);
        try (WebhookDispatcher d = new WebhookDispatcher(List.of(URI.create(url)), FAST, Duration.ofMinutes(15))) {
            d.start();
            view.addListener(d);
            view.applyAlert(alert("old-open", now - 3600_000));
            view.applyAlert(alert("recent-open", now - 60_000));
            view.applyAlert(alert("recent-acked", now - 30_000));
            view.applyAction(org.triage.alerts.TestAlerts.action("recent-acked", org.triage.events.ActionType.ACK, now - 20_000));
            assertEquals(null, bodies.poll(100, TimeUnit.MILLISECONDS), "nothing is posted during the replay");
            view.setLive(true);
            String got = bodies.poll(10, TimeUnit.SECONDS);
            JsonNode body = AlertJson.MAPPER.readTree(got.substring(got.indexOf('{')));
            assertEquals("recent-open", body.get("alert").get("alertId").asText());
            assertTrue(body.get("redelivery").asBoolean());
            view.applyAlert(alert("live", now));
            got = bodies.poll(10, TimeUnit.SECONDS);
            body = AlertJson.MAPPER.readTree(got.substring(got.indexOf('{')));
            assertEquals("live", body.get("alert").get("alertId").asText(), "old-open and recent-acked are not re-posted");
            assertTrue(!body.get("redelivery").asBoolean());
        }
    }

    @Test
    void refusesNonHttpUrls() {
        for (String bad : List.of("ftp://x/y", "/relative", "file:///etc/passwd", "http:///nohost")) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> WebhookDispatcher.validate(URI.create(bad)));
            assertTrue(e.getMessage().contains("http"));
        }
    }

    private static void waitFor(BooleanSupplier cond) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (!cond.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) throw new AssertionError("condition not met within 10 s");
            Thread.sleep(10);
        }
    }
}
