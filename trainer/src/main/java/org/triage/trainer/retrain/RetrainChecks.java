package org.triage.trainer.retrain;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.triage.events.ModelRelease;
import org.triage.schemas.Topics;

/** What must hold before minutes or hours of training are spent; each failure is a {@link RetrainRefusal}. */
final class RetrainChecks {
    private RetrainChecks() {
    }

    /** Nothing new: no confirmation and no prototype change since the parent was trained. */
    static void somethingNew(ModelRelease parent, TopicOffsets now) {
        if (parent == null || parent.getDataOffsets().isEmpty()) {
            return;
        }
        Map<String, Long> then = parent.getDataOffsets();
        for (String topic : List.of(Topics.LABELS, Topics.LABEL_PROTOTYPES)) {
            for (Map.Entry<String, Long> e : now.ofTopic(topic).entrySet()) {
                if (e.getValue() > then.getOrDefault(e.getKey(), 0L)) {
                    return;
                }
            }
        }
        throw new RetrainRefusal("nothing new since " + parent.getName() + ":" + parent.getVersion() + " was trained (labels and "
                + "label-prototypes are at its recorded offsets); confirm more films or pass --force-retrain");
    }

    static void enoughData(Snapshot s, int minImages) {
        if (s.films() < minImages) {
            throw new RetrainRefusal("too few confirmed films: " + s.films() + " usable (train " + s.split().train() + ", val "
                    + s.split().val() + ", test " + s.split().test() + "), --min-images is " + minImages
                    + (s.skipped().isEmpty() ? "" : "; left out: " + s.skipped()));
        }
        if (s.split().test() == 0 || s.split().val() == 0) {
            throw new RetrainRefusal("the patient split left " + (s.split().val() == 0 ? "val" : "test")
                    + " empty; more patients are needed, or other --val-fraction/--test fractions");
        }
    }

    /** Every seen class needs positives to learn from (train) and to select and calibrate on (val). */
    static void seenClassesCovered(Snapshot s) {
        List<String> problems = new ArrayList<>();
        for (String label : s.classes().seen()) {
            if (s.positives("train", label) == 0) {
                problems.add(label + " (train)");
            } else if (s.positives("val", label) == 0) {
                problems.add(label + " (val)");
            }
        }
        if (!problems.isEmpty()) {
            throw new RetrainRefusal("seen class without confirmed positives: " + String.join(", ", problems)
                    + "; confirm more films of it or retire its prototype");
        }
    }
}
