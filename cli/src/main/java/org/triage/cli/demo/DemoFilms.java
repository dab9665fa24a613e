package org.triage.cli.demo;

import java.util.ArrayList;
import java.util.List;
import org.triage.trainer.data.GzslDataset;
import org.triage.trainer.data.Sample;

/**
 * The films the demo sends, all from the test split (one population, so a rescan's precision is
 * not helped by a difference between splits): reference films first (the site's routine history,
 * the emerging class at its natural share, what unseen labels are calibrated on), then films with
 * the emerging class at a chosen share, spread evenly, in two waves (before and after the class is
 * added as a disease).
 */
record DemoFilms(List<Sample> reference, List<Sample> before, List<Sample> after) {
    static DemoFilms choose(GzslDataset dataset, String emerging, int referenceFilms, int images, double share, double beforeFraction) {
        DemoFilms story = story(dataset, emerging, images, share, beforeFraction);
        java.util.Set<String> used = new java.util.HashSet<>();
        story.before().forEach(s -> used.add(s.imageId()));
        story.after().forEach(s -> used.add(s.imageId()));
        List<Sample> rest = dataset.split("test").stream().filter(s -> !used.contains(s.imageId())).toList();
        return new DemoFilms(spread(rest, Math.min(referenceFilms, rest.size())), story.before(), story.after());
    }

    private static DemoFilms story(GzslDataset dataset, String emerging, int images, double share, double beforeFraction) {
        List<Sample> positives = new ArrayList<>();
        List<Sample> negatives = new ArrayList<>();
        for (Sample s : dataset.split("test")) {
            (s.labels().contains(emerging) ? positives : negatives).add(s);
        }
        int nPos = Math.min(positives.size(), (int) Math.round(images * share));
        int nNeg = Math.min(negatives.size(), images - nPos);
        List<Sample> pos = spread(positives, nPos);
        List<Sample> neg = spread(negatives, nNeg);
        int total = nPos + nNeg;
        List<Sample> all = new ArrayList<>(total);
        int p = 0;
        int n = 0;
        for (int i = 0; i < total; i++) {
            // Bresenham: position i takes a positive whenever the running share would fall behind.
            boolean positive = (long) (i + 1) * nPos / total > (long) i * nPos / total;
            all.add(positive ? pos.get(p++) : neg.get(n++));
        }
        int cut = (int) Math.round(total * beforeFraction);
        return new DemoFilms(List.of(), List.copyOf(all.subList(0, cut)), List.copyOf(all.subList(cut, total)));
    }

    /** {@code k} samples evenly spread over {@code from}, in order. */
    private static List<Sample> spread(List<Sample> from, int k) {
        List<Sample> out = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            out.add(from.get((int) ((long) i * from.size() / k)));
        }
        return out;
    }
}
