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
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triage.alerts.auth.Principal;
import org.triage.alerts.labels.LabelRecorder;
import org.triage.alerts.view.AlertSnapshot;
import org.triage.alerts.view.AlertView;
import org.triage.events.Alert;
import org.triage.labels.FilmLookup;

/**
 * Confirming labels from the alert service: {@code POST /api/alerts/{id}/confirm|reject} (the
 * alert's label is present / absent on its film) and {@code POST /api/films/{sop}/labels}
 * (a full statement). Responders only; the radiologist recorded is the token's identity.
 */
final class LabelRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(LabelRoutes.class);
    static final String FILMS = "/api/films";
    private static final int MAX_SOP = 64; // DICOM UI value representation

    private final AlertView view;
    private final LabelRecorder recorder;
    private final FilmLookup films;
    private final BearerAuth auth;
    private final java.util.concurrent.atomic.AtomicLong accepted = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong failed = new java.util.concurrent.atomic.AtomicLong();

    /** @param recorder null when the service was built without label confirmation (routes answer 503) */
    LabelRoutes(AlertView view, LabelRecorder recorder, FilmLookup films, BearerAuth auth) {
        this.view = view;
        this.recorder = recorder;
        this.films = films;
        this.auth = auth;
    }

    /** The alert's label is present (confirm) or absent (reject) on the alert's film. */
    void confirmAlert(HttpExchange ex, Principal who, String alertId, boolean present) throws IOException {
        if (!mayConfirm(ex, who)) return;
        Optional<AlertSnapshot> s = view.get(alertId);
        if (s.isEmpty()) {
            HttpIO.sendError(ex, 404, "unknown alert: " + alertId);
            return;
        }
        Alert a = s.get().alert();
        String label = a.getLabelId();
        if (label == null || label.isBlank()) {
            HttpIO.sendError(ex, 409, "alert " + alertId + " (" + a.getType() + ") names no label; say what is on the film with POST "
                    + FILMS + "/{sop}/labels");
            return;
        }
        String note = (present ? "confirmed: " + label + " present" : "rejected: " + label + " absent") + " (recorded on labels)";
        respond(ex, who, true, () -> recorder.recordOne(a.getSopInstanceUid(), label, present, who, alertId, note));
    }

    /** {@code /api/films/{sop}/labels}, and {@code /api/films/{sop}/thumbnail} handed to {@code thumbnails}. */
    HttpHandler filmsHandler(ThumbnailRoute thumbnails) {
        return ex -> {
            try {
                Optional<Principal> who = auth.require(ex);
                if (who.isEmpty()) return;
                String rest = ex.getRequestURI().getRawPath().substring(FILMS.length());
                String[] seg = rest.startsWith("/") ? rest.substring(1).split("/", -1) : new String[0];
                boolean labels = seg.length == 2 && seg[1].equals("labels");
                boolean thumbnail = seg.length == 2 && seg[1].equals("thumbnail");
                if ((!labels && !thumbnail) || seg[0].isEmpty()) {
                    HttpIO.sendError(ex, 404, "no such resource (POST " + FILMS + "/{sop}/labels or GET " + FILMS + "/{sop}/thumbnail)");
                    return;
                }
                String sop = URLDecoder.decode(seg[0].replace("+", "%2B"), StandardCharsets.UTF_8);
                if (thumbnail) {
                    thumbnails.serve(ex, sop);
                    return;
                }
                if (!"POST".equals(ex.getRequestMethod())) {
                    ex.getResponseHeaders().set("Allow", "POST");
                    HttpIO.sendError(ex, 405, "method " + ex.getRequestMethod() + " not allowed here (use POST)");
                    return;
                }
                filmLabels(ex, who.get(), sop);
            } catch (IOException e) {
                ex.close();
                throw e;
            } catch (RuntimeException e) {
                LOG.error("unexpected error serving {} {}", ex.getRequestMethod(), FILMS, e);
                HttpIO.sendError(ex, 500, "internal error");
            }
        };
    }

    private void filmLabels(HttpExchange ex, Principal who, String sop) throws IOException {
        if (!mayConfirm(ex, who)) return;
        String ctype = ex.getRequestHeaders().getFirst("Content-Type");
        if (ctype != null && !ctype.toLowerCase(Locale.ROOT).contains("json")) {
            HttpIO.sendError(ex, 415, "Content-Type must be application/json");
            return;
        }
        Statement st;
        try {
            st = parseStatement(HttpIO.readBody(ex, AlertsApi.MAX_BODY));
        } catch (HttpIO.BodyTooLargeException e) {
            HttpIO.sendError(ex, 413, e.getMessage());
            return;
        } catch (IllegalArgumentException e) {
            HttpIO.sendError(ex, 400, e.getMessage());
            return;
        }
        if (sop.length() > MAX_SOP) {
            HttpIO.sendError(ex, 404, "unknown film: not a SOP Instance UID (longer than " + MAX_SOP + " characters)");
            return;
        }
        List<String> alertIds = view.forFilm(sop).stream().map(AlertSnapshot::id).toList();
        // A film with an alert was scored; any other must be a key of findings (one keys-only read).
        if (alertIds.isEmpty() && !films.unknown(List.of(sop)).isEmpty()) {
            HttpIO.sendError(ex, 404, "unknown film: no finding for this SOP Instance UID");
            return;
        }
        String note = "labels confirmed: present " + (st.labels.isEmpty() ? "none" : String.join(",", st.labels))
                + "; absent " + (st.absent.isEmpty() ? "none" : String.join(",", st.absent)) + " (recorded on labels)";
        respond(ex, who, false, () -> recorder.record(sop, st.labels, st.absent, who, alertIds, note));
    }

    private boolean mayConfirm(HttpExchange ex, Principal who) throws IOException {
        if (recorder == null) {
            HttpIO.sendError(ex, 503, "label confirmation is not enabled on this service");
            return false;
        }
        if (!who.role().mayAct()) {
            HttpIO.sendError(ex, 403, "role " + who.role().fileName() + " may not confirm labels (needs responder)");
            return false;
        }
        return true;
    }

    private interface Recording {
        LabelRecorder.Recorded run() throws LabelRecorder.Refused, LabelRecorder.Unavailable;
    }

    /** @param builtOnLatest whether the statement was built on the film's current confirmation (then "supersedes" says which) */
    private void respond(HttpExchange ex, Principal who, boolean builtOnLatest, Recording recording) throws IOException {
        LabelRecorder.Recorded r;
        try {
            r = recording.run();
        } catch (LabelRecorder.Refused e) {
            HttpIO.sendError(ex, 400, e.getMessage());
            return;
        } catch (LabelRecorder.Unavailable e) {
            failed.incrementAndGet();
            LOG.warn("label confirmation by {} not recorded: {}", who.identity(), e.getCause() == null ? e.getMessage() : e.getCause().toString());
            HttpIO.sendError(ex, 503, e.getMessage());
            return;
        }
        accepted.incrementAndGet();
        ObjectNode body = AlertJson.MAPPER.createObjectNode();
        body.put("sopInstanceUid", r.confirmation().getSopInstanceUid());
        ArrayNode l = body.putArray("labels");
        r.confirmation().getLabels().forEach(l::add);
        ArrayNode a = body.putArray("absent");
        r.confirmation().getAbsent().forEach(a::add);
        body.put("radiologist", r.confirmation().getRadiologist());
        body.put("confirmedAt", r.confirmation().getConfirmedAt().toString());
        // Which earlier confirmation this one supersedes (confirm/reject build on it), or null.
        if (builtOnLatest) {
            if (r.replaced() == null) body.putNull("supersedes");
            else body.put("supersedes", r.replaced().getConfirmedAt().toString());
        }
        ArrayNode ids = body.putArray("actionIds");
        r.actions().forEach(x -> ids.add(x.getActionId()));
        HttpIO.sendJson(ex, 202, body);
    }

    long accepted() {
        return accepted.get();
    }

    long failed() {
        return failed.get();
    }

    record Statement(List<String> labels, List<String> absent) {
    }

    /** Body {"labels":[...],"absent":[...]}: both lists of label ids, either may be omitted (both empty = no finding). */
    static Statement parseStatement(byte[] body) {
        JsonNode root;
        try {
            root = AlertJson.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException("body is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("body must be a JSON object like {\"labels\":[\"Pneumonia\"],\"absent\":[\"Effusion\"]}");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("labels") && !f.equals("absent")) throw new IllegalArgumentException("unknown field '" + f + "' (expected labels, absent)");
        }
        return new Statement(ids(root.get("labels"), "labels"), ids(root.get("absent"), "absent"));
    }

    private static List<String> ids(JsonNode n, String field) {
        if (n == null || n.isNull()) return List.of();
        if (!n.isArray()) throw new IllegalArgumentException("'" + field + "' must be an array of label ids");
        List<String> out = new ArrayList<>();
        for (JsonNode e : n) {
            if (!e.isTextual() || e.asText().isBlank()) throw new IllegalArgumentException("'" + field + "' must hold non-empty strings (label ids)");
            out.add(e.asText().strip());
        }
        return out;
    }
}
