package org.triage.labels;

import java.util.Optional;
import org.triage.events.ConfirmedLabels;

/** The confirmation that currently counts for a film, if any. */
public interface LatestConfirmation {
    Optional<ConfirmedLabels> of(String sop);
}
