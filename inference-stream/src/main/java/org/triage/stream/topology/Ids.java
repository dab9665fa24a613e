package org.triage.stream.topology;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.triage.events.AlertType;
import org.triage.events.ModelRef;

/**
 * Deterministic ids: a replay after a crash or a rebalance produces the same finding and alert
 * ids, so downstream consumers (keyed by id) never see a duplicate.
 */
public final class Ids {
    private Ids() {
    }

    public static String findingId(String sopInstanceUid, ModelRef model) {
        return hash("finding", sopInstanceUid, model.getName(), model.getVersion());
    }

    public static String alertId(AlertType type, String sopInstanceUid, String labelId, ModelRef model) {
        return hash("alert", type.name(), sopInstanceUid, labelId == null ? "" : labelId, model.getName(), model.getVersion());
    }

    /** A novelty cluster: named by the film that seeded it, per model version, so a replay (same films, same order) names it the same. */
    public static String clusterId(String modelName, String modelVersion, String seedSopInstanceUid) {
        return "c-" + hash("cluster", modelName, modelVersion, seedSopInstanceUid).substring(0, 12);
    }

    /** The NOVELTY_CLUSTER alert of a cluster: one id for the cluster's life, so each update replaces the last. */
    public static String clusterAlertId(String clusterId) {
        return hash("alert", "NOVELTY_CLUSTER", clusterId);
    }

    /** One version of a study's result: a replay emits the same id, a late film's new version a new one. */
    public static String studyResultId(String studyInstanceUid, ModelRef model, int version) {
        return hash("study", studyInstanceUid, model.getName(), model.getVersion(), Integer.toString(version));
    }

    private static String hash(String... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String p : parts) {
                byte[] b = p.getBytes(StandardCharsets.UTF_8);
                // Length-prefixed so ("ab","c") and ("a","bc") never collide.
                md.update((byte) (b.length >>> 24));
                md.update((byte) (b.length >>> 16));
                md.update((byte) (b.length >>> 8));
                md.update((byte) b.length);
                md.update(b);
            }
            byte[] d = md.digest();
            return HexFormat.of().formatHex(d, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
