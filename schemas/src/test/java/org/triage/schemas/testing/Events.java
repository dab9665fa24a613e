package org.triage.schemas.testing;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import org.triage.events.Alert;
import org.triage.events.AlertType;
import org.triage.events.LabelScore;
import org.triage.events.ModelRef;
import org.triage.events.NormalisedImage;
import org.triage.events.Priority;
import org.triage.events.PrototypeKind;
import org.triage.events.RadiographEvent;
import org.triage.events.Severity;

/** Sample events for tests (synthetic: no real patient data). */
public final class Events {
    private Events() {
    }

    public static RadiographEvent radiograph(int imageBytes) {
        byte[] pixels = new byte[imageBytes];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 31);
        }
        return RadiographEvent.newBuilder()
                .setEventId("e-1")
                .setSopInstanceUid("1.2.3.4.5")
                .setStudyInstanceUid("1.2.3.4")
                .setPatientPseudonym("ab12cd")
                .setModality("DX")
                .setSourceSystem("files")
                .setReceivedAt(Instant.ofEpochMilli(1_700_000_000_123L))
                .setPriority(Priority.URGENT)
                .setImage(NormalisedImage.newBuilder()
                        .setWidth(8).setHeight(4).setBitsStored(16).setEncoding("png16")
                        .setData(ByteBuffer.wrap(pixels))
                        .setSha256("00ff").setPixelSha256("11ee")
                        .setOriginalWidth(16).setOriginalHeight(8)
                        .build())
                .setKnownLabels(List.of("Effusion"))
                .build();
    }

    public static ModelRef modelRef() {
        return new ModelRef("cm-dml", "1.0.0");
    }

    public static Alert alert() {
        return Alert.newBuilder()
                .setAlertId("a-1")
                .setType(AlertType.UNSEEN_CLASS)
                .setLabelId("covid-19")
                .setScore(0.42f)
                .setThreshold(0.5f)
                .setSeverity(Severity.HIGH)
                .setSopInstanceUid("1.2.3.4.5")
                .setPatientPseudonym("ab12cd")
                .setModel(modelRef())
                .setEvidence(List.of(new LabelScore("covid-19", 0.42f, 0.9f, 1, 0.5f, true, PrototypeKind.UNSEEN)))
                .setCreatedAt(Instant.ofEpochMilli(1_700_000_000_456L))
                .build();
    }
}
