package org.triage.trainer.data;

import java.nio.file.Path;
import java.util.Set;

/**
 * One labelled image.
 *
 * @param imageId   the image's id (file name without extension)
 * @param imagePath where the image lives (may be absent on disk for ChestX-ray14 subsets; see {@link GzslDataset#missingImages})
 * @param labels    the image's positive labels (names as in the dataset's classes)
 */
public record Sample(String imageId, Path imagePath, Set<String> labels) {
    public Sample {
        labels = Set.copyOf(labels);
    }
}
