package org.triage.schemas.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.triage.events.ModelRelease;
import org.triage.events.ReleaseStatus;

class ReleaseHistoryTest {
    static ModelRelease release(String name, String version, ReleaseStatus status, long createdAt, Long changedAt) {
        return ModelRelease.newBuilder().setName(name).setVersion(version).setStatus(status).setArtifacts(List.of())
                .setInputSize(32).setInputChannels(3).setEmbeddingDim(8).setClassVectorDim(12).setDistance("euclidean")
                .setSeenLabels(List.of()).setCreatedAt(Instant.ofEpochMilli(createdAt))
                .setStatusChangedAt(changedAt == null ? null : Instant.ofEpochMilli(changedAt)).build();
    }

    @Test
    void thePromotedReleaseIsTheOneWhoseStatusChangedLast() {
        ReleaseHistory h = new ReleaseHistory();
        h.accept("m:v1", release("m", "v1", ReleaseStatus.PROMOTED, 1000, 5000L)); // rolled back to, late
        h.accept("m:v2", release("m", "v2", ReleaseStatus.PROMOTED, 2000, null));
        h.accept("m:v3", release("m", "v3", ReleaseStatus.CANDIDATE, 3000, null));
        assertEquals("v1", h.promoted("m").orElseThrow().getVersion());
        assertEquals(List.of("v1", "v3", "v2"), h.releases("m").stream().map(ModelRelease::getVersion).toList());
        assertTrue(h.promoted("other").isEmpty());
    }

    @Test
    void anOldNameKeyedRecordIsARelease_andTheLifecycleRecordOfTheSameVersionWins() {
        ReleaseHistory h = new ReleaseHistory();
        h.accept("m", release("m", "v1", ReleaseStatus.PROMOTED, 1000, null));
        assertEquals("v1", h.promoted("m").orElseThrow().getVersion(), "old-style record understood");
        assertEquals("v1", h.promoted(null).orElseThrow().getVersion());

        // The lifecycle retires v1 (same instant as its creation: the tie goes to the name:version key).
        h.accept("m:v1", release("m", "v1", ReleaseStatus.RETIRED, 1000, 1000L));
        assertTrue(h.promoted("m").isEmpty());
        assertEquals(1, h.releases("m").size(), "one release, not two");
    }

    @Test
    void aTombstoneForgetsItsKey() {
        ReleaseHistory h = new ReleaseHistory();
        h.accept("m:v1", release("m", "v1", ReleaseStatus.PROMOTED, 1000, null));
        h.accept("m:v1", null);
        h.accept(null, release("m", "v9", ReleaseStatus.PROMOTED, 9000, null));
        assertTrue(h.releases().isEmpty());
    }
}
