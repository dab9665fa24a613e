package org.triage.alerts.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import org.triage.alerts.view.AlertSnapshot;
import org.triage.events.Alert;
import org.triage.events.AlertAction;
import org.triage.events.LabelScore;

/**
 * The JSON shape of alerts in the API, the SSE stream and webhooks. Written field by field
 * rather than by reflecting over Avro classes, so the public shape does not change when a
 * schema gains an internal field. Alerts carry a pseudonym only, never patient data.
 */
public final class AlertJson {
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private AlertJson() {
    }

    /** The alert, its state and, when {@code withActions}, its full action history. */
    public static ObjectNode toJson(AlertSnapshot s, boolean withActions) {
        Alert a = s.alert();
        ObjectNode n = MAPPER.createObjectNode();
        n.put("alertId", a.getAlertId());
        n.put("type", a.getType().name());
        n.put("labelId", a.getLabelId());
        n.put("score", a.getScore());
        n.put("threshold", a.getThreshold());
        n.put("severity", a.getSeverity().name());
        n.put("sopInstanceUid", a.getSopInstanceUid());
        n.put("studyInstanceUid", a.getStudyInstanceUid());
        n.put("patientPseudonym", a.getPatientPseudonym());
        ObjectNode model = n.putObject("model");
        model.put("name", a.getModel().getName());
        model.put("version", a.getModel().getVersion());
        ArrayNode evidence = n.putArray("evidence");
        for (LabelScore ls : a.getEvidence()) {
            ObjectNode e = evidence.addObject();
            e.put("labelId", ls.getLabelId());
            e.put("distance", ls.getDistance());
            e.put("score", ls.getScore());
            e.put("rank", ls.getRank());
            e.put("threshold", ls.getThreshold());
            e.put("aboveThreshold", ls.getAboveThreshold());
            e.put("kind", ls.getKind().name());
        }
        n.put("rare", a.getRare());
        if (a.getFilmTime() != null) {
            n.put("filmTime", a.getFilmTime().toString());
        }
        if (a.getCluster() != null) {
            var c = a.getCluster();
            ObjectNode cluster = n.putObject("cluster");
            cluster.put("clusterId", c.getClusterId());
            cluster.put("size", c.getSize());
            ArrayNode members = cluster.putArray("members");
            c.getMembers().forEach(m -> members.add(m.toString()));
            ArrayNode centroid = cluster.putArray("centroid");
            c.getCentroid().forEach(centroid::add);
            cluster.put("radius", c.getRadius());
            cluster.put("firstSeen", c.getFirstSeen().toString());
            cluster.put("lastSeen", c.getLastSeen().toString());
        }
        n.put("createdAt", a.getCreatedAt().toString());
        n.put("state", s.state().name());
        n.put("escalated", s.escalated());
        n.put("updatedAt", Instant.ofEpochMilli(s.updatedAt()).toString());
        n.put("actionCount", s.actions().size());
        if (withActions) {
            ArrayNode actions = n.putArray("actions");
            for (AlertAction act : s.actions()) actions.add(toJson(act));
        } else if (!s.actions().isEmpty()) {
            n.set("lastAction", toJson(s.actions().get(s.actions().size() - 1)));
        }
        return n;
    }

    public static ObjectNode toJson(AlertAction act) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("actionId", act.getActionId());
        n.put("action", act.getAction().name());
        n.put("actor", act.getActor());
        n.put("comment", act.getComment());
        n.put("at", act.getAt().toString());
        return n;
    }

    public static ObjectNode error(String message) {
        return MAPPER.createObjectNode().put("error", message);
    }
}
