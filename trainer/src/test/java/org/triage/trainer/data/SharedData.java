package org.triage.trainer.data;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the read-only reference data (../shared/data); tests skip with a clear message when absent. */
public final class SharedData {
    private SharedData() {}

    public static Path dataDir() {
        String prop = System.getProperty("triage.shared.dir");
        Path shared = prop != null && !prop.isBlank() ? Path.of(prop) : Path.of("..", "..", "shared");
        return shared.resolve("data");
    }

    /** The NIH folder, or the test is skipped. */
    public static Path requireNih() {
        Path nih = dataDir().resolve("nih");
        String absent = "reference data absent: " + nih.toAbsolutePath() + " (set -Dtriage.shared.dir); skipping ChestX-ray14 test";
        assumeTrue(Files.isRegularFile(nih.resolve("Data_Entry_2017_v2020.csv.gz")) || org.triage.schemas.PeerPolicy.skipAllowed(absent), absent);
        return nih;
    }
}
