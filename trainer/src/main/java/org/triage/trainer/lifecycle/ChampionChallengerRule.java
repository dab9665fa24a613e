package org.triage.trainer.lifecycle;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.triage.events.DecisionOutcome;
import org.triage.events.ModelRelease;

/**
 * Whether a challenger may replace the champion: promote iff the challenger's harmonic mean is at
 * least the champion's minus {@code tolerance} and its seen mean at least the champion's minus
 * {@code seenTolerance}. The harmonic mean is the GZSL headline; the seen guard keeps a model that
 * buys unseen AUROC by forgetting the seen findings out of service. With no champion, promote.
 *
 * @param tolerance     how much harmonic mean the challenger may lose (default 0)
 * @param seenTolerance how much seen mean the challenger may lose (default 0.02)
 */
public record ChampionChallengerRule(double tolerance, double seenTolerance) {
    public static final double DEFAULT_TOLERANCE = 0.0;
    public static final double DEFAULT_SEEN_TOLERANCE = 0.02;
    public static final String HARMONIC = "harmonicMean";
    public static final String SEEN = "seenMean";
    public static final String UNSEEN = "unseenMean";
    // 0.72 - 0.02 is 0.7000000000000001 in doubles: without slack a challenger exactly at the edge would lose.
    private static final double EDGE = 1e-9;

    public ChampionChallengerRule {
        if (!(tolerance >= 0) || !(seenTolerance >= 0)) {
            throw new IllegalArgumentException("tolerances must be >= 0 (tolerance " + tolerance + ", seen tolerance " + seenTolerance + ")");
        }
    }

    public static ChampionChallengerRule defaults() {
        return new ChampionChallengerRule(DEFAULT_TOLERANCE, DEFAULT_SEEN_TOLERANCE);
    }

    /** The verdict and why, with the metrics it compared. */
    public record Verdict(DecisionOutcome outcome, List<String> reasons, Map<String, Double> championMetrics,
                          Map<String, Double> challengerMetrics) {
        public boolean promotes() {
            return outcome == DecisionOutcome.PROMOTE;
        }
    }

    /** How the rule names itself in a decision record. */
    public String describe() {
        return String.format(Locale.ROOT, "champion-challenger(tolerance=%s, seenTolerance=%s)", tolerance, seenTolerance);
    }

    /** @param champion the release in service, or null when there is none */
    public Verdict decide(ModelRelease champion, ModelRelease challenger) {
        Map<String, Double> challengerMetrics = compared(challenger);
        if (champion == null) {
            return new Verdict(DecisionOutcome.PROMOTE, List.of("no PROMOTED release of '" + challenger.getName() + "': the first one is promoted"),
                    Map.of(), challengerMetrics);
        }
        Map<String, Double> championMetrics = compared(champion);
        List<String> reasons = new ArrayList<>();
        boolean harmonicOk = criterion("harmonic mean", HARMONIC, championMetrics, challengerMetrics, tolerance, reasons);
        boolean seenOk = criterion("seen mean", SEEN, championMetrics, challengerMetrics, seenTolerance, reasons);
        return new Verdict(harmonicOk && seenOk ? DecisionOutcome.PROMOTE : DecisionOutcome.REJECT, List.copyOf(reasons),
                championMetrics, challengerMetrics);
    }

    private static boolean criterion(String label, String key, Map<String, Double> champion, Map<String, Double> challenger, double slack,
                                     List<String> reasons) {
        Double theirs = champion.get(key);
        Double ours = challenger.get(key);
        if (ours == null) {
            reasons.add("challenger has no " + key + " metric: export it with --eval-report");
            return false;
        }
        if (theirs == null) {
            reasons.add(String.format(Locale.ROOT, "%s %.4f not compared: the champion has no %s", label, ours, key));
            return true;
        }
        double bar = theirs - slack;
        boolean ok = ours >= bar - EDGE;
        reasons.add(String.format(Locale.ROOT, "%s %.4f %s champion %.4f - %s = %.4f", label, ours, ok ? ">=" : "<", theirs, slack, bar));
        return ok;
    }

    /** seen, unseen and harmonic means; the harmonic mean from seen and unseen when a release lacks it. */
    static Map<String, Double> compared(ModelRelease r) {
        Map<String, Double> m = r.getMetrics();
        Map<String, Double> out = new LinkedHashMap<>();
        Double seen = m.get(SEEN);
        Double unseen = m.get(UNSEEN);
        Double harmonic = m.get(HARMONIC);
        if (harmonic == null && seen != null && unseen != null && seen + unseen > 0) {
            harmonic = 2 * seen * unseen / (seen + unseen);
        }
        if (harmonic != null) {
            out.put(HARMONIC, harmonic);
        }
        if (seen != null) {
            out.put(SEEN, seen);
        }
        if (unseen != null) {
            out.put(UNSEEN, unseen);
        }
        return out;
    }
}
