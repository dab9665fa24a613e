package org.triage.labels.csv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.triage.events.ConfirmedLabels;
import org.triage.labels.LabelValidator;

/** File syntax and the checks against labels and films, without a broker. */
class LabelsCsvTest {
    static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

    static LabelsCsv.Parsed parse(String... lines) throws MalformedFileException {
        return LabelsCsv.parse("f.csv", List.of(lines), "dflt", NOW, "radiologist");
    }

    @Test
    void separatorsQuotesBomAndDefaults() throws Exception {
        LabelsCsv.Parsed p = parse("\uFEFFSOP,Labels,Absent,By", "1.2,\"A|B\",C;D,", "", "1.3,A ; A,,x");
        assertTrue(p.problems().isEmpty(), p.problems().toString());
        ConfirmedLabels a = p.rows().get(0).confirmation();
        assertEquals(2, p.rows().get(0).line());
        assertEquals(List.of("A", "B"), a.getLabels());
        assertEquals(List.of("C", "D"), a.getAbsent());
        assertEquals("dflt", a.getRadiologist());
        assertEquals(NOW, a.getConfirmedAt());
        assertEquals(4, p.rows().get(1).line(), "blank lines still count");
        assertEquals(List.of("A"), p.rows().get(1).confirmation().getLabels(), "duplicates collapse");
    }

    @Test
    void badRowsAreReportedByLine() throws Exception {
        LabelsCsv.Parsed p = parse("sop,labels,absent,by,confirmedAt", "1.2,A,,x,yesterday", ",A,,x,", "1.4,A,,x", "1.5,\"A,,x,");
        assertEquals(List.of(2, 3, 4, 5), p.problems().stream().map(RowProblem::line).toList());
        assertTrue(p.problems().get(0).message().contains("ISO-8601"));
        assertTrue(p.problems().get(1).message().contains("sop field is empty"));
        assertTrue(p.problems().get(2).message().contains("expected 5 fields"));
        assertTrue(p.problems().get(3).message().contains("not closed"));
    }

    @Test
    void wholeFileProblems() {
        assertThrows(MalformedFileException.class, () -> parse("", " "));
        assertThrows(MalformedFileException.class, () -> parse("sop,labels,absent"));
        assertThrows(MalformedFileException.class, () -> parse("sop,labels,absent,by"));
    }

    @Test
    void importCollectsEveryProblemPerLine() throws Exception {
        LabelsCsv.Parsed p = parse("sop,labels,absent,by", "1.2,A,,x", "1.3,Z,A,x", "9.9,A,A,", "1.4,A,B,x");
        LabelsImport.Plan plan = LabelsImport.check(p, new LabelValidator(Set.of("A", "B")), sops -> sops.contains("9.9") ? Set.of("9.9") : Set.of());
        assertEquals(List.of(2, 5), plan.accepted().stream().map(CsvRow::line).toList());
        assertEquals(List.of(3, 4), plan.problems().stream().map(RowProblem::line).toList());
        assertTrue(plan.problems().get(0).message().contains("unknown or retired label Z"));
        String four = plan.problems().get(1).message();
        assertTrue(four.startsWith("unknown SOP") && four.contains("both present and absent"), four);
    }
}
