package org.triage.labels;

import java.util.Collection;
import java.util.Set;

/** Which of some SOP Instance UIDs are films the system has seen. */
public interface FilmLookup {
    /** The UIDs among {@code sops} that are not known films. */
    Set<String> unknown(Collection<String> sops);
}
