package org.triage.labels.csv;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.triage.labels.FilmLookup;
import org.triage.labels.LabelValidator;

/**
 * Checks parsed rows against what exists (labels on {@code label-prototypes}, films on
 * {@code findings}) and decides what may be published: every problem is collected with its line
 * so one run tells the user everything to fix.
 */
public final class LabelsImport {
    /** What to publish (file order) and every problem found, by line. */
    public record Plan(List<CsvRow> accepted, List<RowProblem> problems) {
    }

    private LabelsImport() {
    }

    public static Plan check(LabelsCsv.Parsed parsed, LabelValidator validator, FilmLookup films) {
        List<RowProblem> problems = new ArrayList<>(parsed.problems());
        Map<Integer, List<String>> byLine = new HashMap<>();
        for (CsvRow r : parsed.rows()) {
            List<String> p = validator.problems(r.confirmation());
            if (!p.isEmpty()) byLine.put(r.line(), new ArrayList<>(p));
        }
        Set<String> unknownFilms = films.unknown(parsed.rows().stream().map(r -> r.confirmation().getSopInstanceUid()).toList());
        for (CsvRow r : parsed.rows()) {
            if (unknownFilms.contains(r.confirmation().getSopInstanceUid())) {
                byLine.computeIfAbsent(r.line(), k -> new ArrayList<>()).add(0, "unknown SOP Instance UID (no finding for it on "
                        + org.triage.schemas.Topics.FINDINGS + "; check the UID)");
            }
        }
        List<CsvRow> accepted = new ArrayList<>();
        for (CsvRow r : parsed.rows()) {
            List<String> p = byLine.get(r.line());
            if (p == null) accepted.add(r);
            else problems.add(new RowProblem(r.line(), String.join("; ", p)));
        }
        problems.sort(null);
        return new Plan(accepted, problems);
    }
}
