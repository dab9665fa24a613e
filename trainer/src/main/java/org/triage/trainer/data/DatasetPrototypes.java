package org.triage.trainer.data;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.triage.events.AlertPolicy;
import org.triage.events.LabelPrototype;
import org.triage.events.PrototypeKind;
import org.triage.events.Severity;
import org.triage.events.ThresholdMode;

/**
 * A dataset's class as a label prototype: its class vector and encoder, SEEN or UNSEEN as the
 * dataset says, version 1, alerting on the calibrated threshold (rare when unseen). Callers set
 * what differs (policy, severity, author, description) on the returned builder.
 */
public final class DatasetPrototypes {
    private DatasetPrototypes() {
    }

    public static LabelPrototype.Builder of(GzslDataset dataset, String label, Instant now) {
        return of(dataset, label, dataset.classVector(label), now);
    }

    /** With another vector in the dataset's encoder space (a prototype the dataset does not hold). */
    public static LabelPrototype.Builder of(GzslDataset dataset, String label, float[] classVector, Instant now) {
        List<Float> vector = new ArrayList<>(classVector.length);
        for (float f : classVector) {
            vector.add(f);
        }
        boolean unseen = dataset.unseenLabels().contains(label);
        return LabelPrototype.newBuilder()
                .setLabelId(label)
                .setDisplayName(label.replace('_', ' '))
                .setDescription(null)
                .setVector(vector)
                .setVectorEncoder(dataset.classVectorEncoder())
                .setDimension(vector.size())
                .setKind(unseen ? PrototypeKind.UNSEEN : PrototypeKind.SEEN)
                .setAlertPolicy(AlertPolicy.newBuilder().setMode(ThresholdMode.CALIBRATED).setRare(unseen).build())
                .setSeverity(Severity.MEDIUM)
                .setAuthor("dataset")
                .setVersion(1)
                .setCreatedAt(now)
                .setUpdatedAt(now);
    }
}
