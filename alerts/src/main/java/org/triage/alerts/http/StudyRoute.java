package org.triage.alerts.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.triage.alerts.auth.Principal;
import org.triage.alerts.studies.StudyResultCache;
import org.triage.events.StudyFilm;
import org.triage.events.StudyLabel;
import org.triage.events.StudyResult;

/** {@code GET /api/studies/{studyUid}}: the study's latest study-level result (every film taken together). */
final class StudyRoute implements HttpHandler {
    static final String BASE = "/api/studies";
    private static final int MAX_UID = 64; // DICOM UI value representation

    private final StudyResultCache cache;
    private final BearerAuth auth;

    StudyRoute(StudyResultCache cache, BearerAuth auth) {
        this.cache = cache;
        this.auth = auth;
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        try {
            Optional<Principal> who = auth.require(ex);
            if (who.isEmpty()) return;
            if (!HttpIO.requireGet(ex)) {
                return;
            }
            String rest = ex.getRequestURI().getRawPath().substring(BASE.length());
            String raw = rest.startsWith("/") ? rest.substring(1) : rest;
            if (raw.isEmpty() || raw.contains("/")) {
                HttpIO.sendError(ex, 404, "no such resource (GET " + BASE + "/{studyInstanceUid})");
                return;
            }
            String study = URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
            if (study.length() > MAX_UID) {
                HttpIO.sendError(ex, 400, "a study UID has at most " + MAX_UID + " characters");
                return;
            }
            Optional<StudyResult> r = cache.get(study);
            if (r.isEmpty()) {
                HttpIO.sendError(ex, 404, "no study result for this study yet (its films are scored one by one; the study result "
                        + "follows once no new film of it has arrived for the stream's quiet time)");
                return;
            }
            HttpIO.sendJson(ex, 200, json(r.get()));
        } finally {
            ex.close();
        }
    }

    static ObjectNode json(StudyResult r) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("studyResultId", r.getStudyResultId());
        n.put("studyInstanceUid", r.getStudyInstanceUid());
        n.put("version", r.getVersion());
        n.put("model", r.getModel().getName() + ":" + r.getModel().getVersion());
        n.put("emittedAt", r.getEmittedAt().toString());
        n.put("maxNoveltyScore", r.getMaxNoveltyScore());
        ArrayNode films = n.putArray("films");
        for (StudyFilm f : r.getFilms()) {
            ObjectNode o = films.addObject();
            o.put("sopInstanceUid", f.getSopInstanceUid());
            o.put("receivedAt", f.getReceivedAt().toString());
            ArrayNode pos = o.putArray("positiveLabels");
            f.getPositiveLabels().forEach(pos::add);
        }
        ArrayNode labels = n.putArray("labels");
        for (StudyLabel l : r.getLabels()) {
            ObjectNode o = labels.addObject();
            o.put("labelId", l.getLabelId());
            o.put("score", l.getScore());
            o.put("aboveThreshold", l.getAboveThreshold());
            o.put("positiveFilms", l.getPositiveFilms());
            o.put("decidingSopInstanceUid", l.getDecidingSopInstanceUid());
            o.put("kind", l.getKind().name());
        }
        return n;
    }
}
