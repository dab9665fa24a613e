package org.triage.trainer.train;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triage.trainer.data.GzslDataset;

class FlipPolicyTest {
    private static GzslDataset dataset(Path dir, String extraClassesJson, String datasetJson) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("labels.csv"), "image,split,labels\na,train,A\nb,test,U\n");
        Files.writeString(dir.resolve("classes.json"),
                "{\"seen\":[\"A\"],\"unseen\":[\"U\"],\"encoder\":\"t\",\"vectors\":{\"A\":[1,0],\"U\":[0,1]}" + extraClassesJson + "}");
        if (datasetJson != null) {
            Files.writeString(dir.resolve("dataset.json"), datasetJson);
        }
        return GzslDataset.open(dir);
    }

    @Test
    void flipIsOffWhereLateralityIsPartOfAClass(@TempDir Path tmp) throws Exception {
        assertTrue(FlipPolicy.flipPreservesLabels(dataset(tmp.resolve("plain"), "", null)));
        assertFalse(FlipPolicy.flipPreservesLabels(dataset(tmp.resolve("flag"), ",\"horizontalFlipPreservesLabels\":false", null)));
        assertFalse(FlipPolicy.flipPreservesLabels(dataset(tmp.resolve("lat"), "",
                "{\"attributes\":[{\"name\":\"laterality\",\"values\":[\"left\",\"right\"]}]}")));
        assertTrue(FlipPolicy.flipPreservesLabels(dataset(tmp.resolve("explicit"), "",
                "{\"horizontalFlipSafe\": true, \"attributes\":[{\"name\":\"laterality\"}]}")));
    }
}
