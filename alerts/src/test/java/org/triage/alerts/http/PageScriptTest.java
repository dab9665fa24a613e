package org.triage.alerts.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.triage.alerts.TestAlerts.alert;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triage.alerts.auth.TokenStore;
import org.triage.alerts.view.AlertState;
import org.triage.alerts.view.AlertView;
import org.triage.events.AlertType;
import org.triage.events.Severity;

/**
 * The live page's script, run by node (skipped when node is absent; no headless browser is
 * installed here): it parses, and against a real {@link ApiServer} it lists alerts, shows a
 * pushed one, acknowledges it and confirms its label through the API.
 */
class PageScriptTest {
    private static final String RESPONDER = "page-responder-token-0123456789";

    @Test
    void inlineScriptIsValidJavaScript(@TempDir Path dir) throws Exception {
        String node = requireNode();
        Path js = dir.resolve("page.js");
        String html = pageHtml();
        Files.writeString(js, html.substring(html.indexOf("<script>") + 8, html.indexOf("</script>")));
        Process p = new ProcessBuilder(node, "--check", js.toString()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "node --check did not finish");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "page script has a syntax error:\n" + out);
    }

    @Test
    void pageListsPushedAlertsAndAcknowledgesThem(@TempDir Path dir) throws Exception {
        String node = requireNode();
        Path html = dir.resolve("index.html");
        Files.writeString(html, pageHtml());
        Path harness = dir.resolve("page-harness.js");
        try (InputStream in = PageScriptTest.class.getResourceAsStream("/org/triage/alerts/web/page-harness.js")) {
            Files.write(harness, in.readAllBytes());
        }
        long t0 = System.currentTimeMillis() - 60_000;
        AlertView view = new AlertView(100);
        view.applyAlert(alert("page-1", t0, AlertType.UNSEEN_CLASS, "covid19", Severity.HIGH));
        view.applyAlert(alert("page-2", t0 + 1000, AlertType.NOVELTY, null, Severity.CRITICAL));
        view.setLive(true);
        TokenStore tokens = TokenStore.parse(List.of(RESPONDER + ":responder:dr.page"), "test");
        org.triage.alerts.kafka.ActionSink actions = a -> {
            view.applyAction(a);
            return CompletableFuture.completedFuture(null);
        };
        List<org.triage.events.ConfirmedLabels> confirmed = new java.util.concurrent.CopyOnWriteArrayList<>();
        org.triage.alerts.labels.LabelRecorder recorder = new org.triage.alerts.labels.LabelRecorder(c -> {
            confirmed.add(c);
            return CompletableFuture.completedFuture(null);
        }, actions, () -> java.util.Set.of("covid19", "ebola"), sop -> java.util.Optional.empty(), Duration.ofSeconds(5));
        try (ApiServer server = new ApiServer("127.0.0.1", 0, view, tokens, actions, recorder, sops -> java.util.Set.of(), new org.triage.alerts.thumbnails.ThumbnailCache(),
                4, Duration.ofSeconds(5), Duration.ofSeconds(5), Map::of)) {
            server.start();
            Process p = new ProcessBuilder(node, harness.toString(), html.toString(), "http://127.0.0.1:" + server.port(), RESPONDER)
                    .redirectErrorStream(true).start();
            List<String> lines = new ArrayList<>();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    lines.add(line);
                    if (line.equals("READY")) view.applyAlert(alert("page-live", System.currentTimeMillis(), AlertType.RARE_FINDING, "ebola", Severity.MEDIUM));
                }
                assertTrue(p.waitFor(60, TimeUnit.SECONDS), "page harness did not finish");
            } finally {
                p.destroyForcibly();
            }
            assertEquals(0, p.exitValue(), String.join("\n", lines));

            JsonNode rows = line(lines, "ROWS ");
            assertEquals(2, rows.size());
            assertEquals("page-2", rows.get(0).get("id").asText(), "newest first");
            assertEquals("sev sev-CRITICAL", rows.get(0).get("severityClass").asText());
            assertEquals("NOVELTY", rows.get(0).get("cells").get(2).asText());
            assertEquals("covid19", rows.get(1).get("cells").get(3).asText());
            assertEquals("0.420 / 0.500", rows.get(1).get("cells").get(4).asText());
            assertEquals("cmdml v1", rows.get(1).get("cells").get(5).asText());
            assertTrue(rows.get(1).get("cells").get(6).asText().startsWith("psn-"));
            assertEquals("[\"Ack\",\"Resolve\",\"Confirm\",\"Reject\"]", rows.get(1).get("buttons").toString());

            JsonNode live = line(lines, "LIVE ");
            assertEquals("sev sev-MEDIUM", live.get("severityClass").asText());
            assertTrue(live.get("cls").asText().contains("flash"), "a pushed alert is highlighted");
            JsonNode acked = line(lines, "ACKED ");
            assertEquals("[\"Resolve\",\"Confirm\",\"Reject\"]", acked.get("buttons").toString());
            assertEquals(AlertState.ACKNOWLEDGED, view.get("page-live").orElseThrow().state());
            assertEquals("dr.page", view.get("page-live").orElseThrow().actions().get(0).getActor());

            String msg = lines.stream().filter(l -> l.startsWith("CONFIRMED ")).findFirst().orElseThrow();
            assertTrue(msg.contains("recorded"), msg);
            assertEquals(1, confirmed.size(), "the Confirm button wrote one ConfirmedLabels");
            assertEquals(List.of("ebola"), confirmed.get(0).getLabels());
            assertEquals("dr.page", confirmed.get(0).getRadiologist());
        }
    }

    private static JsonNode line(List<String> lines, String prefix) throws Exception {
        for (String l : lines) {
            if (l.startsWith(prefix)) return AlertJson.MAPPER.readTree(l.substring(prefix.length()));
        }
        throw new AssertionError("no " + prefix.strip() + " line in:\n" + String.join("\n", lines));
    }

    private static String pageHtml() throws Exception {
        try (InputStream in = PageScriptTest.class.getResourceAsStream(PageHandler.RESOURCE)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String requireNode() {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(File.pathSeparator)) {
                File f = new File(d, "node");
                if (f.canExecute()) return f.getAbsolutePath();
            }
        }
        Assumptions.assumeTrue(org.triage.schemas.PeerPolicy.skipAllowed("node is not installed"), "node is not installed: skipping the page script checks");
        return null;
    }
}
