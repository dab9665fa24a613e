package org.triage.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.triage.events.Alert;
import org.triage.events.AlertType;
import org.triage.events.LabelPrototype;
import org.triage.events.LabelScore;
import org.triage.events.ModelRef;
import org.triage.events.PrototypeKind;
import org.triage.events.Severity;
import org.triage.events.ThresholdMode;
import org.triage.stream.alerting.LabelMatchRule;
import org.triage.stream.alerting.NoveltyRule;
import org.triage.stream.alerting.ScoredFilm;
import org.triage.stream.testing.Events;
import org.triage.stream.testing.FakeEmbedder;
import org.triage.stream.topology.ActivePrototype;
import org.triage.stream.topology.Scorer;

/** The alert rules on their own: one scored film in, the alerts it raises out. */
class AlertRulesTest {
    private static final ModelRef MODEL = ModelRef.newBuilder().setName("m").setVersion("1").build();

    private static LabelScore score(String label, PrototypeKind kind, float distance, float threshold) {
        return LabelScore.newBuilder().setLabelId(label).setKind(kind).setDistance(distance).setScore(Scorer.score(distance))
                .setRank(1).setThreshold(threshold).setAboveThreshold(distance <= threshold).build();
    }

    private static ScoredFilm film(List<LabelScore> labels, Map<String, LabelPrototype> prototypes, float novelty, float noveltyRef) {
        Map<String, ActivePrototype> active = new java.util.HashMap<>();
        prototypes.forEach((k, p) -> active.put(k, new ActivePrototype(p, new float[] {0, 1})));
        return new ScoredFilm(Events.radiograph("sop-1", FakeEmbedder.image(0, 1), 1000), MODEL, new Scorer.Scored(labels, 0.1f),
                novelty, noveltyRef, active, labels, 2000);
    }

    @Test
    void anUnseenMatchIsOneAlertWhetherOrNotTheLabelIsRare() {
        LabelPrototype covid = Events.prototype("covid", PrototypeKind.UNSEEN, ThresholdMode.ABSOLUTE, 0.5, true, 0, 1);
        List<Alert> out = new LabelMatchRule().alerts(film(List.of(score("covid", PrototypeKind.UNSEEN, 0.2f, 0.5f)),
                Map.of("covid", covid), 1, 1));
        assertEquals(1, out.size());
        assertEquals(AlertType.UNSEEN_CLASS, out.get(0).getType());
        assertTrue(out.get(0).getRare());
        assertEquals(Severity.HIGH, out.get(0).getSeverity());
    }

    @Test
    void belowThresholdOrSeenAndCommonRaisesNothing() {
        LabelPrototype covid = Events.prototype("covid", PrototypeKind.UNSEEN, ThresholdMode.ABSOLUTE, 0.5, false, 0, 1);
        LabelPrototype effusion = Events.prototype("Effusion", PrototypeKind.SEEN, ThresholdMode.CALIBRATED, null, false, 0, 1);
        List<Alert> out = new LabelMatchRule().alerts(film(List.of(score("covid", PrototypeKind.UNSEEN, 0.9f, 0.5f),
                score("Effusion", PrototypeKind.SEEN, 0.1f, 0.5f)), Map.of("covid", covid, "Effusion", effusion), 1, 1));
        assertTrue(out.isEmpty(), out.toString());
    }

    @Test
    void noveltyNeedsAReferenceAndTheThreshold() {
        NoveltyRule rule = new NoveltyRule(3.0, Severity.LOW);
        assertTrue(rule.alerts(film(List.of(), Map.of(), 5f, Float.NaN)).isEmpty(), "no reference yet");
        assertTrue(rule.alerts(film(List.of(), Map.of(), 2.9f, 1f)).isEmpty(), "below the threshold");
        List<Alert> out = rule.alerts(film(List.of(), Map.of(), 3.5f, 1f));
        assertEquals(1, out.size());
        assertEquals(AlertType.NOVELTY, out.get(0).getType());
        assertFalse(out.get(0).getRare());
        assertEquals(null, out.get(0).getLabelId());
    }
}
