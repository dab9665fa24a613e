package org.triage.platform.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Replay rules that make every instance derive the same state from the same log. */
class RegistryStateTest {
    static final String X = "{\"type\":\"record\",\"name\":\"X\",\"fields\":[]}";
    static final String Y = "{\"type\":\"record\",\"name\":\"Y\",\"fields\":[]}";

    @Test
    void firstRecordWinsWhenInstancesRaceForAnIdOrAVersion() {
        RegistryState state = new RegistryState();
        state.apply(RegistryState.schemaKey("a", 1), RegistryState.schemaValue("a", 1, 1, X, false));
        // Another instance allocated id 1 to Y concurrently: ignored everywhere.
        state.apply(RegistryState.schemaKey("b", 1), RegistryState.schemaValue("b", 1, 1, Y, false));
        assertTrue(state.versions("b", true).isEmpty());
        assertEquals("X", state.schema(1).schema().getName());
        // Another instance wrote version 1 of "a" with another id: ignored too.
        state.apply(RegistryState.schemaKey("a", 1), RegistryState.schemaValue("a", 1, 2, Y, false));
        assertEquals(1, state.version("a", 1).id());
        assertNull(state.schema(2));
    }

    @Test
    void softDeleteTombstoneAndConfigRecords() {
        RegistryState state = new RegistryState();
        state.apply(RegistryState.schemaKey("a", 1), RegistryState.schemaValue("a", 1, 7, X, false));
        state.apply(RegistryState.schemaKey("a", 1), RegistryState.schemaValue("a", 1, 7, X, true));
        assertTrue(state.versions("a", false).isEmpty());
        assertEquals(1, state.versions("a", true).size());
        assertEquals(7, state.maxId());
        state.apply(RegistryState.schemaKey("a", 1), null);
        assertTrue(state.subjects(true).isEmpty());
        assertNull(state.schema(7), "no version refers to the id any more");

        state.apply(RegistryState.configKey(null), RegistryState.configValue(CompatibilityLevel.FULL));
        state.apply(RegistryState.configKey("a"), RegistryState.configValue(CompatibilityLevel.NONE));
        assertEquals(CompatibilityLevel.NONE, state.effectiveLevel("a"));
        assertEquals(CompatibilityLevel.FULL, state.effectiveLevel("b"));
        state.apply(RegistryState.configKey("a"), null);
        assertEquals(CompatibilityLevel.FULL, state.effectiveLevel("a"));
    }

    @Test
    void unreadableRecordsAreRejectedNotHalfApplied() {
        RegistryState state = new RegistryState();
        assertThrows(IllegalArgumentException.class, () -> state.apply("{oops".getBytes(), null));
        state.apply("{\"keytype\":\"NOOP\"}".getBytes(), null);
        assertTrue(state.subjects(true).isEmpty());
    }

    @Test
    void theIdWatermarkKeepsIdsOfCompactedAwaySchemasTaken() {
        // What a compacted log holds after id 7 was permanently deleted: the tombstone and the watermark only.
        RegistryState replayed = new RegistryState();
        replayed.apply(RegistryState.schemaKey("a", 1), RegistryState.schemaValue("a", 1, 3, X, false));
        replayed.apply(RegistryState.schemaKey("b", 1), null);
        replayed.apply(RegistryState.idWatermarkKey(), RegistryState.idWatermarkValue(7));
        assertEquals(7, replayed.maxId(), "the next id is 8, not 4");
        replayed.apply(RegistryState.idWatermarkKey(), null);
        assertEquals(7, replayed.maxId(), "ids never go back");
    }
}
