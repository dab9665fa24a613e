package org.triage.stream.topology;

import org.triage.events.LabelPrototype;

/** A prototype in force for a batch, with its projection through the batch's semantic model. */
public record ActivePrototype(LabelPrototype prototype, float[] projection) {
    public String labelId() {
        return prototype.getLabelId();
    }
}
