package org.triage.trainer.cli.models;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.triage.events.Artifact;
import org.triage.events.DataSplit;
import org.triage.events.ModelRelease;
import org.triage.events.ReleaseDecision;
import org.triage.schemas.release.ReleaseHistory;

/** Releases as text for people: the table of {@code models list} and the page of {@code models show}. */
final class ReleaseText {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
    private static final String ROW = "%-1s %-20s %-24s %-9s %8s %8s %8s %-24s %s%n";

    private ReleaseText() {
    }

    /** One row per release; '*' marks the one the stream follows. */
    static String table(List<ModelRelease> releases, ReleaseHistory history) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, ROW, "", "NAME", "VERSION", "STATUS", "HARMONIC", "SEEN", "UNSEEN",
                "PARENT", "CREATED"));
        for (ModelRelease r : releases) {
            Optional<ModelRelease> inService = history.promoted(r.getName());
            boolean serving = inService.isPresent() && inService.get().getVersion().equals(r.getVersion());
            sb.append(String.format(Locale.ROOT, ROW, serving ? "*" : "", r.getName(), r.getVersion(), r.getStatus(),
                    metric(r, "harmonicMean"), metric(r, "seenMean"), metric(r, "unseenMean"),
                    r.getParentVersion() == null ? "-" : r.getParentVersion(), time(r.getCreatedAt())));
        }
        return sb.toString();
    }

    static String page(ModelRelease r, boolean serving) {
        StringBuilder sb = new StringBuilder();
        line(sb, "release", ReleaseHistory.key(r) + (serving ? "  (in service)" : ""));
        line(sb, "status", r.getStatus() + (r.getStatusChangedAt() == null ? "" : " since " + time(r.getStatusChangedAt()))
                + (r.getStatusChangedBy() == null ? "" : " by " + r.getStatusChangedBy()));
        if (r.getStatusNote() != null) {
            line(sb, "note", r.getStatusNote());
        }
        line(sb, "created", time(r.getCreatedAt()));
        line(sb, "parent", r.getParentVersion() == null ? "-" : r.getParentVersion());
        line(sb, "metrics", numbers(r.getMetrics()));
        line(sb, "model", String.format(Locale.ROOT, "input %dx%d x%d, embedding %d, class vectors %d, distance %s", r.getInputSize(),
                r.getInputSize(), r.getInputChannels(), r.getEmbeddingDim(), r.getClassVectorDim(), r.getDistance()));
        line(sb, "seen labels", String.join(", ", r.getSeenLabels()));
        line(sb, "thresholds", r.getThresholds().isEmpty() ? "none" : r.getThresholds().size() + " labels");
        line(sb, "data snapshot", r.getDataSnapshot() == null ? "-" : r.getDataSnapshot());
        line(sb, "data offsets", r.getDataOffsets().isEmpty() ? "-" : r.getDataOffsets().toString());
        DataSplit s = r.getSplit();
        line(sb, "split", s == null ? "-" : String.format(Locale.ROOT, "%s seed %d: train %d, val %d, test %d (hash %s)", s.getMethod(),
                s.getSeed(), s.getTrain(), s.getVal(), s.getTest(), s.getHash()));
        ReleaseDecision d = r.getDecision();
        if (d == null) {
            line(sb, "decision", "-");
        } else {
            line(sb, "decision", d.getOutcome() + " by " + d.getRule() + ", " + time(d.getDecidedAt()) + " by " + d.getDecidedBy()
                    + (d.getChampionVersion() == null ? " (no champion)" : " against " + d.getChampionVersion()));
            for (String reason : d.getReasons()) {
                line(sb, "", "- " + reason);
            }
            line(sb, "  champion", numbers(d.getChampionMetrics()));
            line(sb, "  challenger", numbers(d.getChallengerMetrics()));
        }
        for (Artifact a : r.getArtifacts()) {
            line(sb, "artifact", a.getName() + "  " + a.getUri() + "  sha256=" + a.getSha256() + "  " + a.getSizeBytes() + " bytes");
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, String label, String value) {
        sb.append(String.format(Locale.ROOT, "%-14s %s%n", label, value));
    }

    private static String metric(ModelRelease r, String key) {
        Double v = r.getMetrics().get(key);
        return v == null ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }

    private static String numbers(Map<String, Double> m) {
        if (m.isEmpty()) {
            return "-";
        }
        StringBuilder sb = new StringBuilder();
        m.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(k).append(' ').append(String.format(Locale.ROOT, "%.4f", v)));
        return sb.toString();
    }

    private static String time(Instant t) {
        return t == null ? "-" : TIME.format(t);
    }
}
