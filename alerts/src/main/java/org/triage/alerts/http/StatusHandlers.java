package org.triage.alerts.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.triage.alerts.auth.Principal;
import org.triage.alerts.view.AlertState;
import org.triage.alerts.view.AlertView;

/** {@code /health}, {@code /metrics} and {@code /api/session}. None of them carries patient data. */
final class StatusHandlers {
    private StatusHandlers() {
    }

    /** Readiness: 200 once the start-up replay has caught up, 503 while it is still replaying. */
    static HttpHandler health(AlertView view) {
        return ex -> {
            ObjectNode body = AlertJson.MAPPER.createObjectNode();
            boolean live = view.isLive();
            body.put("status", live ? "UP" : "STARTING");
            body.put("live", live);
            body.put("alerts", view.size());
            ObjectNode states = body.putObject("states");
            for (Map.Entry<AlertState, Integer> e : view.countsByState().entrySet()) states.put(e.getKey().name(), e.getValue());
            HttpIO.sendJson(ex, live ? 200 : 503, body);
        };
    }

    /** Prometheus text format, counters and gauges named {@code triage_alerts_*}. */
    static HttpHandler metrics(Supplier<Map<String, Number>> metrics) {
        return ex -> {
            StringBuilder sb = new StringBuilder();
            for (Map.Entry<String, Number> e : metrics.get().entrySet()) {
                sb.append("triage_alerts_").append(e.getKey()).append(' ').append(e.getValue()).append('\n');
            }
            HttpIO.send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", sb.toString().getBytes(StandardCharsets.UTF_8));
        };
    }

    /** Who the token belongs to, so the page can show the responder buttons only when they would work. */
    static HttpHandler session(BearerAuth auth) {
        return (HttpExchange ex) -> {
            Optional<Principal> who = auth.require(ex);
            if (who.isEmpty()) return;
            ObjectNode body = AlertJson.MAPPER.createObjectNode();
            body.put("identity", who.get().identity());
            body.put("role", who.get().role().fileName());
            body.put("mayAct", who.get().role().mayAct());
            HttpIO.sendJson(ex, 200, body);
        };
    }
}
