package org.triage.stream.alerting;

import java.time.Instant;
import java.util.ArrayList;
import org.triage.events.Alert;
import org.triage.events.AlertType;
import org.triage.events.Severity;
import org.triage.stream.topology.Ids;

/** Builds an alert of a scored film: the one place that fills the fields every alert carries. */
public final class Alerts {
    private Alerts() {
    }

    public static Alert of(ScoredFilm film, AlertType type, String label, float score, float threshold, Severity severity,
                           boolean rare) {
        var ev = film.event();
        return Alert.newBuilder()
                .setAlertId(Ids.alertId(type, ev.getSopInstanceUid(), label, film.model()))
                .setType(type).setLabelId(label).setScore(score).setThreshold(threshold).setSeverity(severity).setRare(rare)
                .setSopInstanceUid(ev.getSopInstanceUid()).setStudyInstanceUid(ev.getStudyInstanceUid())
                .setPatientPseudonym(ev.getPatientPseudonym()).setModel(film.model())
                .setEvidence(new ArrayList<>(film.evidence())).setCreatedAt(Instant.ofEpochMilli(film.scoredAt()))
                .build();
    }
}
