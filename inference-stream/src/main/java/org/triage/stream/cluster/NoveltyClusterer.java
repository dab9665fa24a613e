package org.triage.stream.cluster;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.triage.stream.topology.Ids;

/**
 * Online leader clustering of unexplained films ({@link Explanation}), per model version: a film joins the nearest open
 * cluster of its model whose centroid lies within the cluster's join radius, else it seeds a new
 * one. The join radius starts at {@code R = radiusFactor x noveltyRef} (the model's typical
 * film-to-prototype distance, so it follows the model's scale) and, once a cluster has the
 * alerting size, follows its own spread: 3 x the members' RMS distance, kept within [R, 2R]. A
 * fixed radius splits a real group of films (its tail seeds clusters of its own); an unbounded one
 * would let a loose cluster swallow everything. Clusters whose newest member is older than the window (film time) close. Pure: the
 * caller supplies the open clusters and stores what comes back, so the rule is tested without
 * Kafka and a replay (same films, same order) rebuilds the same clusters with the same ids.
 */
public final class NoveltyClusterer {
    /** Distance in the model's shared space (the model's own metric, so the radius is in its units). */
    @FunctionalInterface
    public interface Distance {
        float between(float[] a, float[] b);
    }

    /** A novel film as the clusterer sees it. */
    public record NovelFilm(String sopInstanceUid, String patientPseudonym, String modelName, String modelVersion, float[] vector,
                            long filmTime, float noveltyRef) {
    }

    /**
     * @param cluster  the cluster the film is now in (new or grown)
     * @param expired  clusters of any model that closed, or were absorbed into {@code cluster} (delete them)
     * @param raise    the cluster just reached, or had already reached and grew past, the alerting size: (re-)send its alert
     */
    public record Outcome(NoveltyCluster cluster, List<NoveltyCluster> expired, boolean raise) {
    }

    /** Distance from a point of the shared space to the nearest active prototype (infinite when there is none). */
    @FunctionalInterface
    public interface NearestPrototype {
        float distance(float[] point);
    }

    private final ClusterSettings settings;
    private final double noveltyThreshold;

    /**
     * @param noveltyThreshold the stream's NOVELTY rule (nearest distance / reference): a cluster whose centre is
     *                         itself closer than that to a known label is that label's tail, not a new disease
     */
    public NoveltyClusterer(ClusterSettings settings, double noveltyThreshold) {
        this.settings = settings;
        this.noveltyThreshold = noveltyThreshold;
    }

    /** For tests with no prototypes to compare against. */
    public NoveltyClusterer(ClusterSettings settings) {
        this(settings, 0);
    }

    public Outcome assign(NovelFilm film, Collection<NoveltyCluster> open, Distance distance) {
        return assign(film, open, distance, (NearestPrototype) point -> Float.POSITIVE_INFINITY);
    }

    /** A cluster whose centre is nearer than the NOVELTY ratio to some prototype does not alert. */
    public Outcome assign(NovelFilm film, Collection<NoveltyCluster> open, Distance distance, NearestPrototype nearestPrototype) {
        return assign(film, open, distance, (CentreTest) centre -> nearestPrototype.distance(centre) >= noveltyThreshold * film.noveltyRef());
    }

    /** Whether a cluster's centre is itself unexplained by the labels in force ({@link Explanation}). */
    @FunctionalInterface
    public interface CentreTest {
        boolean unexplained(float[] centre);
    }

    public Outcome assign(NovelFilm film, Collection<NoveltyCluster> open, Distance distance, CentreTest centreUnexplained) {
        List<NoveltyCluster> expired = new ArrayList<>();
        long cutoff = film.filmTime() - settings.window().toMillis();
        float radius = (float) (settings.radiusFactor() * film.noveltyRef());
        NoveltyCluster nearest = null;
        float nearestDistance = Float.POSITIVE_INFINITY;
        for (NoveltyCluster c : open) {
            if (c.lastSeen() < cutoff) {
                expired.add(c);
                continue;
            }
            if (!c.modelName().equals(film.modelName()) || !c.modelVersion().equals(film.modelVersion())
                    || c.centroidView().length != film.vector().length) {
                continue;
            }
            float d = distance.between(film.vector(), c.centroidView());
            float joinRadius = joinRadius(c, radius);
            // Ties go to the older cluster (smaller id is not meaningful): first seen, then id, so the order of `open` does not matter.
            if (d <= joinRadius && (d < nearestDistance || (d == nearestDistance && older(c, nearest)))) {
                nearest = c;
                nearestDistance = d;
            }
        }
        NoveltyCluster into;
        if (nearest == null) {
            String id = Ids.clusterId(film.modelName(), film.modelVersion(), film.sopInstanceUid());
            into = NoveltyCluster.seed(id, film.modelName(), film.modelVersion(), film.sopInstanceUid(), film.patientPseudonym(),
                    film.vector(), film.filmTime());
        } else {
            into = nearest;
            into.add(film.sopInstanceUid(), film.vector(), film.filmTime(), nearestDistance, settings.memberCap());
        }
        if (nearest == null) {
            open = new ArrayList<>(open);
            open.add(into);
        }
        // Groups seeded apart (the first films of a new class can fall on opposite sides) meet as they
        // grow: the older one absorbs the younger as soon as their centroids are within either's radius.
        for (int guard = 0; guard < open.size(); guard++) {
            NoveltyCluster absorbed = null;
            float between = Float.POSITIVE_INFINITY;
            for (NoveltyCluster c : open) {
                if (c == into || expired.contains(c) || !c.modelName().equals(into.modelName())
                        || !c.modelVersion().equals(into.modelVersion()) || c.centroidView().length != into.centroidView().length) {
                    continue;
                }
                float d = distance.between(into.centroidView(), c.centroidView());
                if (d <= Math.max(joinRadius(into, radius), joinRadius(c, radius)) && d < between) {
                    absorbed = c;
                    between = d;
                }
            }
            if (absorbed == null) {
                break;
            }
            NoveltyCluster survivor = older(absorbed, into) ? absorbed : into;
            NoveltyCluster gone = survivor == into ? absorbed : into;
            survivor.absorb(gone, between, settings.memberCap());
            expired.add(gone);
            into = survivor;
        }
        // Films at the edge of a known class are unexplained one by one and can lie close together; their
        // centre, though, is explained by that label. Only a centre that is itself unexplained is a candidate disease.
        boolean unexplained = centreUnexplained.unexplained(into.centroidView());
        boolean raise = into.size() >= settings.minSize() && unexplained;
        if (raise) {
            into.markAlerted();
        }
        return new Outcome(into, expired, raise);
    }

    private float joinRadius(NoveltyCluster c, float base) {
        if (c.size() < settings.minSize()) {
            return base;
        }
        double adaptive = 3 * c.spread();
        return (float) Math.max(base, Math.min(2.0 * base, adaptive));
    }

    private static boolean older(NoveltyCluster a, NoveltyCluster b) {
        if (b == null) {
            return true;
        }
        return a.firstSeen() != b.firstSeen() ? a.firstSeen() < b.firstSeen() : a.id().compareTo(b.id()) < 0;
    }
}
