package org.triage.trainer.phantom;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Draws which findings a film shows and which labels it carries. One to three findings (never
 * none, as in the paper's data), secondary findings favouring clinically co-occurring pairs, and
 * a small rate of label noise: a shown finding left unlabelled or a label swapped for another
 * class, as in report-mined labels. Train and val draw seen classes only (the paper drops every
 * image with an unseen label from them); test draws all classes, with a share of films whose
 * primary finding is unseen.
 */
final class LabelSampler {
    /** The findings painted on the film and the labels written for it (they differ under label noise). */
    record Draw(List<PhantomClass> shown, Set<String> labels, boolean noisy) {}

    private final double labelNoise;
    private final double unseenShareInTest;

    LabelSampler(double labelNoise, double unseenShareInTest) {
        this.labelNoise = labelNoise;
        this.unseenShareInTest = unseenShareInTest;
    }

    Draw draw(boolean test, RandomGenerator rng) {
        List<PhantomClass> pool = test ? PhantomCatalog.CLASSES : PhantomCatalog.seenClasses();
        List<PhantomClass> primaryPool = pool;
        if (test) {
            primaryPool = rng.nextDouble() < unseenShareInTest ? PhantomCatalog.unseenClasses() : PhantomCatalog.seenClasses();
        }
        List<PhantomClass> shown = new ArrayList<>();
        shown.add(weighted(primaryPool, null, shown, rng));
        double r = rng.nextDouble();
        int count = r < 0.62 ? 1 : (r < 0.92 ? 2 : 3);
        while (shown.size() < count) {
            shown.add(weighted(pool, shown.get(0), shown, rng));
        }
        Set<String> labels = new LinkedHashSet<>();
        shown.forEach(c -> labels.add(c.name()));
        boolean noisy = false;
        if (rng.nextDouble() < labelNoise) {
            noisy = true;
            List<String> current = new ArrayList<>(labels);
            if (current.size() > 1 && rng.nextBoolean()) {
                labels.remove(current.get(rng.nextInt(current.size())));
            } else {
                String out = current.get(rng.nextInt(current.size()));
                List<PhantomClass> candidates = pool.stream().filter(c -> !labels.contains(c.name())).toList();
                labels.remove(out);
                labels.add(candidates.get(rng.nextInt(candidates.size())).name());
            }
        }
        return new Draw(List.copyOf(shown), labels, noisy);
    }

    private static PhantomClass weighted(List<PhantomClass> pool, PhantomClass partner, List<PhantomClass> exclude, RandomGenerator rng) {
        double[] w = new double[pool.size()];
        double total = 0;
        for (int i = 0; i < pool.size(); i++) {
            PhantomClass c = pool.get(i);
            if (exclude.contains(c)) {
                continue;
            }
            w[i] = c.prevalence() * (partner != null && cooccur(partner, c) ? PhantomCatalog.COOCCURRENCE_BOOST : 1);
            total += w[i];
        }
        double x = rng.nextDouble() * total;
        for (int i = 0; i < pool.size(); i++) {
            x -= w[i];
            if (w[i] > 0 && x < 0) {
                return pool.get(i);
            }
        }
        for (int i = pool.size() - 1; i >= 0; i--) {
            if (w[i] > 0) {
                return pool.get(i);
            }
        }
        throw new IllegalStateException("no class left to draw");
    }

    static boolean cooccur(PhantomClass a, PhantomClass b) {
        for (String[] pair : PhantomCatalog.COOCCURRING) {
            if ((pair[0].equals(a.name()) && pair[1].equals(b.name())) || (pair[1].equals(a.name()) && pair[0].equals(b.name()))) {
                return true;
            }
        }
        return false;
    }
}
