package org.triage.model.bench;

import java.nio.file.Path;

/**
 * Writes an exported model (model.json, visual.onnx, semantic.onnx) with freshly initialised
 * weights, for benchmarking without a trained model. Implemented by the trainer (which owns the
 * network and the ONNX writer) and found with {@link java.util.ServiceLoader}, so that
 * model-core does not depend on the trainer.
 */
public interface RandomModelFactory {

    /** Writes the export into {@code dir} and returns it; {@code inputSize} 0 means the architecture's default. */
    Path export(String arch, int inputSize, long seed, Path dir);
}
