package org.triage.labels;

import java.util.Set;

/** The label ids a confirmation may name: those with a live (not retired) prototype. */
public interface LabelCatalog {
    Set<String> activeLabels();
}
