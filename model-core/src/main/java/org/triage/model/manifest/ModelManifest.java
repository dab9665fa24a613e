package org.triage.model.manifest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.triage.model.onnx.ModelLoadException;
import org.triage.model.preprocess.PreprocessSpec;

/**
 * model.json: everything a consumer needs to run an exported model the way it was trained.
 *
 * @param name              model name (with the version, the key name:version on model-releases)
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

    public static final String VISUAL = "visual.onnx";
    public static final String SEMANTIC = "semantic.onnx";

    // Sorted keys so that two exports of the same model produce byte-identical manifests.
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** Reads and validates {@code modelDir/model.json}; throws {@link ModelLoadException} naming the problem. */
    public static ModelManifest read(Path modelDir) {
        Path file = modelDir.resolve(FILE_NAME);
        ModelManifest m;
        try {
            m = JSON.readValue(Files.readAllBytes(file), ModelManifest.class);
        } catch (NoSuchFileException e) {
            throw new ModelLoadException(FILE_NAME + ": missing in " + modelDir);
        } catch (JsonProcessingException e) {
            throw new ModelLoadException(FILE_NAME + ": not a valid manifest (" + e.getOriginalMessage() + ") in " + modelDir, e);
        } catch (IOException e) {
            throw new ModelLoadException(FILE_NAME + ": cannot be read in " + modelDir + ": " + e.getMessage(), e);
        }
        if (m == null) {
            throw new ModelLoadException(FILE_NAME + ": empty in " + modelDir);
        }
        List<String> problems = m.problems();
        if (!problems.isEmpty()) {
            throw new ModelLoadException(FILE_NAME + ": invalid in " + modelDir + ": " + String.join("; ", problems));
        }
        return m;
    }

    /** Parses a manifest from JSON bytes (e.g. fetched from a model store). */
    public static ModelManifest fromJson(byte[] json) throws IOException {
        return JSON.readValue(json, ModelManifest.class);
    }

    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("manifest cannot be serialised", e);
        }
    }

    /** Writes {@code modelDir/model.json} atomically (temp file + move), so a reader never sees half a manifest. */
    public void write(Path modelDir) {
        List<String> problems = problems();
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("refusing to write an invalid manifest: " + String.join("; ", problems));
        }
        try {
            Files.createDirectories(modelDir);
            Path tmp = Files.createTempFile(modelDir, FILE_NAME, ".tmp");
            try {
                // temp files are owner-only; the manifest is read by other users (the stream's service account, containers)
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system
            }
            Files.write(tmp, toJson());
            Files.move(tmp, modelDir.resolve(FILE_NAME), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + modelDir.resolve(FILE_NAME), e);
        }
    }

    /** The preprocessing this model was trained with. */
    public PreprocessSpec preprocessSpec() {
        return new PreprocessSpec(resize, inputSize, channels, mean, std);
    }

    /** Structural problems (empty when valid): what a loader can check without opening the graphs. */
    public List<String> problems() {
        List<String> p = new ArrayList<>();
        if (name == null || name.isBlank()) p.add("name is missing");
        if (version == null || version.isBlank()) p.add("version is missing");
        if (inputSize <= 0) p.add("inputSize must be > 0, is " + inputSize);
        if (resize < inputSize) p.add("resize (" + resize + ") must be >= inputSize (" + inputSize + ")");
        if (channels <= 0) p.add("channels must be > 0, is " + channels);
        if (mean == null || mean.length != channels) p.add("mean must have one value per channel (" + channels + ")");
        if (std == null || std.length != channels) p.add("std must have one value per channel (" + channels + ")");
        if (std != null) {
            for (float s : std) {
                if (!(s > 0f)) p.add("std values must be > 0");
            }
        }
        if (embeddingDim <= 0) p.add("embeddingDim must be > 0, is " + embeddingDim);
        if (classVectorDim <= 0) p.add("classVectorDim must be > 0, is " + classVectorDim);
        if (distance == null || distance.isBlank()) p.add("distance is missing");
        if (seenLabels == null || seenLabels.isEmpty()) p.add("seenLabels is empty");
        if (artifacts == null || !artifacts.containsKey(VISUAL) || !artifacts.containsKey(SEMANTIC)) {
            p.add("artifacts must list the SHA-256 of " + VISUAL + " and " + SEMANTIC);
        } else {
            artifacts.forEach((file, sha) -> {
                if (sha == null || !sha.matches("[0-9a-f]{64}")) p.add("artifacts." + file + " is not a SHA-256 hex digest");
                if (file.contains("/") || file.contains("\\") || file.startsWith(".")) p.add("artifacts." + file + " is not a plain file name");
            });
        }
        if (targetSpecificity < 0 || targetSpecificity > 1) p.add("targetSpecificity must be in [0,1]");
        // JSON has no NaN/Infinity: a non-finite value would make the manifest unreadable
        if (metrics != null) {
            metrics.forEach((k, v) -> {
                if (v == null || !Double.isFinite(v)) p.add("metrics." + k + " is not a finite number");
            });
        }
        if (thresholds != null) {
            thresholds.forEach((k, v) -> {
                if (v == null || !Float.isFinite(v)) p.add("thresholds." + k + " is not a finite number");
            });
        }
        return p;
    }
}
