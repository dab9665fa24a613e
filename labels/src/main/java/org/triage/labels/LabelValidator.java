package org.triage.labels;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.triage.events.ConfirmedLabels;

/**
 * What makes a confirmation acceptable on {@code labels}, as a list of problems each saying what
 * to fix (empty = valid). Film existence is checked separately ({@link FilmLookup}) because one
 * topic read answers a whole batch.
 */
public final class LabelValidator {
    private final Set<String> activeLabels;

    public LabelValidator(Set<String> activeLabels) {
        this.activeLabels = activeLabels;
    }

    public List<String> problems(ConfirmedLabels c) {
        List<String> out = new ArrayList<>();
        if (c.getSopInstanceUid() == null || c.getSopInstanceUid().isBlank()) out.add("the SOP Instance UID is empty");
        if (c.getRadiologist() == null || c.getRadiologist().isBlank()) out.add("who confirmed is empty (give --by or a 'by' value)");
        Set<String> unknown = new TreeSet<>();
        for (String l : c.getLabels()) if (!activeLabels.contains(l)) unknown.add(l);
        for (String l : c.getAbsent()) if (!activeLabels.contains(l)) unknown.add(l);
        if (!unknown.isEmpty()) {
            out.add("unknown or retired label" + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown)
                    + " (see triage prototypes list" + hint() + ")");
        }
        Set<String> present = new HashSet<>();
        for (String l : c.getLabels()) present.add(l);
        Set<String> both = new TreeSet<>();
        for (String l : c.getAbsent()) if (present.contains(l)) both.add(l);
        if (!both.isEmpty()) out.add("label" + (both.size() > 1 ? "s " : " ") + String.join(", ", both) + " cannot be both present and absent");
        return out;
    }

    private String hint() {
        if (activeLabels.isEmpty()) return "; no labels are defined yet";
        List<String> some = activeLabels.stream().sorted().limit(8).toList();
        return "; known: " + String.join(", ", some) + (activeLabels.size() > some.size() ? ", ..." : "");
    }
}
