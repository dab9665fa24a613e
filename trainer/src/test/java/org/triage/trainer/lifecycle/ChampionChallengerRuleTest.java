package org.triage.trainer.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.triage.trainer.lifecycle.Releases.release;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.triage.events.DecisionOutcome;
import org.triage.events.ModelRelease;
import org.triage.events.ReleaseStatus;

class ChampionChallengerRuleTest {
    private static final ModelRelease CHAMPION = release("v1", ReleaseStatus.PROMOTED, 1000, 0.70, 0.80);
    private final ChampionChallengerRule rule = ChampionChallengerRule.defaults();

    @Test
    void defaultsAreNoHarmonicLossAndTwoPointsOfSeen() {
        assertEquals(0.0, rule.tolerance());
        assertEquals(0.02, rule.seenTolerance());
        assertEquals("champion-challenger(tolerance=0.0, seenTolerance=0.02)", rule.describe());
    }

    @Test
    void aBetterChallengerIsPromotedWithAReasonPerCriterion() {
        ChampionChallengerRule.Verdict v = rule.decide(CHAMPION, release("v2", ReleaseStatus.CANDIDATE, 2000, 0.72, 0.81));
        assertEquals(DecisionOutcome.PROMOTE, v.outcome());
        assertEquals(2, v.reasons().size(), v.reasons().toString());
        assertEquals("harmonic mean 0.7200 >= champion 0.7000 - 0.0 = 0.7000", v.reasons().get(0));
        assertTrue(v.reasons().get(1).startsWith("seen mean 0.8100 >= champion 0.8000 - 0.02"), v.reasons().get(1));
        assertEquals(0.70, v.championMetrics().get("harmonicMean"));
        assertEquals(0.72, v.challengerMetrics().get("harmonicMean"));
    }

    @Test
    void aLowerHarmonicMeanIsRejected() {
        ChampionChallengerRule.Verdict v = rule.decide(CHAMPION, release("v2", ReleaseStatus.CANDIDATE, 2000, 0.6999, 0.90));
        assertEquals(DecisionOutcome.REJECT, v.outcome());
        assertTrue(v.reasons().get(0).contains("0.6999 < champion 0.7000"), v.reasons().toString());
    }

    @Test
    void theSeenGuardRejectsAModelThatForgetsTheSeenFindings() {
        // Better harmonic mean, but 0.05 of seen mean lost: more than the 0.02 allowed.
        ChampionChallengerRule.Verdict v = rule.decide(CHAMPION, release("v2", ReleaseStatus.CANDIDATE, 2000, 0.75, 0.75));
        assertEquals(DecisionOutcome.REJECT, v.outcome());
        assertTrue(v.reasons().get(1).contains("seen mean 0.7500 < champion 0.8000 - 0.02 = 0.7800"), v.reasons().toString());
    }

    @Test
    void exactlyAtEitherEdgePromotes_justBelowRejects() {
        // Equal harmonic mean, seen mean exactly 0.02 lower: both criteria met with equality.
        assertEquals(DecisionOutcome.PROMOTE, rule.decide(CHAMPION, release("v2", ReleaseStatus.CANDIDATE, 2000, 0.70, 0.78)).outcome());
        assertEquals(DecisionOutcome.REJECT, rule.decide(CHAMPION, release("v2", ReleaseStatus.CANDIDATE, 2000, 0.70, 0.7799)).outcome());
        ChampionChallengerRule lenient = new ChampionChallengerRule(0.05, 0.0);
        assertEquals(DecisionOutcome.PROMOTE, lenient.decide(CHAMPION, release("v2", ReleaseStatus.CANDIDATE, 2000, 0.65, 0.80)).outcome());
        assertEquals(DecisionOutcome.REJECT, lenient.decide(CHAMPION, release("v2", ReleaseStatus.CANDIDATE, 2000, 0.6499, 0.80)).outcome());
        assertEquals(DecisionOutcome.REJECT, lenient.decide(CHAMPION, release("v2", ReleaseStatus.CANDIDATE, 2000, 0.70, 0.7999)).outcome(),
                "seen tolerance 0: any seen loss rejects");
    }

    @Test
    void withNoChampionTheFirstReleaseIsPromoted() {
        ChampionChallengerRule.Verdict v = rule.decide(null, release("v1", ReleaseStatus.CANDIDATE, 1000, 0.1, 0.1));
        assertTrue(v.promotes());
        assertTrue(v.reasons().get(0).contains("no PROMOTED release"), v.reasons().toString());
        assertTrue(v.championMetrics().isEmpty());
    }

    @Test
    void missingMetrics_challengerRejected_championNotCompared_harmonicDerivedFromSeenAndUnseen() {
        ChampionChallengerRule.Verdict noMetrics = rule.decide(CHAMPION, release("v2", ReleaseStatus.CANDIDATE, 2000, Map.of()));
        assertFalse(noMetrics.promotes());
        assertTrue(noMetrics.reasons().get(0).contains("challenger has no harmonicMean metric"), noMetrics.reasons().toString());

        ChampionChallengerRule.Verdict bareChampion = rule.decide(release("v1", ReleaseStatus.PROMOTED, 1000, Map.of()),
                release("v2", ReleaseStatus.CANDIDATE, 2000, 0.5, 0.5));
        assertTrue(bareChampion.promotes(), bareChampion.reasons().toString());
        assertTrue(bareChampion.reasons().get(0).contains("not compared"), bareChampion.reasons().toString());

        ChampionChallengerRule.Verdict derived = rule.decide(CHAMPION,
                release("v2", ReleaseStatus.CANDIDATE, 2000, Map.of("seenMean", 0.80, "unseenMean", 0.64)));
        assertEquals(2 * 0.8 * 0.64 / 1.44, derived.challengerMetrics().get("harmonicMean"), 1e-12);
        assertTrue(derived.promotes(), derived.reasons().toString());
    }

    @Test
    void negativeTolerancesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ChampionChallengerRule(-0.01, 0.02));
        assertThrows(IllegalArgumentException.class, () -> new ChampionChallengerRule(0, Double.NaN));
    }
}
