package org.triage.trainer.retrain;

/** A retraining that stops before publishing anything, with the one-line reason and what to do about it. */
public final class RetrainRefusal extends RuntimeException {
    public RetrainRefusal(String message) {
        super(message);
    }
}
