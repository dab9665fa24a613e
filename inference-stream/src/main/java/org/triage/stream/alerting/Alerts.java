package org.triage.stream.alerting;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.triage.events.Alert;
import org.triage.events.AlertType;
import org.triage.events.ImageEmbedding;
import org.triage.events.LabelScore;
import org.triage.events.Severity;
import org.triage.stream.topology.Ids;

/** Builds alerts: the one place that fills the fields every alert carries. */
public final class Alerts {
    private Alerts() {
    }

    /** An alert on a film scored live. */
    public static Alert of(ScoredFilm film, AlertType type, String label, float score, float threshold, Severity severity,
                           boolean rare) {
        var ev = film.event();
        return Alert.newBuilder()
                .setAlertId(Ids.alertId(type, ev.getSopInstanceUid(), label, film.model()))
                .setType(type).setLabelId(label).setScore(score).setThreshold(threshold).setSeverity(severity).setRare(rare)
                .setSopInstanceUid(ev.getSopInstanceUid()).setStudyInstanceUid(ev.getStudyInstanceUid())
                .setPatientPseudonym(ev.getPatientPseudonym()).setModel(film.model())
                .setEvidence(new ArrayList<>(film.evidence())).setCreatedAt(Instant.ofEpochMilli(film.scoredAt()))
                .setFilmTime(ev.getReceivedAt())
                .build();
    }

    /**
     * A NOVELTY_CLUSTER alert: the cluster as it stands. The id is the cluster's, so every update
     * (the cluster grew) replaces the previous one in keyed consumers; score is the size, threshold
     * the size at which clusters alert. The film fields name the cluster's first member.
     */
    public static Alert cluster(org.triage.stream.cluster.NoveltyCluster c, int minSize, Severity severity, long createdAt) {
        List<Float> centroid = new ArrayList<>(c.centroid().length);
        for (float f : c.centroid()) {
            centroid.add(f);
        }
        org.triage.events.NoveltyCluster info = org.triage.events.NoveltyCluster.newBuilder()
                .setClusterId(c.id()).setSize(c.size()).setMembers(new ArrayList<>(c.members())).setCentroid(centroid)
                .setRadius(c.radius()).setFirstSeen(Instant.ofEpochMilli(c.firstSeen())).setLastSeen(Instant.ofEpochMilli(c.lastSeen()))
                .build();
        org.triage.events.ModelRef model = org.triage.events.ModelRef.newBuilder().setName(c.modelName()).setVersion(c.modelVersion()).build();
        return Alert.newBuilder()
                .setAlertId(Ids.clusterAlertId(c.id()))
                .setType(AlertType.NOVELTY_CLUSTER).setLabelId(null).setScore(c.size()).setThreshold(minSize)
                .setSeverity(severity).setRare(false)
                .setSopInstanceUid(c.members().get(0)).setStudyInstanceUid(null)
                .setPatientPseudonym(c.firstPseudonym()).setModel(model)
                .setEvidence(new ArrayList<>()).setCreatedAt(Instant.ofEpochMilli(createdAt))
                .setFilmTime(Instant.ofEpochMilli(c.lastSeen())).setCluster(info)
                .build();
    }

    /**
     * A RETROSPECTIVE_MATCH: a stored embedding of an earlier film found within a new prototype
     * version's threshold by a rescan. The evidence is the label's own score (the rescan does not
     * rank the film against the other labels: rank 0); {@code filmTime} is the film's original
     * receivedAt. The id depends on (type, film, label, model) only, so a redone scan repeats it.
     */
    public static Alert retrospective(ImageEmbedding film, String label, float distance, float threshold, Severity severity,
                                      boolean rare, org.triage.events.PrototypeKind kind, long createdAt) {
        LabelScore own = LabelScore.newBuilder().setLabelId(label).setDistance(distance)
                .setScore(org.triage.stream.topology.Scorer.score(distance)).setRank(0).setThreshold(threshold)
                .setAboveThreshold(distance <= threshold).setKind(kind).build();
        return Alert.newBuilder()
                .setAlertId(Ids.alertId(AlertType.RETROSPECTIVE_MATCH, film.getSopInstanceUid(), label, film.getModel()))
                .setType(AlertType.RETROSPECTIVE_MATCH).setLabelId(label).setScore(distance).setThreshold(threshold)
                .setSeverity(severity).setRare(rare)
                .setSopInstanceUid(film.getSopInstanceUid()).setStudyInstanceUid(null)
                .setPatientPseudonym(film.getPatientPseudonym()).setModel(film.getModel())
                .setEvidence(new ArrayList<>(List.of(own))).setCreatedAt(Instant.ofEpochMilli(createdAt))
                .setFilmTime(film.getReceivedAt())
                .build();
    }
}
