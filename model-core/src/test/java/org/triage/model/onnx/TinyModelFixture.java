package org.triage.model.onnx;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.triage.model.manifest.ModelManifest;

/**
 * A tiny exported model kept as a test resource (written by 'triage export' from a densenet-tiny
 * with random weights: [N,3,32,32] -> [N,8], class vectors of 12). The trainer's tests cover
 * exports of the real configurations.
 */
public final class TinyModelFixture {
    private TinyModelFixture() {
    }

    /** Copies the fixture into {@code dir} and returns it. */
    public static Path copyTo(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (String f : List.of(ModelManifest.FILE_NAME, ModelManifest.VISUAL, ModelManifest.SEMANTIC)) {
            try (InputStream in = TinyModelFixture.class.getResourceAsStream("/fixtures/tiny-model/" + f)) {
                Files.copy(in, dir.resolve(f));
            }
        }
        return dir;
    }
}
