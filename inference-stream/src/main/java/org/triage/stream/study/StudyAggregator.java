package org.triage.stream.study;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.triage.events.Finding;
import org.triage.events.LabelScore;
import org.triage.events.StudyFilm;
import org.triage.events.StudyLabel;
import org.triage.events.StudyResult;
import org.triage.stream.topology.Ids;

/**
 * Takes a study's film-level findings together. A label is as present in the study as on the film where it is
 * strongest: a finding seen on one view (an effusion on the lateral only) is a finding of the study. So each label's
 * study score is its highest film score, its distance the smallest, its threshold that film's, and it is above
 * threshold when any film is.
 */
public final class StudyAggregator {
    private StudyAggregator() {
    }

    /**
     * @param films the study's findings, all of one model, in arrival order (at least one)
     */
    public static StudyResult aggregate(List<Finding> films, int version, Instant lastFilmAt, Instant emittedAt, long quietTimeMs) {
        if (films.isEmpty()) {
            throw new IllegalArgumentException("a study result needs at least one film");
        }
        Finding first = films.get(0);
        Map<String, Acc> byLabel = new LinkedHashMap<>();
        List<StudyFilm> studyFilms = new ArrayList<>(films.size());
        float maxNovelty = Float.NEGATIVE_INFINITY;
        Instant firstReceived = first.getReceivedAt();
        for (Finding f : films) {
            List<String> positives = new ArrayList<>();
            for (LabelScore s : f.getLabels()) {
                byLabel.computeIfAbsent(s.getLabelId(), k -> new Acc()).add(s, f.getSopInstanceUid());
                if (s.getAboveThreshold()) {
                    positives.add(s.getLabelId());
                }
            }
            studyFilms.add(StudyFilm.newBuilder().setSopInstanceUid(f.getSopInstanceUid()).setFindingId(f.getFindingId())
                    .setReceivedAt(f.getReceivedAt()).setNoveltyScore(f.getNoveltyScore()).setPositiveLabels(positives).build());
            maxNovelty = Math.max(maxNovelty, f.getNoveltyScore());
            if (f.getReceivedAt().isBefore(firstReceived)) {
                firstReceived = f.getReceivedAt();
            }
        }
        List<Acc> ranked = new ArrayList<>(byLabel.values());
        // Ties by label id, so the same films always give the same order.
        ranked.sort(Comparator.comparingDouble((Acc a) -> -a.best.getScore()).thenComparing(a -> a.best.getLabelId()));
        List<StudyLabel> labels = new ArrayList<>(ranked.size());
        for (int i = 0; i < ranked.size(); i++) {
            Acc a = ranked.get(i);
            labels.add(StudyLabel.newBuilder().setLabelId(a.best.getLabelId()).setDistance(a.best.getDistance()).setScore(a.best.getScore())
                    .setRank(i).setThreshold(a.best.getThreshold()).setAboveThreshold(a.positiveFilms > 0).setKind(a.best.getKind())
                    .setDecidingSopInstanceUid(a.bestFilm).setPositiveFilms(a.positiveFilms).build());
        }
        return StudyResult.newBuilder()
                .setStudyResultId(Ids.studyResultId(first.getStudyInstanceUid(), first.getModel(), version))
                .setStudyInstanceUid(first.getStudyInstanceUid())
                .setPatientPseudonym(first.getPatientPseudonym())
                .setModel(first.getModel())
                .setVersion(version)
                .setFilms(studyFilms)
                .setLabels(labels)
                .setMaxNoveltyScore(maxNovelty)
                .setFirstReceivedAt(firstReceived)
                .setLastFilmAt(lastFilmAt)
                .setEmittedAt(emittedAt)
                .setQuietTimeMs(quietTimeMs)
                .build();
    }

    private static final class Acc {
        LabelScore best;
        String bestFilm;
        int positiveFilms;

        void add(LabelScore s, String film) {
            if (best == null || s.getScore() > best.getScore()) {
                best = s;
                bestFilm = film;
            }
            if (s.getAboveThreshold()) {
                positiveFilms++;
            }
        }
    }
}
