package org.triage.trainer.retrain;

import org.triage.events.PrototypeKind;

/** A label of label-prototypes as the snapshot needs it: its class vector and whether the model in service saw it. */
public record Prototype(String labelId, PrototypeKind kind, float[] vector, String encoder) {
}
