package org.triage.trainer.export;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.triage.model.preprocess.PreprocessSpec;
import org.triage.trainer.model.ArchSpec;

/** Model directories and images shared by the export tests. */
final class ExportFixtures {
    static final List<String> SEEN = List.of("Atelectasis", "Cardiomegaly", "Effusion", "Infiltration", "Mass", "Nodule",
            "Pneumothorax", "Consolidation", "Pleural_Thickening", "Hernia");
    static final List<String> UNSEEN = List.of("Edema", "Emphysema", "Fibrosis", "Pneumonia");

    private ExportFixtures() {
    }

    static Path randomModel(Path dir, ArchSpec arch, int resize, int crop, int classDim, long seed) {
        return RandomModelDir.create(dir, arch, PreprocessSpec.imagenet(resize, crop), SEEN, UNSEEN, classDim, seed, true);
    }

    /** Shared reference data dir (system property triage.shared.dir, else ../shared). */
    static Path sharedDir() {
        String p = System.getProperty("triage.shared.dir");
        return p != null ? Path.of(p) : Path.of("..", "..", "shared");
    }

    /** Real ChestX-ray14 PNGs when the shared data is present; empty otherwise. */
    static List<Path> realImages(int max) throws IOException {
        Path dir = sharedDir().resolve("data/nih/images");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f -> f.getFileName().toString().endsWith(".png")).sorted().limit(max).toList();
        }
    }
}
