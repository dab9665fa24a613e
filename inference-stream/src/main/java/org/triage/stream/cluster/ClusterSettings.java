package org.triage.stream.cluster;

import java.time.Duration;

/**
 * How films that no active label explains are grouped into candidate new diseases.
 *
 * @param topic        the one-partition topic NOVELTY films travel on to the clusterer ({@code <application.id>-novel-films}):
 *                     one partition so one task sees every novel film in one order, whichever instance runs it
 * @param radiusFactor a film joins a cluster when its distance to the centroid is at most this times the typical
 *                     nearest-prototype distance of its model (the novelty reference): relative, so it follows the model's scale;
 *                     an alerting cluster's radius then follows its own spread, within 1-2x this ({@link NoveltyClusterer})
 * @param minSize      members at which the cluster raises its NOVELTY_CLUSTER alert (updated as it grows)
 * @param window       a cluster with no new member for this long (film time) is closed and forgotten
 * @param memberCap    member SOP UIDs carried on the alert (the size counts all)
 * @param enabled      false: no film is clustered (no topic, no sub-topology)
 * @param basis        which films are clustered: NOVELTY films only (default), or those no active label explains
 * @param explainedMargin under {@link ClusterBasis#UNEXPLAINED}, a label explains the films within this times its
 *                     threshold in force ({@link Explanation})
 */
public record ClusterSettings(String topic, double radiusFactor, int minSize, Duration window, int memberCap, boolean enabled,
                              ClusterBasis basis, double explainedMargin) {
    /**
     * NOVELTY: on the demo's model UNEXPLAINED clustered known-class films (its labels miss 43% of the
     * films at their operating points) and not the held-out class (a known label claims most of its films);
     * see inference-stream/README.md, "Clusters of the unexplained".
     */
    public static final ClusterBasis DEFAULT_BASIS = ClusterBasis.NOVELTY;
    /** 1: a label explains exactly the films it fires on (its finding's aboveThreshold). */
    public static final double DEFAULT_EXPLAINED_MARGIN = 1.0;
    public static final double DEFAULT_RADIUS_FACTOR = 1.0;
    public static final int DEFAULT_MIN_SIZE = 5;
    public static final Duration DEFAULT_WINDOW = Duration.ofDays(7);
    public static final int DEFAULT_MEMBER_CAP = 200;

    public ClusterSettings {
        if (!(radiusFactor > 0) || !Double.isFinite(radiusFactor)) {
            throw new IllegalArgumentException("cluster radius factor must be a positive number, got " + radiusFactor);
        }
        if (minSize < 2) {
            throw new IllegalArgumentException("a cluster needs at least 2 members to mean anything, got min size " + minSize);
        }
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("cluster window must be positive, got " + window);
        }
        if (memberCap < 1) {
            throw new IllegalArgumentException("member cap must be at least 1, got " + memberCap);
        }
        if (enabled && (topic == null || topic.isBlank())) {
            throw new IllegalArgumentException("clustering needs a topic name");
        }
        if (basis == null) {
            throw new IllegalArgumentException("cluster basis must be given");
        }
        if (!(explainedMargin > 0) || !Double.isFinite(explainedMargin)) {
            throw new IllegalArgumentException("explained margin must be a positive number, got " + explainedMargin);
        }
    }

    /** With the default basis and margin. */
    public ClusterSettings(String topic, double radiusFactor, int minSize, Duration window, int memberCap, boolean enabled) {
        this(topic, radiusFactor, minSize, window, memberCap, enabled, DEFAULT_BASIS, DEFAULT_EXPLAINED_MARGIN);
    }

    public static String topicFor(String applicationId) {
        return applicationId + "-novel-films";
    }

    public static ClusterSettings defaults(String applicationId) {
        return new ClusterSettings(topicFor(applicationId), DEFAULT_RADIUS_FACTOR, DEFAULT_MIN_SIZE, DEFAULT_WINDOW, DEFAULT_MEMBER_CAP, true);
    }

    public static ClusterSettings disabled() {
        return new ClusterSettings(null, DEFAULT_RADIUS_FACTOR, DEFAULT_MIN_SIZE, DEFAULT_WINDOW, DEFAULT_MEMBER_CAP, false);
    }

    public ClusterSettings withRadiusFactor(double v) {
        return new ClusterSettings(topic, v, minSize, window, memberCap, enabled, basis, explainedMargin);
    }

    public ClusterSettings withMinSize(int v) {
        return new ClusterSettings(topic, radiusFactor, v, window, memberCap, enabled, basis, explainedMargin);
    }

    public ClusterSettings withWindow(Duration v) {
        return new ClusterSettings(topic, radiusFactor, minSize, v, memberCap, enabled, basis, explainedMargin);
    }

    public ClusterSettings withBasis(ClusterBasis b, double margin) {
        return new ClusterSettings(topic, radiusFactor, minSize, window, memberCap, enabled, b, margin);
    }
}
