package org.triage.trainer.phantom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PhantomCatalogTest {
    @Test
    void tenSeenFourUnseenAndZeroShotRulesHold() {
        assertEquals(10, PhantomCatalog.seenClasses().size());
        assertEquals(4, PhantomCatalog.unseenClasses().size());
        Set<String> seenCombos = new HashSet<>();
        PhantomCatalog.seenClasses().forEach(c -> seenCombos.add(c.attributes().toString()));
        for (PhantomClass u : PhantomCatalog.unseenClasses()) {
            assertFalse(seenCombos.contains(u.attributes().toString()), u.name() + " repeats a seen combination");
            for (int g = 0; g < PhantomCatalog.GROUPS.size(); g++) {
                int group = g;
                assertTrue(PhantomCatalog.seenClasses().stream().anyMatch(s -> s.attributes().get(group).equals(u.attributes().get(group))),
                        u.name() + ": " + u.attributes().get(g) + " never seen");
            }
        }
    }

    @Test
    void everyUnseenEncodingIsASeenClassPlusASeenContrast() {
        // U = A + (B - C): what a model that learned the attributes can exploit, and a memoriser cannot.
        for (PhantomClass u : PhantomCatalog.unseenClasses()) {
            float[] target = PhantomCatalog.encode(u);
            boolean found = false;
            for (PhantomClass a : PhantomCatalog.seenClasses()) {
                for (PhantomClass b : PhantomCatalog.seenClasses()) {
                    for (PhantomClass c : PhantomCatalog.seenClasses()) {
                        if (b == c) {
                            continue;
                        }
                        float[] ea = PhantomCatalog.encode(a);
                        float[] eb = PhantomCatalog.encode(b);
                        float[] ec = PhantomCatalog.encode(c);
                        boolean equal = true;
                        for (int i = 0; i < target.length && equal; i++) {
                            equal = ea[i] + eb[i] - ec[i] == target[i];
                        }
                        found |= equal;
                    }
                }
            }
            assertTrue(found, u.name() + " is not a seen class plus a seen attribute contrast");
        }
    }

    @Test
    void vectorsComeFromAttributes() {
        Map<String, float[]> v = SemanticVectors.build(7, 1024);
        assertEquals(14, v.size());
        double norm = 0;
        for (float x : v.get("Edema")) {
            norm += x * x;
        }
        assertEquals(18.5, Math.sqrt(norm), 3.0, "BioBERT-like magnitude");
        // Classes sharing more attributes are closer: Fibrosis shares 4 with Edema, 1 with Bulla.
        assertTrue(cos(v.get("Fibrosis"), v.get("Edema")) > cos(v.get("Fibrosis"), v.get("Bulla")) + 0.3);
        assertEquals(cos(v.get("Nodule"), v.get("Mass")), cos(SemanticVectors.build(7, 1024).get("Nodule"),
                SemanticVectors.build(7, 1024).get("Mass")), 0, "deterministic");
    }

    @Test
    void labelsAreNeverEmptyAndTrainNeverSeesUnseen() {
        LabelSampler sampler = new LabelSampler(0.2, 0.35);
        SplittableRandom rng = new SplittableRandom(1);
        int unseenPrimary = 0;
        for (int i = 0; i < 5000; i++) {
            LabelSampler.Draw train = sampler.draw(false, rng);
            assertFalse(train.labels().isEmpty());
            assertTrue(train.shown().stream().noneMatch(PhantomClass::unseen));
            assertTrue(train.labels().stream().noneMatch(l -> PhantomCatalog.byName(l).unseen()));
            LabelSampler.Draw test = sampler.draw(true, rng);
            assertFalse(test.labels().isEmpty());
            unseenPrimary += test.shown().get(0).unseen() ? 1 : 0;
        }
        assertEquals(0.35, unseenPrimary / 5000.0, 0.03);
    }

    private static double cos(float[] a, float[] b) {
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += a[i] * b[i];
            aa += a[i] * a[i];
            bb += b[i] * b[i];
        }
        return ab / Math.sqrt(aa * bb);
    }
}
