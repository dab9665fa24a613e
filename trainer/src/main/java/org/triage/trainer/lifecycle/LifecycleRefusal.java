package org.triage.trainer.lifecycle;

/** A transition the lifecycle will not make; the message is one line that says what to fix. */
public final class LifecycleRefusal extends RuntimeException {
    public LifecycleRefusal(String message) {
        super(message, null, false, false);
    }
}
