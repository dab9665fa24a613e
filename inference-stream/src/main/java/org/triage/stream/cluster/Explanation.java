package org.triage.stream.cluster;

import java.util.Map;

/**
 * Whether the active labels explain a point of the shared space: a film's embedding, or a
 * cluster's centre. What the clusterer groups are the films that no label explains.
 *
 * <p>A label with a threshold in force explains the points within {@code margin} x that
 * threshold: the threshold its own alerts and a finding's {@code aboveThreshold} use, calibrated
 * for that label (a seen label's release threshold, an unseen label's calibration). A label
 * without one (policy NEVER, a QUANTILE label still warming up) explains the points closer than
 * the NOVELTY rule's {@code noveltyThreshold} x the novelty reference, which is the stream's
 * NOVELTY test itself. A new class that lies between known ones (its films close to some
 * prototype, so not NOVELTY) is caught by the first clause: no label claims its films at the
 * label's own operating point. With no thresholds at all this is exactly the NOVELTY rule.
 *
 * <p>{@link ClusterBasis#NOVELTY} consults no threshold: only the NOVELTY rule.
 *
 * @param basis            which films count as unexplained
 * @param margin           a label explains points within margin x its threshold ({@link ClusterSettings#DEFAULT_EXPLAINED_MARGIN})
 * @param noveltyThreshold the NOVELTY rule's ratio (nearest distance / novelty reference), for labels without a threshold
 */
public record Explanation(ClusterBasis basis, double margin, double noveltyThreshold) {
    public Explanation {
        if (!(margin > 0) || !Double.isFinite(margin)) {
            throw new IllegalArgumentException("explained margin must be a positive number, got " + margin);
        }
        if (!(noveltyThreshold > 0)) {
            throw new IllegalArgumentException("novelty threshold must be > 0, got " + noveltyThreshold);
        }
    }

    /** The clusterer's settings with the stream's NOVELTY ratio. */
    public static Explanation of(ClusterSettings clusters, double noveltyThreshold) {
        return new Explanation(clusters.basis(), clusters.explainedMargin(), noveltyThreshold);
    }

    /** Whether a label at {@code distance} from the point, with {@code threshold} in force (null: none), explains it. */
    public boolean explains(float distance, Float threshold, float noveltyRef) {
        if (!Float.isFinite(distance)) {
            return false;
        }
        if (basis == ClusterBasis.UNEXPLAINED && threshold != null && Float.isFinite(threshold)) {
            return distance <= margin * threshold;
        }
        if (!Float.isFinite(noveltyRef) || noveltyRef <= 0) {
            return true; // no reference yet: typical, as the NOVELTY rule calls it during warm-up
        }
        // The ratio in float, as the batcher computes a film's novelty: under NOVELTY, clustered = NOVELTY alert, exactly.
        return distance / noveltyRef < noveltyThreshold;
    }

    /**
     * @param distances  label -> distance from the point to the label's prototype
     * @param thresholds label -> threshold in force (absent: the label has none)
     * @return true when some label is at a finite distance and none explains the point
     */
    public boolean unexplained(Map<String, Float> distances, Map<String, Float> thresholds, float noveltyRef) {
        boolean anyFinite = false;
        for (Map.Entry<String, Float> e : distances.entrySet()) {
            anyFinite |= Float.isFinite(e.getValue());
            if (explains(e.getValue(), thresholds.get(e.getKey()), noveltyRef)) {
                return false;
            }
        }
        return anyFinite; // no label at a finite distance: nothing to be unexplained against, as the NOVELTY rule says
    }
}
