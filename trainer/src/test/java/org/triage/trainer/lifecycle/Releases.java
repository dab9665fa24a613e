package org.triage.trainer.lifecycle;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.triage.events.ModelRelease;
import org.triage.events.ReleaseStatus;

/** Release records for tests: only what the lifecycle looks at. */
final class Releases {
    private Releases() {
    }

    static ModelRelease release(String version, ReleaseStatus status, long createdAt, double harmonic, double seen) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("harmonicMean", harmonic);
        metrics.put("seenMean", seen);
        metrics.put("unseenMean", seen * harmonic / (2 * seen - harmonic));
        return release(version, status, createdAt, metrics);
    }

    static ModelRelease release(String version, ReleaseStatus status, long createdAt, Map<String, Double> metrics) {
        return ModelRelease.newBuilder().setName("m").setVersion(version).setStatus(status).setArtifacts(List.of())
                .setInputSize(32).setInputChannels(3).setEmbeddingDim(8).setClassVectorDim(12).setDistance("euclidean")
                .setSeenLabels(List.of("a")).setMetrics(metrics).setCreatedAt(Instant.ofEpochMilli(createdAt)).build();
    }
}
