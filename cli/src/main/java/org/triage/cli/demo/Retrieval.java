package org.triage.cli.demo;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * How well a set of flagged films matches the films that truly show a class: precision (share of
 * flagged films that show it) and recall (share of the films showing it that were flagged).
 */
record Retrieval(int flagged, int truePositives, int positives) {
    static Retrieval of(Collection<String> flagged, Collection<String> population, Predicate<String> isPositive) {
        int tp = 0;
        for (String sop : flagged) {
            if (isPositive.test(sop)) tp++;
        }
        int positives = (int) population.stream().filter(isPositive).count();
        return new Retrieval(flagged.size(), tp, positives);
    }

    double precision() {
        return flagged == 0 ? Double.NaN : truePositives / (double) flagged;
    }

    double recall() {
        return positives == 0 ? Double.NaN : truePositives / (double) positives;
    }

    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("alerts", flagged);
        m.put("truePositives", truePositives);
        m.put("positives", positives);
        m.put("precision", DemoNumbers.round(precision()));
        m.put("recall", DemoNumbers.round(recall()));
        return m;
    }
}
