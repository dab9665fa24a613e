package org.triage.trainer.retrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RetrainTriggerTest {
    private final RetrainTrigger trigger = new RetrainTrigger(50, 20);

    @Test
    void nothingNewStartsNothingEvenWhenALabelIsAboveTheSeenThreshold() {
        assertEquals(Optional.empty(), trigger.reason(new RetrainTrigger.LabelsState(0, Map.of("Edema", 40)), Set.of()));
    }

    @Test
    void enoughNewConfirmationsStartAJob() {
        Optional<String> why = trigger.reason(new RetrainTrigger.LabelsState(50, Map.of()), Set.of());
        assertTrue(why.orElseThrow().startsWith("50 new confirmation(s)"), why.toString());
        assertEquals(Optional.empty(), trigger.reason(new RetrainTrigger.LabelsState(49, Map.of("Mass", 300)), Set.of("Mass")));
    }

    @Test
    void aLabelCrossingTheSeenThresholdStartsAJobOnceItIsNotSeenYet() {
        var crossing = new RetrainTrigger.LabelsState(3, Map.of("Mass", 300, "Edema", 20));
        assertTrue(trigger.reason(crossing, Set.of("Mass")).orElseThrow().startsWith("Edema has 20 confirmed positives"));
        assertEquals(Optional.empty(), trigger.reason(crossing, Set.of("Mass", "Edema")), "already a seen class of the last model");
        assertEquals(Optional.empty(), trigger.reason(new RetrainTrigger.LabelsState(3, Map.of("Edema", 19)), Set.of()));
    }

    @Test
    void thresholdsMustBePositive() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new RetrainTrigger(0, 20)).getMessage()
                .contains("--min-new-confirmations"));
        assertThrows(IllegalArgumentException.class, () -> new RetrainTrigger(5, 0));
    }

    @Test
    void theBaselineIsTheLaterOfTwoOffsetMaps() {
        TopicOffsets a = new TopicOffsets(Map.of("labels-0", 10L, "labels-1", 4L));
        TopicOffsets b = new TopicOffsets(Map.of("labels-0", 7L, "labels-2", 9L));
        assertEquals(Map.of("labels-0", 10L, "labels-1", 4L, "labels-2", 9L), RetrainWatcher.later(a, b).offsets());
    }
}
