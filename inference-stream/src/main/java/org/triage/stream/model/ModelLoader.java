package org.triage.stream.model;

import java.nio.file.Path;

/** Loads a model directory (model.json + ONNX graphs) into a {@link BatchEmbedder}. */
@FunctionalInterface
public interface ModelLoader {
    /** Throws with a message naming the problem when the directory is not a usable model. */
    BatchEmbedder load(Path modelDir);
}
