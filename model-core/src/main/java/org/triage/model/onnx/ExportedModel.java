package org.triage.model.onnx;

import java.nio.file.Path;
import org.triage.model.manifest.ModelManifest;

/**
 * An exported model loaded for inference: manifest + visual.onnx + semantic.onnx, through DJL's
 * ONNX Runtime engine. CUDA when a GPU is present and working, CPU otherwise.
 * Loading verifies every artifact's SHA-256 against the manifest and the graphs' dims against it.
 */
public final class ExportedModel implements AutoCloseable {

    /** Loads and verifies; throws {@link ModelLoadException} naming the file and the problem. */
    public static ExportedModel load(Path modelDir) {
        throw new UnsupportedOperationException("TODO");
    }

    public ModelManifest manifest() {
        throw new UnsupportedOperationException("TODO");
    }

    /** Embeds a batch of preprocessed images, each a CHW float array; returns [N][embeddingDim]. */
    public float[][] embedImages(float[][] batch) {
        throw new UnsupportedOperationException("TODO");
    }

    /** Projects class vectors [M][classVectorDim] into the shared space; returns [M][embeddingDim]. */
    public float[][] projectClassVectors(float[][] classVectors) {
        throw new UnsupportedOperationException("TODO");
    }

    /** "gpu:0" or "cpu", as chosen at load time. */
    public String device() {
        throw new UnsupportedOperationException("TODO");
    }

    @Override
    public void close() {
    }
}
