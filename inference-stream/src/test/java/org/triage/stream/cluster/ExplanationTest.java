package org.triage.stream.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class ExplanationTest {
    private static final Explanation UNEXPLAINED = new Explanation(ClusterBasis.UNEXPLAINED, 1.0, 2.0);
    private static final Explanation NOVELTY = new Explanation(ClusterBasis.NOVELTY, 1.0, 2.0);

    @Test
    void aFilmNearAPrototypeButOutsideEveryThresholdIsUnexplained() {
        // Nearest prototype at 1.1 x the reference: not NOVELTY (2 x), but outside both labels' thresholds.
        Map<String, Float> d = Map.of("A", 1.1f, "B", 1.3f);
        Map<String, Float> t = Map.of("A", 1.0f, "B", 1.2f);
        assertTrue(UNEXPLAINED.unexplained(d, t, 1.0f));
        assertFalse(NOVELTY.unexplained(d, t, 1.0f), "the NOVELTY basis asks only whether it is far from every prototype");
    }

    @Test
    void oneLabelWithinItsThresholdExplainsTheFilm() {
        assertFalse(UNEXPLAINED.unexplained(Map.of("A", 0.9f, "B", 3f), Map.of("A", 1.0f, "B", 1.2f), 1.0f));
        // A margin widens what a label explains: 1.1 is within 1.2 x 1.0.
        Explanation wide = new Explanation(ClusterBasis.UNEXPLAINED, 1.2, 2.0);
        assertFalse(wide.unexplained(Map.of("A", 1.1f, "B", 3f), Map.of("A", 1.0f, "B", 1.2f), 1.0f));
        assertTrue(UNEXPLAINED.unexplained(Map.of("A", 1.1f, "B", 3f), Map.of("A", 1.0f, "B", 1.2f), 1.0f));
    }

    @Test
    void aLabelWithoutAThresholdExplainsByTheNoveltyRule() {
        // B has no threshold (policy NEVER): it explains what is nearer than 2 x the reference.
        assertFalse(UNEXPLAINED.unexplained(Map.of("A", 5f, "B", 1.9f), Map.of("A", 1.0f), 1.0f));
        assertTrue(UNEXPLAINED.unexplained(Map.of("A", 5f, "B", 2.0f), Map.of("A", 1.0f), 1.0f));
        // No thresholds at all: exactly the NOVELTY rule.
        for (float nearest : new float[] {0.5f, 1.99f, 2f, 4f}) {
            assertEquals(nearest >= 2f, UNEXPLAINED.unexplained(Map.of("A", nearest, "B", 9f), Map.of(), 1.0f), "nearest " + nearest);
        }
    }

    @Test
    void nothingIsUnexplainedWithoutLabelsOrBeforeTheReferenceIsKnown() {
        assertFalse(UNEXPLAINED.unexplained(Map.of(), Map.of(), 1.0f), "no label: nothing to be unexplained against");
        assertFalse(UNEXPLAINED.unexplained(Map.of("A", 9f), Map.of(), Float.NaN), "warm-up: typical, as the NOVELTY rule says");
    }

    @Test
    void underTheNoveltyBasisTheClusteredFilmsAreExactlyTheNoveltyFilms() {
        java.util.Random rnd = new java.util.Random(5);
        for (int i = 0; i < 10_000; i++) {
            float ref = 0.1f + rnd.nextFloat();
            float nearest = (float) (ref * 4 * rnd.nextDouble());
            boolean novel = nearest / ref >= 2.0; // BatchingProcessor.novelty then NoveltyRule
            assertEquals(novel, NOVELTY.unexplained(Map.of("A", nearest, "B", nearest * 1.5f), Map.of("A", 0.01f), ref),
                    "nearest " + nearest + " ref " + ref);
        }
        assertFalse(NOVELTY.unexplained(Map.of("A", Float.POSITIVE_INFINITY), Map.of(), 1f), "no finite distance: not novel either");
    }

    @Test
    void invalidSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Explanation(ClusterBasis.UNEXPLAINED, 0, 2.0));
        assertThrows(IllegalArgumentException.class, () -> ClusterSettings.defaults("app").withBasis(ClusterBasis.UNEXPLAINED, -1));
        assertThrows(IllegalArgumentException.class, () -> ClusterSettings.defaults("app").withBasis(null, 1));
    }

    @Test
    void thresholdsTravelInAHeaderAndAMissingHeaderMeansNone() {
        RecordHeaders h = new RecordHeaders();
        h.add(ThresholdsHeader.HEADER, ThresholdsHeader.encode(Map.of("Effusion", 0.75f, "Mass", 1.25f)));
        assertEquals(Map.of("Effusion", 0.75f, "Mass", 1.25f), ThresholdsHeader.decode(h));
        assertEquals(Map.of(), ThresholdsHeader.decode(new RecordHeaders()));
        RecordHeaders garbage = new RecordHeaders();
        garbage.add(ThresholdsHeader.HEADER, new byte[] {1, 0, 0});
        assertEquals(Map.of(), ThresholdsHeader.decode(garbage));
    }
}
