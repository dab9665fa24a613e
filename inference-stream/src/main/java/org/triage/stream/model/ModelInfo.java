package org.triage.stream.model;

import java.util.List;
import java.util.Map;

/**
 * What the stream needs to know about the model that scores a batch. Taken from the model's
 * manifest, so a finding can always be traced to the release that produced it.
 *
 * @param name           model name (with the version, the key name:version on model-releases)
 * @param version        release version, recorded on every finding, embedding and alert
 * @param embeddingDim   dimension of the shared space
 * @param classVectorDim dimension of prototype vectors the semantic model takes
 * @param distanceId     distance id of the manifest (see DistanceFunction)
 * @param thresholds     calibrated per-label distance thresholds (seen labels)
 * @param seenLabels     labels the model was trained on
 * @param device         "cpu" or "gpu:N", where the visual model runs
 */
public record ModelInfo(
        String name,
        String version,
        int embeddingDim,
        int classVectorDim,
        String distanceId,
        Map<String, Float> thresholds,
        List<String> seenLabels,
        String device) {

    public ModelInfo {
        thresholds = Map.copyOf(thresholds);
        seenLabels = List.copyOf(seenLabels);
    }

    /** "name:version", the key of per-model caches and state. */
    public String ref() {
        return name + ":" + version;
    }
}
