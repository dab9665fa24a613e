package org.triage.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.triage.events.AlertType;
import org.triage.events.ModelRef;
import org.triage.stream.model.ModelHolder;
import org.triage.stream.testing.FakeEmbedder;
import org.triage.stream.topology.DistanceSketch;
import org.triage.stream.topology.Ids;
import org.triage.stream.topology.PendingRecord;

class UnitsTest {
    @Test
    void sketchKeepsTheMostRecentValuesAndSurvivesEncoding() {
        DistanceSketch s = new DistanceSketch(16);
        for (int i = 1; i <= 20; i++) {
            s.add(i);
        }
        assertEquals(16, s.size());
        assertEquals(5f, s.quantile(0.0), "1..4 were evicted");
        assertEquals(20f, s.quantile(1.0));
        assertEquals(8f, s.quantile(0.25)); // nearest rank: ceil(0.25*16)=4th of 5..20
        DistanceSketch back = DistanceSketch.decode(s.encode(), 16);
        assertEquals(s.quantile(0.25), back.quantile(0.25));
        back.add(100);
        assertEquals(6f, back.quantile(0.0), "order restored: 5 is the oldest");
        DistanceSketch smaller = DistanceSketch.decode(s.encode(), 4);
        assertEquals(17f, smaller.quantile(0.0), "resized keeping the newest");
        assertEquals(0, DistanceSketch.decode(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 16).size(), "corrupt = fresh");
        s.add(Float.NaN);
        assertEquals(20f, s.quantile(1.0), "NaN ignored");
    }

    @Test
    void pendingRecordRoundTripsAndRejectsCorruptLengths() {
        PendingRecord r = new PendingRecord("key", 1, 2, "radiographs", 3, 4, new byte[] {9, 8, 7});
        PendingRecord back = PendingRecord.decode(r.encode());
        assertEquals("key", back.originalKey());
        assertEquals(3, back.partition());
        assertEquals(4, back.offset());
        assertArrayEquals(new byte[] {9, 8, 7}, back.value());
        assertEquals(null, PendingRecord.decode(new PendingRecord(null, 1, 2, "t", 0, 0, new byte[0]).encode()).originalKey());
        PendingRecord pointer = PendingRecord.decode(PendingRecord.pointer("k", 1, 2, "radiographs", 5, 6).encode());
        assertEquals(null, pointer.value(), "the store keeps where the record is, not its bytes");
        assertEquals(6, pointer.offset());
        assertTrue(PendingRecord.pointer("k", 1, 2, "radiographs", 5, 6).encode().length < 64);
        byte[] bad = r.encode();
        bad[1] = 0x7f; // key length far beyond the buffer
        assertThrows(IllegalArgumentException.class, () -> PendingRecord.decode(bad));
    }

    @Test
    void idsAreDeterministicAndDistinct() {
        ModelRef v1 = ModelRef.newBuilder().setName("m").setVersion("1").build();
        ModelRef v2 = ModelRef.newBuilder().setName("m").setVersion("2").build();
        assertEquals(Ids.findingId("sop", v1), Ids.findingId("sop", v1));
        assertNotEquals(Ids.findingId("sop", v1), Ids.findingId("sop", v2));
        assertEquals(Ids.alertId(AlertType.NOVELTY, "sop", null, v1), Ids.alertId(AlertType.NOVELTY, "sop", null, v1));
        assertNotEquals(Ids.alertId(AlertType.UNSEEN_CLASS, "sop", "a", v1), Ids.alertId(AlertType.RARE_FINDING, "sop", "a", v1));
        assertNotEquals(Ids.alertId(AlertType.UNSEEN_CLASS, "ab", "c", v1), Ids.alertId(AlertType.UNSEEN_CLASS, "a", "bc", v1));
        assertEquals(32, Ids.findingId("sop", v1).length());
    }

    @Test
    void holderClosesARetiredModelOnlyAfterItsLastLease() {
        ModelHolder h = new ModelHolder();
        FakeEmbedder v1 = new FakeEmbedder("v1", 2);
        FakeEmbedder v2 = new FakeEmbedder("v2", 2);
        h.swap(v1);
        ModelHolder.Lease lease = h.acquire().orElseThrow();
        h.swap(v2);
        assertFalse(v1.closed.get(), "a batch still uses v1");
        try (ModelHolder.Lease l2 = h.acquire().orElseThrow()) {
            assertEquals("v2", l2.model().info().version());
        }
        lease.close();
        assertTrue(v1.closed.get());
        lease.close(); // idempotent
        h.close();
        assertTrue(v2.closed.get());
        assertTrue(h.acquire().isEmpty());
    }
}
