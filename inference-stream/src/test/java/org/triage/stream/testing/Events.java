package org.triage.stream.testing;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.triage.events.AlertPolicy;
import org.triage.events.LabelPrototype;
import org.triage.events.NormalisedImage;
import org.triage.events.PrototypeKind;
import org.triage.events.RadiographEvent;
import org.triage.events.Severity;
import org.triage.events.ThresholdMode;

/** Builders of test events. */
public final class Events {
    private Events() {
    }

    public static RadiographEvent radiograph(String sop, byte[] image, long receivedAt) {
        NormalisedImage img = NormalisedImage.newBuilder().setWidth(1).setHeight(1).setBitsStored(16).setEncoding("png16")
                .setData(ByteBuffer.wrap(image)).setUri(null).setSha256("00").setPixelSha256("00").setOriginalWidth(1)
                .setOriginalHeight(1).setOriginalPhotometric(null).build();
        return RadiographEvent.newBuilder().setEventId("ev-" + sop).setSopInstanceUid(sop).setStudyInstanceUid("study-" + sop)
                .setPatientPseudonym("p-" + sop.hashCode()).setSourceSystem("test").setReceivedAt(Instant.ofEpochMilli(receivedAt))
                .setImage(img).build();
    }

    public static LabelPrototype prototype(String id, PrototypeKind kind, ThresholdMode mode, Double value, boolean rare,
                                           float... vector) {
        List<Float> v = new ArrayList<>();
        for (float f : vector) {
            v.add(f);
        }
        return LabelPrototype.newBuilder().setLabelId(id).setDisplayName(id).setVector(v).setVectorEncoder("test")
                .setDimension(v.size()).setKind(kind)
                .setAlertPolicy(AlertPolicy.newBuilder().setMode(mode).setValue(value).setRare(rare).build())
                .setSeverity(Severity.HIGH).setAuthor("tester").setVersion(1).setCreatedAt(Instant.ofEpochMilli(1000))
                .setUpdatedAt(Instant.ofEpochMilli(1000)).build();
    }
}
