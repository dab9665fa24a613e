package org.triage.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.triage.events.AlertPolicy;
import org.triage.events.Calibration;
import org.triage.events.LabelPrototype;
import org.triage.events.PrototypeKind;
import org.triage.events.ThresholdMode;
import org.triage.stream.model.ModelInfo;
import org.triage.stream.rescan.RetrospectivePolicy;
import org.triage.stream.testing.Events;
import org.triage.stream.testing.FakeEmbedder;

/** Which prototype versions the rescanner applies to stored embeddings, and with which threshold. */
class RetrospectivePolicyTest {
    private final ModelInfo info = new FakeEmbedder("v7", 2).info();

    @Test
    void anAbsoluteUnseenPrototypeScansWithItsDistance() {
        RetrospectivePolicy.Decision d = RetrospectivePolicy.decide(
                Events.prototype("covid", PrototypeKind.UNSEEN, ThresholdMode.ABSOLUTE, 0.5, false, 0, 1), info);
        assertTrue(d.scans(), d.reason());
        assertEquals(0.5f, d.threshold());
    }

    @Test
    void aCalibrationScansOnlyWhenRecordedForTheModelInService() {
        assertTrue(RetrospectivePolicy.decide(calibrated("fake:v7"), info).scans());
        assertEquals(0.3f, RetrospectivePolicy.decide(calibrated("fake:v7"), info).threshold(), 1e-6);
        RetrospectivePolicy.Decision other = RetrospectivePolicy.decide(calibrated("fake:v6"), info);
        assertFalse(other.scans());
        assertTrue(other.reason().contains("fake:v6"), other.reason());
        RetrospectivePolicy.Decision none = RetrospectivePolicy.decide(
                Events.prototype("x", PrototypeKind.UNSEEN, ThresholdMode.CALIBRATED, null, false, 0, 1), info);
        assertFalse(none.scans());
        assertTrue(none.reason().contains("no calibration"), none.reason());
    }

    @Test
    void quantileNeverAndSeenCommonLabelsAreNotRescanned() {
        assertFalse(RetrospectivePolicy.decide(
                Events.prototype("q", PrototypeKind.UNSEEN, ThresholdMode.QUANTILE, 0.05, false, 0, 1), info).scans());
        assertFalse(RetrospectivePolicy.decide(
                Events.prototype("n", PrototypeKind.UNSEEN, ThresholdMode.NEVER, null, false, 0, 1), info).scans());
        assertFalse(RetrospectivePolicy.decide(
                Events.prototype("s", PrototypeKind.SEEN, ThresholdMode.ABSOLUTE, 0.5, false, 0, 1), info).scans());
    }

    private static LabelPrototype calibrated(String model) {
        LabelPrototype p = Events.prototype("c", PrototypeKind.UNSEEN, ThresholdMode.CALIBRATED, null, false, 0, 1);
        Calibration c = Calibration.newBuilder().setThreshold(0.3).setModel(model).setReferenceFilms(100).setTargetRate(0.02)
                .setMethod("reference-quantile").setCalibratedAt(Instant.ofEpochMilli(1)).build();
        return LabelPrototype.newBuilder(p).setAlertPolicy(AlertPolicy.newBuilder(p.getAlertPolicy()).setCalibration(c).build()).build();
    }
}
