package org.triage.trainer.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.triage.trainer.lifecycle.Releases.release;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.triage.events.DecisionOutcome;
import org.triage.events.ModelRelease;
import org.triage.events.ReleaseStatus;
import org.triage.schemas.release.ReleaseHistory;

class ModelLifecycleTest {
    private static final Instant NOW = Instant.ofEpochMilli(10_000);
    private final ReleaseHistory history = new ReleaseHistory();
    private final Set<String> tampered = new java.util.HashSet<>();

    private ModelLifecycle lifecycle() {
        return new ModelLifecycle(history, ChampionChallengerRule.defaults(), Clock.fixed(NOW, ZoneOffset.UTC),
                r -> tampered.contains(r.getVersion()) ? Optional.of("visual.onnx: SHA-256 of /x no longer matches the release") : Optional.empty());
    }

    private void put(ModelRelease r) {
        history.accept(ReleaseHistory.key(r), r);
    }

    private void apply(Transition t) {
        t.writes().forEach(this::put);
    }

    @Test
    void promotingRetiresThePreviousChampionAndRecordsTheDecision() {
        put(release("v1", ReleaseStatus.PROMOTED, 1000, 0.70, 0.80));
        put(release("v2", ReleaseStatus.CANDIDATE, 2000, 0.72, 0.80));
        Transition t = lifecycle().promote("m", "v2", "alice", "better on covid", false);
        assertTrue(t.refusal().isEmpty());
        assertEquals("promoted m:v2, retired m:v1", t.summary());
        assertEquals(2, t.writes().size());
        ModelRelease promoted = t.writes().get(0);
        ModelRelease retired = t.writes().get(1);
        assertEquals(ReleaseStatus.PROMOTED, promoted.getStatus(), "the new champion is written first");
        assertEquals(NOW, promoted.getStatusChangedAt());
        assertEquals("alice", promoted.getStatusChangedBy());
        assertEquals("better on covid", promoted.getStatusNote());
        assertEquals(DecisionOutcome.PROMOTE, promoted.getDecision().getOutcome());
        assertEquals("v1", promoted.getDecision().getChampionVersion());
        assertEquals("alice", promoted.getDecision().getDecidedBy());
        assertEquals(0.70, promoted.getDecision().getChampionMetrics().get("harmonicMean"));
        assertEquals(ReleaseStatus.RETIRED, retired.getStatus());
        assertEquals("v1", retired.getVersion());
        assertEquals("replaced by v2", retired.getStatusNote());

        put(promoted); // between the two writes the new champion already wins
        assertEquals("v2", history.promoted("m").orElseThrow().getVersion());
        put(retired);
        assertEquals("v2", history.promoted("m").orElseThrow().getVersion());
    }

    @Test
    void theFirstReleaseIsPromotedWithoutAChampion() {
        put(release("v1", ReleaseStatus.CANDIDATE, 1000, 0.5, 0.5));
        Transition t = lifecycle().promote("m", "v1", "ci", null, false);
        assertEquals(1, t.writes().size());
        assertNull(t.writes().get(0).getDecision().getChampionVersion());
        assertEquals("first promoted release", t.writes().get(0).getStatusNote());
    }

    @Test
    void aRejectedChallengerKeepsItsStatusButRecordsWhy_forceOverrides() {
        put(release("v1", ReleaseStatus.PROMOTED, 1000, 0.70, 0.80));
        put(release("v2", ReleaseStatus.CANDIDATE, 2000, 0.65, 0.80));
        Transition t = lifecycle().promote("m", "v2", "alice", null, false);
        assertTrue(t.refusal().isPresent());
        assertTrue(t.refusal().get().contains("m:v2 does not beat the champion m:v1 (harmonic mean 0.6500 < champion 0.7000")
                && t.refusal().get().contains("--force"), t.refusal().get());
        assertEquals(1, t.writes().size());
        assertEquals(ReleaseStatus.CANDIDATE, t.writes().get(0).getStatus());
        assertEquals(DecisionOutcome.REJECT, t.writes().get(0).getDecision().getOutcome());
        apply(t);
        assertEquals("v1", history.promoted("m").orElseThrow().getVersion());

        Transition forced = lifecycle().promote("m", "v2", "alice", "incident 12", true);
        assertTrue(forced.refusal().isEmpty());
        ModelRelease promoted = forced.writes().get(0);
        assertEquals(ReleaseStatus.PROMOTED, promoted.getStatus());
        assertEquals(DecisionOutcome.REJECT, promoted.getDecision().getOutcome(), "the rule's verdict stays on record");
        assertTrue(promoted.getDecision().getReasons().contains("rule overridden with --force by alice"));
    }

    @Test
    void rollbackRepromotesThePreviousChampionAndRetiresTheCurrent() {
        put(release("v1", ReleaseStatus.PROMOTED, 1000, 0.70, 0.80));
        put(release("v2", ReleaseStatus.CANDIDATE, 2000, 0.72, 0.80));
        apply(lifecycle().promote("m", "v2", "alice", null, false)); // at NOW
        Transition t = lifecycle().rollback("m", null, "bob", "v2 misses pneumothorax"); // same clock instant: still ordered after
        assertEquals("rolled back m from v2 to v1", t.summary());
        ModelRelease restored = t.writes().get(0);
        assertEquals("v1", restored.getVersion());
        assertEquals(ReleaseStatus.PROMOTED, restored.getStatus());
        assertEquals(NOW.plusMillis(1), restored.getStatusChangedAt(), "after the promotion even on a coarse clock");
        assertEquals("bob", restored.getStatusChangedBy());
        assertEquals("rollback", restored.getDecision().getRule());
        assertEquals("v2", restored.getDecision().getChampionVersion());
        assertEquals("v2", t.writes().get(1).getVersion());
        assertEquals(ReleaseStatus.RETIRED, t.writes().get(1).getStatus());
        apply(t);
        assertEquals("v1", history.promoted("m").orElseThrow().getVersion());
    }

    @Test
    void rollbackToANamedVersion() {
        put(release("v1", ReleaseStatus.RETIRED, 1000, 0.70, 0.80));
        put(release("v2", ReleaseStatus.RETIRED, 2000, 0.71, 0.80));
        put(release("v3", ReleaseStatus.PROMOTED, 3000, 0.72, 0.80));
        Transition t = lifecycle().rollback("m", "v1", "bob", null);
        assertEquals("v1", t.writes().get(0).getVersion());
        assertEquals("rollback from v3", t.writes().get(0).getStatusNote());
    }

    @Test
    void illegalTransitionsAreRefusedWithWhatToFix() {
        LifecycleRefusal noRelease = assertThrows(LifecycleRefusal.class, () -> lifecycle().promote("m", "v9", "a", null, false));
        assertEquals("no release m:v9 on model-releases; 'triage models list --name m' shows the versions", noRelease.getMessage());

        LifecycleRefusal nothingPromoted = assertThrows(LifecycleRefusal.class, () -> lifecycle().rollback("m", null, "a", null));
        assertTrue(nothingPromoted.getMessage().contains("nothing to roll back"), nothingPromoted.getMessage());

        put(release("v1", ReleaseStatus.PROMOTED, 1000, 0.70, 0.80));
        LifecycleRefusal noEarlier = assertThrows(LifecycleRefusal.class, () -> lifecycle().rollback("m", null, "a", null));
        assertEquals("no earlier release of 'm' to roll back to: m:v1 is the first that was promoted", noEarlier.getMessage());
        LifecycleRefusal already = assertThrows(LifecycleRefusal.class, () -> lifecycle().promote("m", "v1", "a", null, false));
        assertTrue(already.getMessage().contains("already PROMOTED"), already.getMessage());

        put(release("v2", ReleaseStatus.CANDIDATE, 2000, 0.80, 0.90));
        tampered.add("v2");
        LifecycleRefusal changed = assertThrows(LifecycleRefusal.class, () -> lifecycle().promote("m", "v2", "a", null, false));
        assertEquals("m:v2 cannot go into service: visual.onnx: SHA-256 of /x no longer matches the release; publish it again",
                changed.getMessage());
        LifecycleRefusal forward = assertThrows(LifecycleRefusal.class, () -> lifecycle().rollback("m", "v2", "a", null));
        assertTrue(forward.getMessage().contains("newer than the PROMOTED m:v1"), forward.getMessage());

        LifecycleRefusal who = assertThrows(LifecycleRefusal.class, () -> lifecycle().promote("m", "v2", " ", null, false));
        assertEquals("say who makes the change with --by", who.getMessage());
    }

    @Test
    void aCandidateIsNoRollbackTarget_andStalePromotedReleasesAreRetiredToo() {
        put(release("v0", ReleaseStatus.CANDIDATE, 500, 0.9, 0.9));
        put(release("v1", ReleaseStatus.PROMOTED, 1000, 0.70, 0.80)); // left PROMOTED by a direct 'export --publish --status PROMOTED'
        put(release("v2", ReleaseStatus.PROMOTED, 2000, 0.71, 0.80));
        LifecycleRefusal candidate = assertThrows(LifecycleRefusal.class, () -> lifecycle().rollback("m", "v0", "a", null));
        assertTrue(candidate.getMessage().contains("m:v0 was never promoted"), candidate.getMessage());

        put(release("v3", ReleaseStatus.CANDIDATE, 3000, 0.72, 0.80));
        Transition t = lifecycle().promote("m", "v3", "a", null, false);
        assertEquals(java.util.List.of("v3", "v2", "v1"), t.writes().stream().map(ModelRelease::getVersion).toList());
        apply(t);
        assertEquals(1, history.releases("m").stream().filter(r -> r.getStatus() == ReleaseStatus.PROMOTED).count());
    }
}
