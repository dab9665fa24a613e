package org.triage.trainer.lifecycle;

import java.util.List;
import java.util.Optional;
import org.triage.events.ModelRelease;

/**
 * What a lifecycle step writes to model-releases, in order, and whether it did what was asked.
 * A challenger the rule rejects still yields a record (its decision, so {@code models show}
 * explains it) together with the refusal.
 *
 * @param writes  records to send, in this order
 * @param summary one line for the person who asked
 * @param refusal why the promotion was not made, when it was not
 */
public record Transition(List<ModelRelease> writes, String summary, Optional<String> refusal) {
    public Transition {
        writes = List.copyOf(writes);
    }

    static Transition done(String summary, ModelRelease... writes) {
        return new Transition(List.of(writes), summary, Optional.empty());
    }

    static Transition refused(String refusal, ModelRelease... writes) {
        return new Transition(List.of(writes), refusal, Optional.of(refusal));
    }
}
