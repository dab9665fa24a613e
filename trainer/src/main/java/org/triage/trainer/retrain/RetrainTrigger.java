package org.triage.trainer.retrain;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * When the watcher starts a retraining: enough confirmations arrived since the data of the last
 * retrained release (or of the last job that was refused), or one label that the last release does
 * not have as a seen class now has enough confirmed positives to become one. Nothing new, no job:
 * a refused or rejected job is not repeated on the same data. Pure.
 *
 * @param minNewConfirmations confirmation records since the baseline that start a job on their own
 * @param minPositives        the seen threshold of {@link SeenPromotion}
 */
public record RetrainTrigger(int minNewConfirmations, int minPositives) {
    public RetrainTrigger {
        if (minNewConfirmations < 1) {
            throw new IllegalArgumentException("--min-new-confirmations must be >= 1, not " + minNewConfirmations);
        }
        if (minPositives < 1) {
            throw new IllegalArgumentException("--min-positives must be >= 1, not " + minPositives);
        }
    }

    /** What the labels topic holds now, as the trigger needs it. */
    public record LabelsState(int newConfirmations, Map<String, Integer> positives) {
        public LabelsState {
            positives = Map.copyOf(new TreeMap<>(positives));
        }
    }

    /** @param seenLabels the seen classes of the last retrained (or promoted) release; empty when there is none */
    public Optional<String> reason(LabelsState labels, Set<String> seenLabels) {
        if (labels.newConfirmations() == 0) {
            return Optional.empty();
        }
        if (labels.newConfirmations() >= minNewConfirmations) {
            return Optional.of(labels.newConfirmations() + " new confirmation(s) (start at " + minNewConfirmations + ")");
        }
        for (Map.Entry<String, Integer> e : labels.positives().entrySet()) {
            if (!seenLabels.contains(e.getKey()) && e.getValue() >= minPositives) {
                return Optional.of(e.getKey() + " has " + e.getValue() + " confirmed positives (seen threshold " + minPositives
                        + ") and is not a seen class of the last model");
            }
        }
        return Optional.empty();
    }
}
