package org.triage.trainer.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A generalized zero-shot dataset: seen and unseen classes with semantic vectors, and
 * train/val/test splits in which train and val hold no image with an unseen label.
 * Two layouts implement it: the directory format that {@code triage phantom} writes
 * ({@link DirectoryDataset}) and the official ChestX-ray14 layout ({@link ChestXray14Dataset}).
 */
public interface GzslDataset {

    /** Opens DIR, detecting its layout: {@code classes.json + labels.csv} or {@code Data_Entry_2017*.csv(.gz)}. */
    static GzslDataset open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new DatasetFormatException("dataset folder " + dir + " does not exist or is not a folder");
        }
        if (Files.isRegularFile(dir.resolve(DirectoryDataset.CLASSES_FILE))) {
            return DirectoryDataset.open(dir);
        }
        if (ChestXray14Dataset.findLabelFile(dir) != null) {
            return ChestXray14Dataset.open(dir);
        }
        throw new DatasetFormatException("cannot recognise the dataset in " + dir + ": expected either "
                + DirectoryDataset.CLASSES_FILE + " + " + DirectoryDataset.LABELS_FILE
                + " (written by 'triage phantom') or Data_Entry_2017*.csv[.gz] (ChestX-ray14)");
    }

    /** Seen classes, in their fixed order. */
    List<String> seenLabels();

    /** Unseen classes, in their fixed order. */
    List<String> unseenLabels();

    /** Seen then unseen. */
    default List<String> allLabels() {
        List<String> all = new ArrayList<>(seenLabels());
        all.addAll(unseenLabels());
        return List.copyOf(all);
    }

    /** The semantic vector of a class (a copy). */
    float[] classVector(String label);

    int classVectorDim();

    /** Name of the text/attribute encoder the vectors came from. */
    String classVectorEncoder();

    /** "train", "val" or "test". */
    List<Sample> split(String name);

    Path root();

    /**
     * Whether a horizontal flip keeps every label true. False where laterality is part of a
     * class (the phantom), so training augmentation must not flip.
     */
    default boolean horizontalFlipPreservesLabels() {
        return true;
    }

    /** Samples of the list whose image file is absent on disk. */
    default List<Sample> missingImages(List<Sample> samples) {
        List<Sample> missing = new ArrayList<>();
        for (Sample s : samples) {
            if (!Files.isRegularFile(s.imagePath())) {
                missing.add(s);
            }
        }
        return missing;
    }

    /**
     * Fails with a clear message when any image of the split is missing; trainers call this
     * before the first epoch so a partial download does not fail hours into a run.
     */
    default List<Sample> requireImages(String splitName) {
        List<Sample> samples = split(splitName);
        List<Sample> missing = missingImages(samples);
        if (!missing.isEmpty()) {
            throw new DatasetFormatException(missing.size() + " of " + samples.size() + " images of split '" + splitName
                    + "' are missing on disk under " + root() + " (first: " + missing.get(0).imagePath() + ")");
        }
        return samples;
    }
}
