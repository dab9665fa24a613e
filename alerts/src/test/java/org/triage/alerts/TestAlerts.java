package org.triage.alerts;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.triage.events.ActionType;
import org.triage.events.Alert;
import org.triage.events.AlertAction;
import org.triage.events.AlertType;
import org.triage.events.LabelScore;
import org.triage.events.ModelRef;
import org.triage.events.PrototypeKind;
import org.triage.events.Severity;

/** Builds test events. */
public final class TestAlerts {
    private TestAlerts() {
    }

    public static Alert alert(String id, long createdAtMillis) {
        return alert(id, createdAtMillis, AlertType.UNSEEN_CLASS, "covid19", Severity.HIGH);
    }

    public static Alert alert(String id, long createdAtMillis, AlertType type, String label, Severity severity) {
        return Alert.newBuilder()
                .setAlertId(id)
                .setType(type)
                .setLabelId(label)
                .setScore(0.42f)
                .setThreshold(0.5f)
                .setSeverity(severity)
                .setSopInstanceUid("1.2.826.0.1.3680043.8.498." + Math.abs(id.hashCode()))
                .setStudyInstanceUid(null)
                .setPatientPseudonym("psn-" + Integer.toHexString(id.hashCode()))
                .setModel(new ModelRef("cmdml", "v1"))
                .setEvidence(List.of(LabelScore.newBuilder().setLabelId(label == null ? "none" : label).setDistance(0.42f)
                        .setScore(0.8f).setRank(1).setThreshold(0.5f).setAboveThreshold(true).setKind(PrototypeKind.UNSEEN).build()))
                .setCreatedAt(Instant.ofEpochMilli(createdAtMillis))
                .build();
    }

    public static AlertAction action(String alertId, ActionType type, long at) {
        return action(UUID.randomUUID().toString(), alertId, type, at);
    }

    public static AlertAction action(String actionId, String alertId, ActionType type, long at) {
        return AlertAction.newBuilder()
                .setActionId(actionId)
                .setAlertId(alertId)
                .setAction(type)
                .setActor("tester")
                .setComment(type == ActionType.COMMENT ? "looked at it" : null)
                .setAt(Instant.ofEpochMilli(at))
                .build();
    }
}
