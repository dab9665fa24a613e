package org.triage.results.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class LabelCodesTest {
    @Test
    void knownFindingsGetSnomedWhateverTheSpelling() {
        assertEquals("60046008", LabelCodes.of("Effusion").snomedCode());
        assertEquals("60046008", LabelCodes.of("effusion").snomedCode());
        assertEquals("effusion", LabelCodes.of("effusion").localCode(), "the local code is the label id as given");
    }

    @Test
    void ambiguousAndNewLabelsStayLocal() {
        assertNull(LabelCodes.of("Pleural_Thickening").snomedCode());
        assertEquals("Pleural Thickening", LabelCodes.of("Pleural_Thickening").display());
        assertNull(LabelCodes.of("Covid_Pattern").snomedCode());
    }
}
