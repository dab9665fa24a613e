package org.triage.alerts.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triage.alerts.auth.Principal;
import org.triage.alerts.kafka.ActionSink;
import org.triage.alerts.view.AlertQuery;
import org.triage.alerts.view.AlertSnapshot;
import org.triage.alerts.view.AlertState;
import org.triage.alerts.view.AlertView;
import org.triage.events.ActionType;
import org.triage.events.AlertAction;
import org.triage.events.AlertType;
import org.triage.events.Severity;

/**
 * {@code /api/alerts}: list, one alert, actions, and the live stream. Every route needs a bearer
 * token; acting needs the responder role.
 */
final class AlertsApi implements HttpHandler {
    private static final Logger LOG = LoggerFactory.getLogger(AlertsApi.class);
    static final String BASE = "/api/alerts";
    static final int MAX_BODY = 16 * 1024;
    static final int MAX_COMMENT = 2000;
    private static final int MAX_ID = 256;
    private static final Set<String> LIST_PARAMS = Set.of("state", "type", "label", "severity", "since", "limit", "offset");

    private final AlertView view;
    private final ActionSink sink;
    private final BearerAuth auth;
    private final SseHub hub;
    private final Duration publishTimeout;
    private final LabelRoutes labels;
    private final AtomicLong actionsAccepted = new AtomicLong();
    private final AtomicLong actionsFailed = new AtomicLong();

    AlertsApi(AlertView view, ActionSink sink, BearerAuth auth, SseHub hub, Duration publishTimeout, LabelRoutes labels) {
        this.labels = labels;
        this.view = view;
        this.sink = sink;
        this.auth = auth;
        this.hub = hub;
        this.publishTimeout = publishTimeout;
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        try {
            Optional<Principal> who = auth.require(ex);
            if (who.isEmpty()) return;
            route(ex, who.get());
        } catch (IOException e) {
            ex.close();
            throw e;
        } catch (RuntimeException e) {
            LOG.error("unexpected error serving {} {}", ex.getRequestMethod(), ex.getRequestURI().getRawPath(), e);
            HttpIO.sendError(ex, 500, "internal error");
        }
    }

    private void route(HttpExchange ex, Principal who) throws IOException {
        String path = ex.getRequestURI().getRawPath();
        String method = ex.getRequestMethod();
        String rest = path.equals(BASE) ? "" : path.substring(BASE.length());
        if (rest.isEmpty() || rest.equals("/")) {
            if (!isRead(method)) {
                methodNotAllowed(ex, "GET");
                return;
            }
            list(ex);
            return;
        }
        if (!rest.startsWith("/")) {
            HttpIO.sendError(ex, 404, "no such resource");
            return;
        }
        String[] seg = rest.substring(1).split("/", -1);
        if (seg.length == 1 && seg[0].equals("stream")) {
            if (!"GET".equals(method)) {
                methodNotAllowed(ex, "GET");
                return;
            }
            hub.serve(ex);
            return;
        }
        // A path segment, not a form field: "+" is a plus sign here.
        String id = URLDecoder.decode(seg[0].replace("+", "%2B"), StandardCharsets.UTF_8);
        if (id.isEmpty() || id.length() > MAX_ID) {
            HttpIO.sendError(ex, 404, "unknown alert");
            return;
        }
        if (seg.length == 1) {
            if (!isRead(method)) {
                methodNotAllowed(ex, "GET");
                return;
            }
            Optional<AlertSnapshot> s = view.get(id);
            if (s.isEmpty()) {
                HttpIO.sendError(ex, 404, "unknown alert: " + id);
            } else {
                HttpIO.sendJson(ex, 200, AlertJson.toJson(s.get(), true));
            }
            return;
        }
        if (seg.length == 2 && seg[1].equals("actions")) {
            if (!"POST".equals(method)) {
                methodNotAllowed(ex, "POST");
                return;
            }
            act(ex, who, id);
            return;
        }
        if (seg.length == 2 && (seg[1].equals("confirm") || seg[1].equals("reject"))) {
            if (!"POST".equals(method)) {
                methodNotAllowed(ex, "POST");
                return;
            }
            labels.confirmAlert(ex, who, id, seg[1].equals("confirm"));
            return;
        }
        HttpIO.sendError(ex, 404, "no such resource");
    }

    private static boolean isRead(String method) {
        return "GET".equals(method) || "HEAD".equals(method);
    }

    private static void methodNotAllowed(HttpExchange ex, String allow) throws IOException {
        ex.getResponseHeaders().set("Allow", allow);
        HttpIO.sendError(ex, 405, "method " + ex.getRequestMethod() + " not allowed here (use " + allow + ")");
    }

    private void list(HttpExchange ex) throws IOException {
        AlertQuery q;
        try {
            q = parseQuery(ex.getRequestURI().getRawQuery());
        } catch (IllegalArgumentException e) {
            HttpIO.sendError(ex, 400, e.getMessage());
            return;
        }
        AlertQuery.Page page = view.query(q);
        ObjectNode body = AlertJson.MAPPER.createObjectNode();
        body.put("total", page.total());
        body.put("offset", q.offset());
        body.put("limit", q.limit());
        body.put("live", view.isLive());
        ArrayNode arr = body.putArray("alerts");
        for (AlertSnapshot s : page.alerts()) arr.add(AlertJson.toJson(s, false));
        HttpIO.sendJson(ex, 200, body);
    }

    static AlertQuery parseQuery(String rawQuery) {
        Map<String, String> p = new HashMap<>();
        if (rawQuery != null && !rawQuery.isEmpty()) {
            for (String pair : rawQuery.split("&")) {
                if (pair.isEmpty()) continue;
                int eq = pair.indexOf('=');
                String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                if (!LIST_PARAMS.contains(k)) {
                    throw new IllegalArgumentException("unknown query parameter '" + k + "' (expected one of state, type, label, severity, since, limit, offset)");
                }
                if (p.put(k, v) != null) throw new IllegalArgumentException("query parameter '" + k + "' given twice (use a comma-separated list)");
            }
        }
        Set<AlertState> states = enums(p.get("state"), AlertState.class, "state");
        Set<AlertType> types = enums(p.get("type"), AlertType.class, "type");
        Set<Severity> severities = enums(p.get("severity"), Severity.class, "severity");
        String label = p.get("label");
        if (label != null && label.isEmpty()) label = null;
        Instant since = p.containsKey("since") ? parseInstant(p.get("since")) : null;
        int limit = intParam(p.get("limit"), "limit", AlertQuery.DEFAULT_LIMIT);
        int offset = intParam(p.get("offset"), "offset", 0);
        if (limit < 1 || limit > AlertQuery.MAX_LIMIT) throw new IllegalArgumentException("limit must be between 1 and " + AlertQuery.MAX_LIMIT);
        if (offset < 0) throw new IllegalArgumentException("offset must be >= 0");
        return new AlertQuery(states, types, label, severities, since, offset, limit);
    }

    private static <E extends Enum<E>> Set<E> enums(String csv, Class<E> type, String name) {
        if (csv == null || csv.isEmpty()) return Set.of();
        EnumSet<E> out = EnumSet.noneOf(type);
        for (String s : csv.split(",")) {
            String v = s.strip().toUpperCase(Locale.ROOT);
            try {
                out.add(Enum.valueOf(type, v));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown " + name + " '" + s.strip() + "' (expected one of " + java.util.Arrays.toString(type.getEnumConstants()) + ")");
            }
        }
        return out;
    }

    private static Instant parseInstant(String v) {
        try {
            if (!v.isEmpty() && v.chars().allMatch(Character::isDigit)) return Instant.ofEpochMilli(Long.parseLong(v));
            return Instant.parse(v);
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new IllegalArgumentException("since must be an ISO-8601 instant (2026-01-31T12:00:00Z) or epoch milliseconds");
        }
    }

    private static int intParam(String v, String name, int dflt) {
        if (v == null || v.isEmpty()) return dflt;
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer");
        }
    }

    private void act(HttpExchange ex, Principal who, String alertId) throws IOException {
        if (!who.role().mayAct()) {
            HttpIO.sendError(ex, 403, "role " + who.role().fileName() + " may not act on alerts (needs responder)");
            return;
        }
        if (view.get(alertId).isEmpty()) {
            HttpIO.sendError(ex, 404, "unknown alert: " + alertId);
            return;
        }
        String ctype = ex.getRequestHeaders().getFirst("Content-Type");
        if (ctype != null && !ctype.toLowerCase(Locale.ROOT).contains("json")) {
            HttpIO.sendError(ex, 415, "Content-Type must be application/json");
            return;
        }
        AlertAction action;
        try {
            action = parseAction(HttpIO.readBody(ex, MAX_BODY), alertId, who.identity());
        } catch (HttpIO.BodyTooLargeException e) {
            HttpIO.sendError(ex, 413, e.getMessage());
            return;
        } catch (IllegalArgumentException e) {
            HttpIO.sendError(ex, 400, e.getMessage());
            return;
        }
        try {
            sink.publish(action).get(publishTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            actionsFailed.incrementAndGet();
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            LOG.warn("could not record {} on alert {}: {}", action.getAction(), alertId, cause.toString());
            HttpIO.sendError(ex, 503, "could not record the action, try again: " + cause.getClass().getSimpleName());
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            HttpIO.sendError(ex, 503, "interrupted while recording the action");
            return;
        }
        actionsAccepted.incrementAndGet();
        LOG.info("{} by {} on alert {} recorded as action {}", action.getAction(), who.identity(), alertId, action.getActionId());
        ObjectNode body = AlertJson.MAPPER.createObjectNode();
        body.put("actionId", action.getActionId());
        body.put("alertId", alertId);
        body.put("action", action.getAction().name());
        body.put("actor", action.getActor());
        String raw = ex.getRequestURI().getRawPath();
        ex.getResponseHeaders().set("Location", raw.substring(0, raw.lastIndexOf("/actions")));
        HttpIO.sendJson(ex, 202, body);
    }

    /** Validates the request body {action, comment}; every rejection says what is wrong. */
    static AlertAction parseAction(byte[] body, String alertId, String actor) {
        JsonNode root;
        try {
            root = AlertJson.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException("body is not valid JSON");
        }
        if (root == null || !root.isObject()) throw new IllegalArgumentException("body must be a JSON object like {\"action\":\"ACK\",\"comment\":\"...\"}");
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("action") && !f.equals("comment")) throw new IllegalArgumentException("unknown field '" + f + "' (expected action, comment)");
        }
        JsonNode a = root.get("action");
        if (a == null || a.isNull()) throw new IllegalArgumentException("missing field 'action' (ACK, RESOLVE, COMMENT or ESCALATE)");
        if (!a.isTextual()) throw new IllegalArgumentException("'action' must be a string (ACK, RESOLVE, COMMENT or ESCALATE)");
        ActionType type;
        try {
            type = ActionType.valueOf(a.asText().strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown action '" + abbreviate(a.asText()) + "' (expected ACK, RESOLVE, COMMENT or ESCALATE)");
        }
        JsonNode c = root.get("comment");
        String comment = null;
        if (c != null && !c.isNull()) {
            if (!c.isTextual()) throw new IllegalArgumentException("'comment' must be a string");
            comment = c.asText().strip();
            if (comment.length() > MAX_COMMENT) throw new IllegalArgumentException("comment longer than " + MAX_COMMENT + " characters");
            if (comment.isEmpty()) comment = null;
        }
        if (type == ActionType.COMMENT && comment == null) throw new IllegalArgumentException("a COMMENT needs a non-empty 'comment'");
        return AlertAction.newBuilder()
                .setActionId(UUID.randomUUID().toString())
                .setAlertId(alertId)
                .setAction(type)
                .setActor(actor)
                .setComment(comment)
                .setAt(Instant.ofEpochMilli(System.currentTimeMillis()))
                .build();
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    long actionsAccepted() {
        return actionsAccepted.get();
    }

    long actionsFailed() {
        return actionsFailed.get();
    }
}
