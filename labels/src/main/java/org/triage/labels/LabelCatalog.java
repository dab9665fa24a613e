package org.triage.labels;

import java.util.Collection;
import java.util.Set;

/** The label ids a confirmation may name: those with a live (not retired) prototype. */
public interface LabelCatalog {
    Set<String> activeLabels();

    /** The catalog for a question about {@code wanted}; a cache may re-read when it lacks one of them. */
    default Set<String> activeLabelsIncluding(Collection<String> wanted) {
        return activeLabels();
    }
}
