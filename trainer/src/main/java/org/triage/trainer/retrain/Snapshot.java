package org.triage.trainer.retrain;

import java.nio.file.Path;
import java.util.Map;

/**
 * A DirectoryDataset folder built from the log, and what is needed to rebuild it.
 *
 * @param dir      the dataset folder (labels.csv, classes.json, images/, snapshot.json)
 * @param offsets  where each topic-partition was read to
 * @param split    the patient split
 * @param classes  seen and unseen labels, and the unseen ones that became seen
 * @param positives per split, per label: confirmed positives
 * @param skipped  films left out, by reason (counts only: no identifiers)
 */
public record Snapshot(Path dir, TopicOffsets offsets, SplitRecord split, SeenPromotion.Classes classes,
                       Map<String, Map<String, Integer>> positives, Map<String, Integer> skipped) {
    public static final String FILE = "snapshot.json";

    public long films() {
        return split.train() + split.val() + split.test();
    }

    public int positives(String split, String label) {
        return positives.getOrDefault(split, Map.of()).getOrDefault(label, 0);
    }
}
