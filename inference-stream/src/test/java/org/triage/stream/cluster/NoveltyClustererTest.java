package org.triage.stream.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NoveltyClustererTest {
    private static final ClusterSettings SETTINGS = ClusterSettings.defaults("app");
    private static final NoveltyClusterer.Distance EUCLID = (a, b) -> {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return (float) Math.sqrt(s);
    };
    private static final long DAY = Duration.ofDays(1).toMillis();

    /** Runs films through the clusterer as the processor does, with a map for the store. */
    private static Map<String, NoveltyCluster> run(List<NoveltyClusterer.NovelFilm> films, ClusterSettings s) {
        NoveltyClusterer c = new NoveltyClusterer(s);
        Map<String, NoveltyCluster> store = new HashMap<>();
        for (NoveltyClusterer.NovelFilm f : films) {
            List<NoveltyCluster> open = new ArrayList<>();
            store.values().forEach(x -> open.add(NoveltyCluster.decode(x.encode())));
            NoveltyClusterer.Outcome out = c.assign(f, open, EUCLID);
            out.expired().forEach(x -> store.remove(x.id()));
            store.put(out.cluster().id(), out.cluster());
        }
        return store;
    }

    private static NoveltyClusterer.NovelFilm film(String sop, long t, float... v) {
        return new NoveltyClusterer.NovelFilm(sop, "p-" + sop, "m", "1", v, t, 1.0f);
    }

    /**
     * Novel films of one new class (a tight group in 8-d) among novel outliers of known classes
     * (scattered): the new class forms one cluster that alerts, mostly of its films; the outliers
     * form none that reaches the alerting size.
     */
    @Test
    void aNewClassFormsOnePureClusterAndScatteredOutliersFormNone() {
        Random rnd = new Random(7);
        float[] center = {3, 3, 0, 0, 0, 0, 0, 0};
        List<NoveltyClusterer.NovelFilm> films = new ArrayList<>();
        int newClass = 0;
        for (int i = 0; i < 400; i++) {
            boolean isNew = i % 4 == 0;
            float[] v = new float[8];
            for (int d = 0; d < 8; d++) {
                v[d] = isNew ? center[d] + (float) (0.08 * rnd.nextGaussian()) : (float) (2.5 * rnd.nextGaussian());
            }
            newClass += isNew ? 1 : 0;
            films.add(film((isNew ? "new-" : "known-") + i, 1000L * i, v));
        }
        Map<String, NoveltyCluster> clusters = run(films, SETTINGS);
        List<NoveltyCluster> alerting = clusters.values().stream().filter(c -> c.size() >= SETTINGS.minSize()).toList();
        assertEquals(1, alerting.size(), "one cluster reaches the alerting size: " + alerting.stream().map(NoveltyCluster::size).toList());
        NoveltyCluster c = alerting.get(0);
        long ofNew = c.members().stream().filter(m -> m.startsWith("new-")).count();
        double purity = (double) ofNew / c.members().size();
        double recall = (double) ofNew / newClass;
        System.out.printf("clusterer: %d novel films, new class %d; cluster size %d purity %.3f recall %.3f; other clusters max size %d%n",
                films.size(), newClass, c.size(), purity, recall,
                clusters.values().stream().filter(x -> x != c).mapToInt(NoveltyCluster::size).max().orElse(0));
        assertTrue(purity >= 0.95, "purity " + purity);
        assertTrue(recall >= 0.9, "recall " + recall);
        assertEquals(c.id(), alerting.get(0).id());
        assertTrue(c.radius() <= 2f, "radius within the join distance: " + c.radius());
        assertEquals(0, c.firstSeen());
    }

    @Test
    void aReplayOfTheSameFilmsRebuildsTheSameClustersWithTheSameIds() {
        Random rnd = new Random(3);
        List<NoveltyClusterer.NovelFilm> films = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            films.add(film("f" + i, i, (float) (i % 3) * 5 + (float) (0.1 * rnd.nextGaussian()), (float) (0.1 * rnd.nextGaussian())));
        }
        Map<String, NoveltyCluster> a = run(films, SETTINGS);
        Map<String, NoveltyCluster> b = run(films, SETTINGS);
        assertEquals(a.keySet(), b.keySet());
        assertEquals(3, a.size(), "three groups, three clusters");
        for (String id : a.keySet()) {
            assertArrayEquals(a.get(id).encode(), b.get(id).encode());
        }
    }

    @Test
    void filmsOfAnotherModelVersionNeverJoinAndQuietClustersClose() {
        NoveltyClusterer c = new NoveltyClusterer(SETTINGS.withWindow(Duration.ofDays(7)));
        NoveltyClusterer.Outcome first = c.assign(film("a", 0, 0, 0), List.of(), EUCLID);
        NoveltyClusterer.NovelFilm otherModel = new NoveltyClusterer.NovelFilm("b", "p", "m", "2", new float[] {0, 0}, 1, 1f);
        NoveltyClusterer.Outcome second = c.assign(otherModel, List.of(first.cluster()), EUCLID);
        assertNotEquals(first.cluster().id(), second.cluster().id(), "version 2 starts its own cluster");
        NoveltyClusterer.Outcome late = c.assign(film("c", 8 * DAY, 0, 0), List.of(first.cluster()), EUCLID);
        assertEquals(List.of(first.cluster()), late.expired(), "no member for more than the window: closed");
        assertNotEquals(first.cluster().id(), late.cluster().id());
    }

    @Test
    void theAlertIsRaisedFromTheMinimumSizeOnAndTheCentroidIsTheMean() {
        NoveltyClusterer c = new NoveltyClusterer(SETTINGS.withMinSize(3));
        List<NoveltyCluster> open = new ArrayList<>();
        List<Boolean> raised = new ArrayList<>();
        float[][] v = {{0, 0}, {0.2f, 0}, {0, 0.2f}, {0.2f, 0.2f}};
        for (int i = 0; i < v.length; i++) {
            NoveltyClusterer.Outcome o = c.assign(film("f" + i, i, v[i]), open, EUCLID);
            open.clear();
            open.add(o.cluster());
            raised.add(o.raise());
        }
        assertEquals(List.of(false, false, true, true), raised);
        NoveltyCluster only = open.get(0);
        assertEquals(4, only.size());
        assertArrayEquals(new float[] {0.1f, 0.1f}, only.centroid(), 1e-6f);
        assertTrue(only.alerted());
    }

    @Test
    void aCorruptStoreRecordIsRefusedNotTrustedToSizeAnAllocation() {
        byte[] good = NoveltyCluster.seed("c-1", "m", "1", "s", "p", new float[] {1, 2}, 5).encode();
        byte[] bad = good.clone();
        int dimAt = 1 + 2 + 3 + 2 + 1 + 2 + 1; // format, "c-1", "m", "1" (UTF length-prefixed)
        bad[dimAt] = 0x7f;
        assertThrows(IllegalArgumentException.class, () -> NoveltyCluster.decode(bad));
        assertFalse(NoveltyCluster.decode(good).alerted());
        assertThrows(IllegalArgumentException.class, () -> new ClusterSettings("t", 0.5, 1, Duration.ofDays(1), 10, true));
    }
}
