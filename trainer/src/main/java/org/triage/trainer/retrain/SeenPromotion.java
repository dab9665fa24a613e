package org.triage.trainer.retrain;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.triage.events.PrototypeKind;

/**
 * Which labels the new model trains on: every SEEN prototype, and every UNSEEN one that now has
 * at least {@code minPositives} confirmed positives in the training split (its prototype vector
 * becomes its class vector). Below the threshold a label stays unseen: a handful of positives
 * teaches the network less than the zero-shot transfer already gives, and its films stay out of
 * train and val. It also needs at least one confirmed positive in val: a seen class is selected
 * and calibrated on val, and without one there it would stop the whole job.
 */
public record SeenPromotion(int minPositives) {
    public static final int DEFAULT_MIN_POSITIVES = 20;

    public SeenPromotion {
        if (minPositives < 1) {
            throw new IllegalArgumentException("--min-positives must be >= 1, not " + minPositives);
        }
    }

    /** @param seen sorted; @param unseen sorted; @param promoted the unseen prototypes that became seen, sorted */
    public record Classes(List<String> seen, List<String> unseen, List<String> promoted, Map<String, Integer> trainPositives) {
    }

    public Classes decide(Map<String, Prototype> prototypes, Map<String, Integer> trainPositives, Map<String, Integer> valPositives) {
        List<String> seen = new ArrayList<>();
        List<String> unseen = new ArrayList<>();
        List<String> promoted = new ArrayList<>();
        for (Prototype p : new TreeMap<>(prototypes).values()) {
            int n = trainPositives.getOrDefault(p.labelId(), 0);
            if (p.kind() == PrototypeKind.SEEN) {
                seen.add(p.labelId());
            } else if (n >= minPositives && valPositives.getOrDefault(p.labelId(), 0) > 0) {
                seen.add(p.labelId());
                promoted.add(p.labelId());
            } else {
                unseen.add(p.labelId());
            }
        }
        return new Classes(List.copyOf(seen), List.copyOf(unseen), List.copyOf(promoted), Map.copyOf(trainPositives));
    }
}
