package org.triage.labels;

import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import org.triage.events.ConfirmedLabels;

/** Builds {@link ConfirmedLabels} the same way everywhere: trimmed, de-duplicated ids, who and when always set. */
public final class Confirmations {
    public static final String SOURCE_RADIOLOGIST = "radiologist";

    private Confirmations() {
    }

    public static ConfirmedLabels of(String sop, Collection<String> labels, Collection<String> absent, String by, Instant at, String source) {
        return ConfirmedLabels.newBuilder()
                .setSopInstanceUid(sop == null ? "" : sop.strip())
                .setLabels(clean(labels))
                .setAbsent(clean(absent))
                .setRadiologist(by == null ? "" : by.strip())
                .setConfirmedAt(at)
                .setSource(source == null || source.isBlank() ? SOURCE_RADIOLOGIST : source.strip())
                .build();
    }

    private static List<String> clean(Collection<String> ids) {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        if (ids != null) for (String s : ids) if (s != null && !s.isBlank()) out.add(s.strip());
        return new java.util.ArrayList<>(out);
    }
}
