package org.triage.model.manifest;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * model.json: everything a consumer needs to run an exported model the way it was trained.
 *
 * @param name              model name (key on model-releases)
 * @param version           version string, unique per name
 * @param architecture      "densenet121" or "densenet-small" (informational)
 * @param opset             ONNX opset of the graphs
 * @param resize            shorter side resize before crop
 * @param inputSize         square input size (crop)
 * @param channels          input channels
 * @param mean              per-channel mean
 * @param std               per-channel std
 * @param embeddingDim      dimension of the shared space (100)
 * @param classVectorDim    dimension of class vectors semantic.onnx takes
 * @param classVectorEncoder name of the text encoder of class vectors
 * @param distance          distance id (see DistanceFunction)
 * @param seenLabels        labels the model was trained on
 * @param unseenLabels      labels held out (zero-shot) in its evaluation
 * @param metrics           evaluation metrics (seenMean, unseenMean, harmonicMean, perClass.X)
 * @param thresholds        per-label operating distance thresholds (called positive when distance <= threshold)
 * @param targetSpecificity specificity the thresholds were chosen for on validation data
 * @param artifacts         artifact file name -> SHA-256 hex (visual.onnx, semantic.onnx)
 */
public record ModelManifest(
        String name,
        String version,
        String architecture,
        int opset,
        int resize,
        int inputSize,
        int channels,
        float[] mean,
        float[] std,
        int embeddingDim,
        int classVectorDim,
        String classVectorEncoder,
        String distance,
        List<String> seenLabels,
        List<String> unseenLabels,
        Map<String, Double> metrics,
        Map<String, Float> thresholds,
        double targetSpecificity,
        Map<String, String> artifacts) {

    public static final String FILE_NAME = "model.json";

    public static ModelManifest read(Path modelDir) {
        throw new UnsupportedOperationException("TODO");
    }

    public void write(Path modelDir) {
        throw new UnsupportedOperationException("TODO");
    }
}
