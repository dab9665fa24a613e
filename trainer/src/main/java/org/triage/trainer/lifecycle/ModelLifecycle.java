package org.triage.trainer.lifecycle;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.triage.events.DecisionOutcome;
import org.triage.events.ModelRelease;
import org.triage.events.ReleaseDecision;
import org.triage.events.ReleaseStatus;
import org.triage.schemas.release.ReleaseHistory;

/**
 * The legal moves of a release: CANDIDATE (or RETIRED) to PROMOTED when the champion/challenger
 * rule agrees, which retires the previous PROMOTED release of that name; and rollback, which
 * re-promotes an earlier release and retires the current one. Pure: it reads a snapshot of the
 * topic and returns the records to write; {@link ReleaseLog} does the I/O.
 *
 * <p>The new PROMOTED record is written before the RETIRED one, and its statusChangedAt is later
 * than any other of that name, so a reader between the two writes already picks the new champion.
 */
public final class ModelLifecycle {
    private final ReleaseHistory history;
    private final ChampionChallengerRule rule;
    private final Clock clock;
    private final Function<ModelRelease, Optional<String>> artifactCheck;

    public ModelLifecycle(ReleaseHistory history, ChampionChallengerRule rule) {
        this(history, rule, Clock.systemUTC(), ArtifactCheck::problem);
    }

    /** @param artifactCheck the problem with a release's artifacts, empty when they match their SHA-256 */
    public ModelLifecycle(ReleaseHistory history, ChampionChallengerRule rule, Clock clock,
                          Function<ModelRelease, Optional<String>> artifactCheck) {
        this.history = history;
        this.rule = rule;
        this.clock = clock;
        this.artifactCheck = artifactCheck;
    }

    /**
     * Promotes {@code version} if the rule agrees, or regardless of it when {@code force}.
     *
     * @throws LifecycleRefusal when the move is illegal (unknown version, already in service, artifacts changed)
     */
    public Transition promote(String name, String version, String by, String note, boolean force) {
        return promote(name, version, by, note, force, null);
    }

    /**
     * Promotes {@code version} if the rule agrees when the champion's metrics are {@code championMeasured}: the
     * champion scored on the challenger's own test films (retrain), so both are compared on the same data.
     * Null: the metrics the champion was released with.
     */
    public Transition promote(String name, String version, String by, String note, boolean force, java.util.Map<String, Double> championMeasured) {
        requireWho(by);
        ModelRelease challenger = find(name, version);
        String ref = ReleaseHistory.key(challenger);
        if (challenger.getStatus() == ReleaseStatus.PROMOTED) {
            throw new LifecycleRefusal(ref + " is already PROMOTED; nothing to do");
        }
        requireIntactArtifacts(challenger);
        ModelRelease champion = history.promoted(name).orElse(null);
        ModelRelease compared = champion == null || championMeasured == null ? champion
                : ModelRelease.newBuilder(champion).setMetrics(new java.util.LinkedHashMap<>(championMeasured)).build();
        ChampionChallengerRule.Verdict verdict = rule.decide(compared, challenger);
        Instant now = now(name);
        if (!verdict.promotes() && !force) {
            ReleaseDecision decision = decision(rule.describe(), verdict.outcome(), verdict.reasons(), champion, verdict, now, by);
            ModelRelease rejected = ModelRelease.newBuilder(challenger).setDecision(decision).build();
            return Transition.refused(ref + " does not beat the champion " + ReleaseHistory.key(champion) + " (" + failing(verdict)
                    + "); the decision is recorded; pass --force to promote it anyway", rejected);
        }
        List<String> reasons = verdict.promotes() ? verdict.reasons()
                : concat(verdict.reasons(), "rule overridden with --force by " + by);
        ReleaseDecision decision = decision(rule.describe(), verdict.outcome(), reasons, champion, verdict, now, by);
        ModelRelease promoted = changed(challenger, ReleaseStatus.PROMOTED, now, by,
                note != null ? note : champion == null ? "first promoted release" : "replaces " + champion.getVersion())
                .setDecision(decision).build();
        List<ModelRelease> writes = new ArrayList<>();
        writes.add(promoted);
        writes.addAll(retireOthers(challenger, now, by, "replaced by " + version));
        return Transition.done("promoted " + ref + (champion == null ? " (no previous PROMOTED release)"
                : ", retired " + ReleaseHistory.key(champion)), writes.toArray(ModelRelease[]::new));
    }

    /**
     * RETIRED records for every other PROMOTED release of the name: the champion, and any that
     * {@code export --publish --status PROMOTED} left PROMOTED beside a newer one.
     */
    private List<ModelRelease> retireOthers(ModelRelease keep, Instant now, String by, String note) {
        return history.releases(keep.getName()).stream()
                .filter(r -> r.getStatus() == ReleaseStatus.PROMOTED && !r.getVersion().equals(keep.getVersion()))
                .map(r -> changed(r, ReleaseStatus.RETIRED, now, by, note).build())
                .toList();
    }

    /**
     * Re-promotes an earlier release (the one retired last when {@code toVersion} is null) and retires the current one.
     *
     * @throws LifecycleRefusal when nothing is PROMOTED, there is no earlier release, or its artifacts changed
     */
    public Transition rollback(String name, String toVersion, String by, String note) {
        requireWho(by);
        ModelRelease current = history.promoted(name).orElseThrow(() -> new LifecycleRefusal("no release of '" + name
                + "' is PROMOTED, so there is nothing to roll back; promote one with 'triage models promote'"));
        ModelRelease target = toVersion == null ? previousChampion(current) : namedEarlier(current, toVersion);
        requireIntactArtifacts(target);
        Instant now = now(name);
        ReleaseDecision decision = decision("rollback", DecisionOutcome.PROMOTE,
                List.of("rolled back from " + current.getVersion() + " to " + target.getVersion() + " by " + by), current,
                new ChampionChallengerRule.Verdict(DecisionOutcome.PROMOTE, List.of(), ChampionChallengerRule.compared(current),
                        ChampionChallengerRule.compared(target)), now, by);
        ModelRelease restored = changed(target, ReleaseStatus.PROMOTED, now, by, note != null ? note : "rollback from " + current.getVersion())
                .setDecision(decision).build();
        List<ModelRelease> writes = new ArrayList<>();
        writes.add(restored);
        writes.addAll(retireOthers(target, now, by, "rolled back to " + target.getVersion()));
        return Transition.done("rolled back " + name + " from " + current.getVersion() + " to " + target.getVersion(),
                writes.toArray(ModelRelease[]::new));
    }

    private ModelRelease previousChampion(ModelRelease current) {
        // RETIRED releases were champions once (so were PROMOTED ones that a direct publish left behind);
        // the one whose status changed last, among those older than the current, was its predecessor.
        return history.releases(current.getName()).stream()
                .filter(r -> r.getStatus() != ReleaseStatus.CANDIDATE && r.getCreatedAt().isBefore(current.getCreatedAt()))
                .findFirst()
                .orElseThrow(() -> new LifecycleRefusal("no earlier release of '" + current.getName() + "' to roll back to: "
                        + ReleaseHistory.key(current) + " is the first that was promoted"));
    }

    private ModelRelease namedEarlier(ModelRelease current, String version) {
        ModelRelease target = find(current.getName(), version);
        String ref = ReleaseHistory.key(target);
        if (target.getVersion().equals(current.getVersion())) {
            throw new LifecycleRefusal(ref + " is the PROMOTED release already; name an earlier version with --to");
        }
        if (!target.getCreatedAt().isBefore(current.getCreatedAt())) {
            throw new LifecycleRefusal(ref + " is newer than the PROMOTED " + ReleaseHistory.key(current)
                    + "; a rollback goes back, use 'triage models promote' to go forward");
        }
        if (target.getStatus() == ReleaseStatus.CANDIDATE) {
            throw new LifecycleRefusal(ref + " was never promoted; use 'triage models promote' so the rule checks it");
        }
        return target;
    }

    private ModelRelease find(String name, String version) {
        return history.release(name, version).orElseThrow(() -> new LifecycleRefusal("no release " + ReleaseHistory.key(name, version)
                + " on model-releases; 'triage models list --name " + name + "' shows the versions"));
    }

    private void requireIntactArtifacts(ModelRelease r) {
        artifactCheck.apply(r).ifPresent(problem -> {
            throw new LifecycleRefusal(ReleaseHistory.key(r) + " cannot go into service: " + problem + "; publish it again");
        });
    }

    private static void requireWho(String by) {
        if (by == null || by.isBlank()) {
            throw new LifecycleRefusal("say who makes the change with --by");
        }
    }

    /** Now, but after every status change of the name, so the order of changes never depends on the clock's resolution. */
    private Instant now(String name) {
        Instant now = clock.instant();
        Instant last = history.releases(name).stream().map(ReleaseHistory::effectiveTime).max(Comparator.naturalOrder()).orElse(now);
        return last.isBefore(now) ? now : last.plusMillis(1);
    }

    private static ModelRelease.Builder changed(ModelRelease r, ReleaseStatus status, Instant at, String by, String note) {
        return ModelRelease.newBuilder(r).setStatus(status).setStatusChangedAt(at).setStatusChangedBy(by).setStatusNote(note);
    }

    private static ReleaseDecision decision(String ruleName, DecisionOutcome outcome, List<String> reasons, ModelRelease champion,
                                            ChampionChallengerRule.Verdict verdict, Instant at, String by) {
        return ReleaseDecision.newBuilder().setRule(ruleName).setOutcome(outcome).setReasons(List.copyOf(reasons))
                .setChampionVersion(champion == null ? null : champion.getVersion())
                .setChampionMetrics(new LinkedHashMap<>(verdict.championMetrics()))
                .setChallengerMetrics(new LinkedHashMap<>(verdict.challengerMetrics()))
                .setDecidedAt(at).setDecidedBy(by).build();
    }

    private static String failing(ChampionChallengerRule.Verdict v) {
        return String.join("; ", v.reasons().stream().filter(r -> r.contains(" < ") || r.startsWith("challenger has no")).toList());
    }

    private static List<String> concat(List<String> a, String b) {
        return java.util.stream.Stream.concat(a.stream(), java.util.stream.Stream.of(b)).toList();
    }
}
