package org.triage.trainer.retrain;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.triage.trainer.eval.EvaluationReport;

/**
 * What becoming a seen class did for a label that was an unseen prototype: its AUROC as a seen
 * class of the new model beside the one the champion gave it as an unseen prototype, on the same
 * test films. Recorded in the release's metrics so the people who promote see what was gained.
 */
final class NewlySeenLabels {
    static final String PREFIX = "newlySeen.";
    static final String AS_SEEN = ".auroc";
    static final String AS_UNSEEN = ".aurocAsUnseenPrototype";
    private static final Pattern KEY = Pattern.compile(Pattern.quote(PREFIX) + "(.+)" + Pattern.quote(AS_SEEN));

    private NewlySeenLabels() {
    }

    /** @param championPerClass the champion's per-label AUROC on the same films (empty when it could not score them) */
    static Map<String, Double> metrics(List<String> promoted, EvaluationReport challenger, Map<String, Double> championPerClass) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (String label : promoted) {
            Double seen = challenger.perClass().get(label);
            if (seen != null && Double.isFinite(seen)) {
                m.put(PREFIX + label + AS_SEEN, seen);
            }
            Double before = championPerClass.get(label);
            if (before != null && Double.isFinite(before)) {
                m.put(PREFIX + label + AS_UNSEEN, before);
            }
        }
        return m;
    }

    /** "; Edema now seen: AUROC 0.91 (0.78 as an unseen prototype)" for each such label, or "". */
    static String describe(Map<String, Double> metrics) {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, Double> e : metrics.entrySet()) {
            Matcher k = KEY.matcher(e.getKey());
            if (!k.matches()) {
                continue;
            }
            Double before = metrics.get(PREFIX + k.group(1) + AS_UNSEEN);
            b.append(String.format(Locale.ROOT, "; %s now seen: AUROC %.3f", k.group(1), e.getValue()));
            b.append(before == null ? " (no earlier score on these films)" : String.format(Locale.ROOT, " (%.3f as an unseen prototype)", before));
        }
        return b.toString();
    }
}
